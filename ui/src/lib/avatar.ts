// Avatars are initials on a colour chosen from the person's id, so everyone keeps their colour
// on every device and in every list.

const PALETTE = [
  "#5b5bd6", // iris
  "#0d9488", // teal
  "#d9480f", // orange
  "#c2255c", // pink
  "#2f9e44", // green
  "#1c7ed6", // blue
  "#9c36b5", // grape
  "#e67700", // amber
  "#0b7285", // cyan
  "#5f3dc4", // violet
];

/** Up to two initials: "Aiko Tanaka" → "AT", "priya" → "P". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return "?";
  const first = Array.from(words[0])[0] ?? "";
  const last = words.length > 1 ? (Array.from(words[words.length - 1])[0] ?? "") : "";
  return (first + last).toUpperCase();
}

/** A stable colour for `key` (FNV-1a over its UTF-16 units). */
export function avatarColor(key: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return PALETTE[(hash >>> 0) % PALETTE.length];
}
