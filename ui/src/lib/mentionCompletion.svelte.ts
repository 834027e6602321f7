// "@" completion for a text box: the name being typed before the caret, the people it could be,
// and who was chosen. The composer and the new-thread form share it.

import type { MentionChoice, Person } from "./api";

/** A name made of letters, digits, `_`, `.` or `-`, typed right after an "@" at a word's start. */
const TYPED_NAME = /(^|\s)@([\p{L}\p{N}_.-]{0,30})$/u;
const SHOWN = 6;

export class MentionCompletion {
  /** The "@name" being typed just before the caret: where its "@" is, and the name so far. */
  query = $state<{ start: number; text: string } | null>(null);
  highlighted = $state(0);
  /** People completed so far; only those still named in the text count (see `active`). */
  chosen = $state<MentionChoice[]>([]);

  /** `people` and `me` are read each time, so the list follows the directory; `me` is never
   * offered. */
  constructor(
    private readonly people: () => Person[],
    private readonly me: () => string,
  ) {}

  suggestions = $derived.by(() => {
    if (!this.query) return [];
    const needle = this.query.text.toLowerCase();
    return this.people()
      .filter((person) => person.id !== this.me())
      .filter((person) => {
        const name = person.displayName.toLowerCase();
        return name.startsWith(needle) || name.split(/\s+/).some((part) => part.startsWith(needle));
      })
      .slice(0, SHOWN);
  });

  /** Reads what is typed before the caret of `input`. */
  update(input: HTMLTextAreaElement) {
    const caret = input.selectionStart ?? input.value.length;
    const match = TYPED_NAME.exec(input.value.slice(0, caret));
    this.query = match ? { start: caret - match[2].length - 1, text: match[2] } : null;
    this.highlighted = 0;
  }

  /** `text` with the name being typed replaced by `person`'s, and where the caret goes after it. */
  complete(person: Person, text: string, caret: number): { text: string; caret: number } | null {
    if (!this.query) return null;
    const insert = `@${person.displayName} `;
    const start = this.query.start;
    if (!this.chosen.some((choice) => choice.userId === person.id)) {
      this.chosen = [...this.chosen, { name: person.displayName, userId: person.id }];
    }
    this.query = null;
    return { text: text.slice(0, start) + insert + text.slice(caret), caret: start + insert.length };
  }

  /** Moves through the suggestions, picks one (Enter, Tab) or closes them (Escape); true when it
   * took the key. */
  key(event: KeyboardEvent, pick: (person: Person) => void): boolean {
    const shown = this.suggestions;
    if (shown.length === 0) return false;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.highlighted = (this.highlighted + step + shown.length) % shown.length;
    } else if (event.key === "Enter" || event.key === "Tab") {
      pick(shown[this.highlighted]);
    } else if (event.key === "Escape") {
      this.query = null;
    } else {
      return false;
    }
    event.preventDefault();
    return true;
  }

  /** The people chosen whose name is still in `text`. */
  active(text: string): MentionChoice[] {
    return this.chosen.filter((choice) => text.includes(`@${choice.name}`));
  }

  reset() {
    this.chosen = [];
    this.query = null;
  }
}
