// A channel's thread list as the page holds it: a run of threads from the top of the list, in
// its order (most recently active first; among threads active at the same moment, the greater
// id first, as the local store orders them).

import * as api from "./api";
import type { ThreadSummary } from "./api";

/** Whether `a` comes before `b` in a channel's list (negative), after it (positive), or is it. */
export function listOrder(a: ThreadSummary, b: ThreadSummary): number {
  if (a.lastActivityAt !== b.lastActivityAt) return b.lastActivityAt - a.lastActivityAt;
  return a.id === b.id ? 0 : a.id < b.id ? 1 : -1;
}

/**
 * The run held after threads `changed` changed, `fresh` being how the channel's list shows them
 * now (a thread missing from it is no longer in the channel). The run covered every thread down
 * to its last one; the others keep their places, since only a change moves a thread. A changed
 * thread goes where it now belongs if that is within the run, and leaves the run if it now comes
 * after its end: it is read again with the page after.
 */
export function withChanges(held: ThreadSummary[], changed: Set<string>, fresh: ThreadSummary[]): ThreadSummary[] {
  const end = held.at(-1);
  if (end === undefined) return fresh;
  const kept = held.filter((thread) => !changed.has(thread.id));
  const within = fresh.filter((thread) => listOrder(thread, end) <= 0);
  return [...kept, ...within].sort(listOrder);
}

/** Up to this many threads listed, a change reads the whole list again: a few milliseconds. */
const REREAD_WHOLE_UP_TO = 2 * api.THREAD_PAGE;
/** The most threads one read of changed threads names (the shell's `MAX_NAMED_THREADS`). */
const MAX_CHANGED_READ = 1_000;

/**
 * The selected channel's thread list: the run read so far, how it is read again after a change,
 * and the page after its end. Each whole read takes a ticket; an answer is used only if no newer
 * whole read began, so quick clicks never show a stale channel.
 */
export class ChannelThreads {
  value = $state.raw<ThreadSummary[]>([]);
  loading = $state(false);
  error = $state<string | null>(null);
  /** The list's end row: reading a page more, or why it could not (kept here, since the row is
   * put in and out of the page as the list scrolls). */
  listingMore = $state(false);
  listMoreError = $state<string | null>(null);

  /** How many threads a whole read asks for; grows as the end is reached. */
  private limit = api.THREAD_PAGE;
  private ticket = 0;
  /** Threads changes named that the list has not read again yet (see `refresh`). */
  private changed = new Set<string>();
  private changedReading: Promise<void> | null = null;
  private wholeReading: Promise<void> | null = null;
  /** Counts changes merged into the list, so a page read meanwhile is not added after a stale end. */
  private merges = 0;
  /** The list holds the channel's last thread on this device (a read came back short). */
  ended = false;

  /** `selected` answers which channel the list is of: the workspace's selected one. */
  constructor(private readonly selected: () => string | null) {}

  /** Starts over, empty, for the channel selected now (or none). */
  showChannel() {
    this.value = [];
    this.loading = this.selected() !== null;
    this.error = null;
    this.limit = api.THREAD_PAGE;
    this.changed.clear();
    this.ended = false;
    this.listingMore = false;
    this.listMoreError = null;
  }

  /** Shows `threads`, the channel's first page asked for at start; read anew if that failed. */
  async showEarly(threads: Promise<ThreadSummary[]>) {
    this.showChannel();
    const ticket = ++this.ticket;
    try {
      const value = await threads;
      if (ticket === this.ticket) this.show(value, value.length < this.limit);
    } catch {
      if (ticket === this.ticket) await this.refresh();
    }
  }

  /**
   * Reads the list again: the whole run held, or when `changed` names the threads a change
   * touched and the list holds more than `REREAD_WHOLE_UP_TO`, only those (the others keep their
   * places, see `withChanges`), so a change costs the same however far down the reader has gone.
   */
  refresh(changed?: Iterable<string>): Promise<void> {
    if (changed === undefined || this.value.length <= REREAD_WHOLE_UP_TO || this.error) return this.readWhole();
    for (const threadId of changed) this.changed.add(threadId);
    this.changedReading ??= this.readChanged().finally(() => (this.changedReading = null));
    return this.changedReading;
  }

  private readWhole(): Promise<void> {
    const reading = this.readWholeOnce();
    this.wholeReading = reading;
    return reading;
  }

  private async readWholeOnce() {
    const ticket = ++this.ticket;
    const channelId = this.selected();
    if (channelId === null) {
      this.loading = false;
      return;
    }
    try {
      const limit = Math.min(this.limit, api.MAX_LISTED_THREADS);
      const threads = await api.listThreads(channelId, limit);
      if (ticket === this.ticket) this.show(threads, threads.length < limit);
    } catch (error) {
      if (ticket === this.ticket) {
        this.loading = false;
        this.error = api.errorMessage(error);
      }
    }
  }

  private show(threads: ThreadSummary[], ended: boolean) {
    this.value = threads;
    this.loading = false;
    this.error = null;
    this.ended = ended;
  }

  /**
   * Reads the threads changes named, one read at a time (changes named meanwhile are read next,
   * together), each after any whole read under way: a later read never gives way to an earlier
   * answer.
   */
  private async readChanged() {
    while (this.changed.size > 0) {
      await this.wholeReading;
      const channelId = this.selected();
      const changed = new Set([...this.changed].slice(0, MAX_CHANGED_READ));
      for (const threadId of changed) this.changed.delete(threadId);
      const ticket = this.ticket;
      if (channelId === null) continue;
      try {
        const fresh = await api.listedThreads(channelId, [...changed]);
        // A whole read began meanwhile: it answers for these threads too.
        if (ticket !== this.ticket || channelId !== this.selected()) continue;
        this.value = withChanges(this.value, changed, fresh);
        this.limit = Math.max(this.limit, this.value.length);
        this.merges++;
      } catch {
        if (ticket === this.ticket) await this.readWhole();
      }
    }
  }

  /**
   * Reads the page of the channel's list after its last listed thread, by that thread's place
   * (however far down the list is), and adds it; answers how many more are listed. Older threads
   * loaded from the server come after every thread held before, so they are read the same way.
   */
  async pageAfterEnd(): Promise<number> {
    const channelId = this.selected();
    if (channelId === null) return 0;
    const held = this.value;
    const last = held.at(-1);
    const ticket = this.ticket;
    const merges = this.merges;
    const after = last ? { lastActivityAt: last.lastActivityAt, threadId: last.id } : null;
    const page = await api.listThreads(channelId, api.THREAD_PAGE, after);
    if (this.selected() !== channelId) return 0;
    this.limit = Math.max(this.limit, held.length + page.length);
    const current = this.value;
    if (ticket !== this.ticket || merges !== this.merges || current.at(-1)?.id !== last?.id) {
      // The list was read again or changed meanwhile: the page may hold threads as they were
      // before, so the list is read whole, with this page.
      await this.readWhole();
      return Math.max(this.value.length - held.length, 0);
    }
    const listed = new Set(current.map((thread) => thread.id));
    const added = page.filter((thread) => !listed.has(thread.id));
    this.show([...current, ...added], page.length < api.THREAD_PAGE);
    return added.length;
  }
}
