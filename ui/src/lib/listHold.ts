// Where a virtualised list was put (its end, or a message at its top or in its middle), held
// while the rows around it are measured, which moves it. The virtualiser's own scroll to an index
// holds its target for as long as rows keep being measured, and a reader who scrolled away at once
// (rows coming into view are measured) was pulled back to it, again and again. This hold lets go
// as soon as the reader moves: a wheel, a touch, a key, a press in the list, or a scroll away.

import type { Attachment } from "svelte/attachments";

/** What is held in view: the list's end, or a message at the top or in the middle. */
export type Hold = "end" | { id: string; align: "start" | "center" };

/** What the hold reads of the list; null while the list is not in the page. */
export type HeldList = {
  scroller(): Element | null;
  /** Where the message `id` is among the rows, with its offset and size; null if it is not. */
  row(id: string): { offset: number; size: number } | null;
  viewportSize(): number;
};

/** How far the reader may be from what is held before it counts as moving away. */
const SLACK = 80;

export class ListHold {
  private held: Hold | null = null;

  constructor(private readonly list: HeldList) {}

  /** Puts the list where `what` shows, and keeps it there until `letGo`. */
  hold(what: Hold) {
    this.held = what;
    this.keep();
  }

  readonly letGo = () => {
    this.held = null;
  };

  get holding(): boolean {
    return this.held !== null;
  }

  /** Puts the list back where what is held shows (after rows were measured); lets go once it is
   * gone from the list. */
  keep() {
    const offset = this.offset();
    const scroller = this.list.scroller();
    if (offset === null || !scroller) return this.letGo();
    if (Math.abs(scroller.scrollTop - offset) >= 1) scroller.scrollTop = offset;
  }

  /** The list scrolled to `offset`: far from what is held, the reader moved it. */
  scrolled(offset: number) {
    const held = this.offset();
    if (held !== null && Math.abs(offset - held) > SLACK) this.letGo();
  }

  /** The reader's own moves in the list let go of what is held; only watched, never stopped. */
  readonly readerMoves: Attachment<HTMLElement> = (box) => {
    const moves = ["wheel", "touchstart", "keydown", "pointerdown"] as const;
    for (const move of moves) box.addEventListener(move, this.letGo, { passive: true });
    return () => {
      for (const move of moves) box.removeEventListener(move, this.letGo);
    };
  };

  /** Where the scroll position must be for what is held to show, or null. */
  private offset(): number | null {
    const scroller = this.list.scroller();
    if (!this.held || !scroller) return null;
    if (this.held === "end") return scroller.scrollHeight - scroller.clientHeight;
    const row = this.list.row(this.held.id);
    if (!row) return null;
    return this.held.align === "start" ? row.offset : row.offset - (this.list.viewportSize() - row.size) / 2;
  }
}
