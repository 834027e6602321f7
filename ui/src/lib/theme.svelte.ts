// The colour theme: "system" follows prefers-color-scheme; the choice persists in localStorage
// and the effective theme is written to <html data-theme="light|dark"> for the CSS.

export type ThemeChoice = "system" | "light" | "dark";
export type EffectiveTheme = "light" | "dark";

const STORAGE_KEY = "meridian.theme";
const ORDER: ThemeChoice[] = ["system", "light", "dark"];

function storedChoice(): ThemeChoice {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    if (value === "light" || value === "dark" || value === "system") return value;
  } catch {
    // Storage can be unavailable (private mode); fall back to the OS.
  }
  return "system";
}

const darkQuery = window.matchMedia("(prefers-color-scheme: dark)");

class Theme {
  choice = $state<ThemeChoice>(storedChoice());
  osDark = $state(darkQuery.matches);
  effective: EffectiveTheme = $derived(
    this.choice === "system" ? (this.osDark ? "dark" : "light") : this.choice,
  );

  constructor() {
    darkQuery.addEventListener("change", (event) => {
      this.osDark = event.matches;
      this.apply();
    });
    this.apply();
  }

  /** system → light → dark → system. */
  cycle() {
    this.choice = ORDER[(ORDER.indexOf(this.choice) + 1) % ORDER.length];
    try {
      localStorage.setItem(STORAGE_KEY, this.choice);
    } catch {
      // Not persisted; the choice still applies for this session.
    }
    this.apply();
  }

  private apply() {
    const root = document.documentElement;
    root.dataset.theme = this.effective;
    root.style.colorScheme = this.effective;
  }
}

export const theme = new Theme();
