// The part of the open thread held in memory: a run of consecutive messages that grows a page
// at a time toward either end as the reader scrolls, and gives up pages far from where they read.
// It only asks the shell for windows and keeps the answers; the list decides when to ask.

import * as api from "./api";
import type { ListedMessage, MessageView, MessageWindow } from "./api";

/** Messages asked for per page. */
export const PAGE = 50;
/** The messages held after a drop: pages far from the reader go once `SLACK` more are held. */
export const KEEP = 250;
/**
 * How far past `KEEP` the held messages grow before pages are dropped. Each drop costs the list a
 * pass over the rows it shows, so pages go a few at a time rather than after every page read.
 */
const SLACK = 3 * PAGE;
/** Messages on the reader's side of a drop that always stay. */
const MARGIN = 60;

let windows = 0;

export class ThreadWindow {
  /**
   * Replaced whole on every change and never changed in place, so it is not made deeply
   * reactive: rows read plain objects rather than a proxy per message.
   */
  messages = $state.raw<ListedMessage[]>([]);
  moreBefore = $state(false);
  moreAfter = $state(false);
  /** The first message held here is not the thread's first: the rest is on the team server. */
  startOnServer = $state(false);
  /** Why reading the thread's start from the server failed; it is not asked again until `retry`. */
  serverError = $state<string | null>(null);
  total = $state(0);
  /**
   * Whether the last change added or removed messages at the start. The list keeps the reader's
   * place from the end in that case, so rows put above them do not push what they read away.
   */
  shift = $state(false);
  loadingBefore = $state(false);
  /** Part of `loadingBefore`: the messages before are coming from the team server. */
  loadingFromServer = $state(false);
  loadingAfter = $state(false);
  /** Counts resets (jumps to the newest); a response asked for before one is dropped. */
  generation = $state(0);
  /** Tells this window from the one of an earlier opening of the same thread. */
  readonly serial = ++windows;
  private resets = 0;

  constructor(
    readonly threadId: string,
    window: MessageWindow,
  ) {
    this.replace(window);
  }

  private replace(window: MessageWindow) {
    this.shift = false;
    this.messages = window.messages;
    this.moreBefore = window.moreBefore;
    this.moreAfter = window.moreAfter;
    this.startOnServer = window.startOnServer;
    this.total = window.total;
  }

  /** Whether anything comes before the first message held: here, or on the server. */
  get earlierExists(): boolean {
    return this.moreBefore || this.startOnServer;
  }

  /** Whether the list may ask for what comes before now (a failed server read waits for `retry`). */
  get canReadEarlier(): boolean {
    return this.moreBefore || (this.startOnServer && this.serverError === null);
  }

  /** Asks the server again for the thread's start after reading it failed. */
  retry(settled?: () => Promise<void>) {
    this.serverError = null;
    return this.older(settled);
  }

  /**
   * Adds the page before the first message held. `settled`, when given, is awaited between the
   * answer and taking it in: the list uses it to put rows above the reader only at a moment its
   * virtualiser knows where the reader is (see `MessageList`).
   */
  async older(settled?: () => Promise<void>) {
    const first = this.messages[0];
    if (!this.canReadEarlier || this.loadingBefore || !first?.cursor) return;
    const generation = this.generation;
    const fromServer = !this.moreBefore;
    this.loadingBefore = true;
    this.loadingFromServer = fromServer;
    try {
      if (fromServer) {
        try {
          await api.loadThreadStart(this.threadId);
        } catch (error) {
          if (generation === this.generation) this.serverError = api.errorMessage(error);
          return;
        }
      }
      const page = await api.threadPage(this.threadId, "before", first.cursor, PAGE);
      await settled?.();
      if (generation !== this.generation || this.messages[0]?.id !== first.id) return;
      const held = new Set(this.messages.map((message) => message.id));
      this.shift = true;
      this.messages = [...page.messages.filter((message) => !held.has(message.id)), ...this.messages];
      this.moreBefore = page.moreBefore;
      this.startOnServer = page.startOnServer;
      this.total = page.total;
    } finally {
      this.loadingBefore = false;
      this.loadingFromServer = false;
    }
  }

  /** Adds the page after the last message held. */
  async newer() {
    const last = this.lastWithCursor();
    if (!this.moreAfter || this.loadingAfter || !last?.cursor) return;
    const generation = this.generation;
    this.loadingAfter = true;
    try {
      const page = await api.threadPage(this.threadId, "after", last.cursor, PAGE);
      if (generation !== this.generation || this.lastWithCursor()?.id !== last.id) return;
      const held = new Set(this.messages.map((message) => message.id));
      this.shift = false;
      this.messages = [...this.messages, ...page.messages.filter((message) => !held.has(message.id))];
      this.moreAfter = page.moreAfter;
      this.total = page.total;
    } finally {
      this.loadingAfter = false;
    }
  }

  /**
   * Reads the held messages again after a change (an edit, a delete, a reaction, new replies).
   * At the newest end it takes the replies that came since; elsewhere it keeps the same span.
   * Returns false when more new replies came than one read takes, so the caller can jump.
   */
  async refresh(): Promise<boolean> {
    const first = this.messages.find((message) => message.cursor);
    if (!first?.cursor) return this.latest().then(() => true);
    const generation = this.generation;
    const atEnd = !this.moreAfter;
    const limit = this.messages.length + (atEnd ? PAGE * 2 : 0);
    const page = await api.threadPage(this.threadId, "from", first.cursor, limit);
    if (generation !== this.generation) return true;
    this.shift = page.messages[0]?.id !== this.messages[0]?.id;
    this.messages = page.messages;
    this.moreBefore = page.moreBefore;
    this.moreAfter = page.moreAfter;
    this.startOnServer = page.startOnServer;
    this.total = page.total;
    return !(atEnd && page.moreAfter);
  }

  /** Starts over at the newest messages. */
  async latest() {
    const reset = ++this.resets;
    const page = await api.threadPage(this.threadId, "latest", null, PAGE);
    if (reset !== this.resets) return;
    this.replace(page);
    this.generation++;
  }

  /** A reply just written here, shown at once when the newest messages are held. */
  addOwn(message: MessageView) {
    if (this.moreAfter) return;
    this.shift = false;
    this.messages = [...this.messages.filter((held) => held.id !== message.id), message];
  }

  /** Whether more messages are held than `trim` lets stay. */
  get overfull(): boolean {
    return this.messages.length > KEEP + SLACK;
  }

  /**
   * Once more than `KEEP + SLACK` are held, drops messages beyond `KEEP` from the end farther
   * from the rows on screen (`from`..`to`), so memory stays flat however far the reader scrolls.
   */
  trim(from: number, to: number) {
    if (!this.overfull) return;
    const extra = this.messages.length - KEEP;
    const above = from;
    const below = this.messages.length - 1 - to;
    if (above >= below) {
      const drop = Math.min(extra, Math.max(above - MARGIN, 0));
      if (drop === 0) return;
      this.shift = true;
      this.messages = this.messages.slice(drop);
      this.moreBefore = true;
    } else {
      const drop = Math.min(extra, Math.max(below - MARGIN, 0));
      if (drop === 0) return;
      this.shift = false;
      this.messages = this.messages.slice(0, this.messages.length - drop);
      this.moreAfter = true;
    }
  }

  private lastWithCursor(): ListedMessage | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) if (this.messages[i].cursor) return this.messages[i];
    return undefined;
  }
}
