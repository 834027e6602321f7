// Lists the controls on screen that a screen reader could not name: each interactive element
// needs a name from aria-label, aria-labelledby, its text, a label, a placeholder, an image's alt
// text or a title (the sources of the accessible name, in a simpler order than the spec's).
const text = (element) => (element?.textContent ?? "").trim();
const shown = (element) => {
  const box = element.getBoundingClientRect();
  const style = getComputedStyle(element);
  return box.width > 0 && box.height > 0 && style.visibility !== "hidden";
};
const named = (element) => {
  if (element.getAttribute("aria-label")?.trim()) return true;
  const labelledBy = element.getAttribute("aria-labelledby");
  if (labelledBy && labelledBy.split(/\s+/).some((id) => text(document.getElementById(id)))) return true;
  if (element.matches("input, select, textarea")) {
    if ([...(element.labels ?? [])].some((label) => text(label))) return true;
    if (element.getAttribute("placeholder")?.trim()) return true;
    if (["submit", "button", "reset"].includes(element.type) && element.value) return true;
  } else if (text(element)) {
    return true;
  }
  if ([...element.querySelectorAll("img[alt]")].some((image) => image.alt.trim())) return true;
  return Boolean(element.getAttribute("title")?.trim());
};
const controls = document.querySelectorAll(
  "button, a[href], input:not([type=hidden]), select, textarea, [contenteditable=true], " +
    "[role=button], [role=link], [role=checkbox], [role=switch], [role=tab], [role=menuitem], " +
    "[role=option], [role=textbox], [role=combobox], [role=slider]",
);
return [...controls]
  .filter((control) => shown(control) && !named(control))
  .map((control) => control.outerHTML.slice(0, 200));
