// What the main screen shows: the channel list, the selected channel's threads and the open
// thread, kept fresh from the shell's events. It only calls commands and holds their results.

import * as api from "./api";
import type {
  ChangedEvent,
  ChannelSummary,
  MentionChoice,
  MessageView,
  Person,
  OpenThreadEvent,
  ScheduledReply,
  SearchResults,
  SyncStatus,
  ThreadDetail,
  ThreadSummary,
} from "./api";
import { type EarlyReads, type EarlyThreads, earlyThreads, rememberChannel, rememberPlace } from "./place";
import { ChannelThreads } from "./threadList.svelte";
import { ThreadWindow } from "./threadWindow.svelte";

/** How long a thread read ahead of its opening stays good to open from, unless it changes. */
const READ_AHEAD_FRESH_MS = 10_000;
/** How long older messages loaded in the background gather before the lists show them. */
const BACKGROUND_REFRESH_MS = 3_000;

/** Resolves once `count` more frames have been painted, or after `FRAMES_WAIT_MS` at most: a
 * hidden window paints no frames. */
function afterFrames(count: number): Promise<void> {
  return new Promise((resolve) => {
    const frame = (left: number) => requestAnimationFrame(() => (left > 1 ? frame(left - 1) : setTimeout(resolve)));
    frame(count);
    setTimeout(resolve, FRAMES_WAIT_MS);
  });
}
const FRAMES_WAIT_MS = 500;

/** A value loaded by a command, with the error of the last attempt. */
type Loaded<T> = { value: T; loading: boolean; error: string | null };

export class Workspace {
  channels = $state<Loaded<ChannelSummary[]>>({ value: [], loading: true, error: null });
  /** The selected channel's thread list. */
  readonly threads = new ChannelThreads(() => this.channelId);
  thread = $state<Loaded<ThreadDetail | null>>({ value: null, loading: false, error: null });
  /** The open thread's messages held in memory, a window at a time. */
  messages = $state<ThreadWindow | null>(null);
  /** A message to bring into view and mark when the thread opens (a search hit). */
  focusId = $state<string | null>(null);
  channelId = $state<string | null>(null);
  /** The inbox is shown in the middle pane instead of a channel's threads. */
  showingInbox = $state(false);
  inbox = $state<Loaded<ThreadSummary[]>>({ value: [], loading: false, error: null });
  /** The list of scheduled replies is shown in the middle pane instead of a channel's threads. */
  showingScheduled = $state(false);
  /** Every scheduled reply still to land, and failed ones, soonest first. */
  scheduled = $state<Loaded<ScheduledReply[]>>({ value: [], loading: false, error: null });
  threadId = $state<string | null>(null);
  /** The channel a new thread is being written in, shown in place of a thread. */
  composingIn = $state<string | null>(null);
  sync = $state<SyncStatus | null>(null);
  /** What the search field holds; a non-blank query shows results instead of the thread list. */
  searchQuery = $state("");
  searchResults = $state<Loaded<SearchResults>>({ value: { threads: [], messages: [] }, loading: false, error: null });
  searching = $derived(this.searchQuery.trim().length > 0);
  /** Everyone in the team, for @mention completion. */
  people = $state<Person[]>([]);

  selectedChannel = $derived(this.channels.value.find((c) => c.id === this.channelId) ?? null);
  /** Channels as the sidebar groups them: open channels, direct conversations, archived channels. */
  channelGroups = $derived({
    open: this.channels.value.filter((c) => !c.direct && !c.archived),
    direct: this.channels.value.filter((c) => c.direct),
    archived: this.channels.value.filter((c) => !c.direct && c.archived),
  });
  /** The selected channel has threads not listed yet: held here, or still on the team server. */
  moreThreads = $derived(
    this.selectedChannel !== null &&
      (this.selectedChannel.threadCount > this.threads.value.length || this.selectedChannel.olderOnServer),
  );

  // Each load takes a ticket; a response is used only if no newer load of the same kind began,
  // so quick clicks never show a stale channel or thread.
  private tickets = { thread: 0, search: 0 };
  /** A thread read ahead of its opening, while the pointer or focus rested on it. */
  private ahead: { threadId: string; at: number; answer: Promise<ThreadDetail> } | null = null;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  /** This screen has ended (signed out, or another team opened): events no longer apply. */
  private stopped = false;
  /** What older messages loaded in the background changed, not shown yet. */
  private background: { channels: Set<string>; threads: Set<string>; timer: ReturnType<typeof setTimeout> } | null =
    null;

  /**
   * `placeKey` names this team and person, under which the channel they had open last is kept:
   * the app reopens there, as people expect, and reads that channel's threads while it reads
   * the channel list, rather than after it.
   */
  constructor(private readonly placeKey: string) {
    rememberPlace(placeKey);
  }

  /**
   * Loads the channels and subscribes to the shell's events; returns the unsubscribe. `early`
   * are reads started before the session was known, used if they are for this team and person.
   */
  start(early?: EarlyReads): () => void {
    const subscriptions = [
      api.onChanged((change) => void this.applyChange(change)),
      api.onOpenThread((target) => void this.openFromNotification(target)),
      api.onSyncStatus((status) => {
        // A refused schedule or withdrawal is settled by a push, which changes no thread.
        if (status.pending !== this.sync?.pending) void this.refreshScheduled();
        this.sync = status;
      }),
      api.onOpenInbox(() => this.openInbox()),
    ];
    if (early && early.place === this.placeKey) void this.refreshChannels(early.threads, early.channels);
    else void this.refreshChannels(earlyThreads(this.placeKey));
    void this.refreshPeople();
    void this.refreshInbox();
    void this.refreshScheduled();
    // Snoozed threads come back on their own time, without any event.
    const snoozes = setInterval(() => void this.refreshInbox(), 60_000);
    // Status events sent before this screen subscribed are gone; ask for the latest once.
    api
      .syncStatus()
      .then((status) => (this.sync ??= status))
      .catch(() => {});
    return () => {
      this.stopped = true;
      clearInterval(snoozes);
      clearTimeout(this.background?.timer);
      this.background = null;
      for (const subscription of subscriptions) {
        subscription.then((unlisten) => unlisten()).catch(() => {});
      }
    };
  }

  async refreshInbox() {
    try {
      this.inbox = { value: await api.inbox(), loading: false, error: null };
      // The tray shows the same count; without a tray there is nothing to update.
      api.showUnread(this.inbox.value.length).catch(() => {});
    } catch (error) {
      this.inbox = { ...this.inbox, loading: false, error: api.errorMessage(error) };
    }
  }

  /** Shows the inbox in the middle pane. */
  openInbox() {
    this.showingInbox = true;
    this.showingScheduled = false;
    this.setSearch("");
    void this.refreshInbox();
  }

  async refreshScheduled() {
    try {
      this.scheduled = { value: await api.scheduledReplies(), loading: false, error: null };
    } catch (error) {
      this.scheduled = { ...this.scheduled, loading: false, error: api.errorMessage(error) };
    }
  }

  /** Shows every scheduled reply in the middle pane. */
  openScheduled() {
    this.showingScheduled = true;
    this.showingInbox = false;
    this.setSearch("");
    void this.refreshScheduled();
  }

  /** Withdraws a scheduled reply; resolves with its text, for "Edit". */
  async cancelScheduled(messageId: string): Promise<string> {
    const body = await api.cancelScheduled(messageId);
    await this.refreshScheduled();
    return body;
  }

  /** Puts away a failed scheduled reply; resolves with its text. */
  async dismissScheduled(messageId: string): Promise<string> {
    const body = await api.dismissScheduled(messageId);
    await this.refreshScheduled();
    return body;
  }

  /** Sends a failed scheduled reply now; it shows in its thread like a reply just sent. */
  async sendScheduledNow(reply: ScheduledReply) {
    const message = await api.sendScheduledNow(reply.messageId);
    await this.refreshScheduled();
    await this.showOwn(reply.threadId, message);
  }

  /** Opens a thread from the inbox, keeping the inbox in the middle pane. */
  async openFromInbox(channelId: string, threadId: string) {
    this.channelId = channelId;
    // The app reopens in the channel of the thread read last, however it was reached.
    rememberChannel(this.placeKey, channelId);
    await this.selectThread(threadId);
  }

  /** Done: marks a thread read without opening it, so it leaves the inbox until the next reply. */
  async markDone(threadId: string) {
    this.forgetReadAhead(threadId);
    await api.markThreadRead(threadId);
    await Promise.all([this.refreshInbox(), this.refreshChannels(), this.refreshThreads([threadId])]);
  }

  /** Puts a thread out of the inbox until later in this person's day, or until `at`. */
  async snooze(threadId: string, until: api.SnoozeUntil, at?: number) {
    await api.snoozeThread(threadId, until, at);
    await this.refreshInbox();
  }

  async setFollow(threadId: string, follow: api.FollowState) {
    this.forgetReadAhead(threadId);
    await api.setThreadFollow(threadId, follow);
    if (this.thread.value?.id === threadId) this.thread.value = { ...this.thread.value, follow };
    await Promise.all([this.refreshInbox(), this.refreshChannels(), this.refreshThreads([threadId])]);
  }

  async refreshPeople() {
    try {
      this.people = await api.listPeople();
    } catch {
      // Completion just offers nobody until the next change event.
    }
  }

  /**
   * Reads the channels; a channel no longer listed is left for the first one. `early` is the
   * remembered channel's threads, asked for at start alongside the list: taken if that channel is
   * still there (and still the reader's choice), dropped otherwise. `listed` is the list when it
   * was asked for already.
   */
  async refreshChannels(early?: EarlyThreads, listed?: Promise<ChannelSummary[]>) {
    try {
      const channels = await (listed ?? api.listChannels());
      this.channels = { value: channels, loading: false, error: null };
      if (early && this.channelId === null && channels.some((c) => c.id === early.channelId)) {
        this.channelId = early.channelId;
        await this.threads.showEarly(early.threads);
        return;
      }
      const stillThere = channels.some((c) => c.id === this.channelId);
      if (!stillThere) await this.selectChannel(channels[0]?.id ?? null);
    } catch (error) {
      this.channels = { ...this.channels, loading: false, error: api.errorMessage(error) };
    }
  }

  async selectChannel(channelId: string | null) {
    this.showingInbox = false;
    this.showingScheduled = false;
    this.composingIn = null;
    if (channelId !== this.channelId) {
      this.channelId = channelId;
      this.closeThread();
      this.threads.showChannel();
      if (channelId !== null) rememberChannel(this.placeKey, channelId);
    }
    await this.refreshThreads();
  }

  /** Reads the selected channel's list again: whole, or only the threads `changed` names (see
   * `ChannelThreads.refresh`). */
  refreshThreads(changed?: Iterable<string>): Promise<void> {
    return this.threads.refresh(changed);
  }

  /**
   * The list's end row asks for a page more (see `listMoreThreads`), once at a time; answers
   * whether it may go on asking while it stays in view: not after a pass that added nothing (a
   * server page of replies to threads already listed), nor after a failure, which waits for
   * "Try again".
   */
  async listMore(): Promise<boolean> {
    const list = this.threads;
    if (list.listingMore) return false;
    const channelId = this.channelId;
    list.listingMore = true;
    list.listMoreError = null;
    try {
      const added = await this.listMoreThreads();
      return added > 0 && this.moreThreads;
    } catch (failure) {
      if (channelId === this.channelId) list.listMoreError = api.errorMessage(failure);
      return false;
    } finally {
      if (channelId === this.channelId) list.listingMore = false;
    }
  }

  /**
   * The end of the selected channel's list was reached: lists a page more of its threads, those
   * held here first, then older ones read from the team server. Answers how many more are listed
   * now; rejects when they cannot be read.
   */
  private async listMoreThreads(): Promise<number> {
    const channel = this.selectedChannel;
    if (channel === null) return 0;
    if (channel.threadCount <= this.threads.value.length && channel.olderOnServer) {
      await api.loadOlderThreads(channel.id);
      // The channel's counts changed whichever channel is shown by now (the shell sends no
      // change event for this: the list reads what it needs here).
      await this.refreshChannels();
      if (this.channelId !== channel.id) return 0;
    }
    return this.threads.pageAfterEnd();
  }

  /** Shows the form for a new thread in the selected channel, in place of the open thread. */
  composeThread() {
    // Nothing new is posted in an archived channel.
    if (this.channelId === null || this.selectedChannel?.archived) return;
    this.composingIn = this.channelId;
    this.closeThread();
  }

  /** No thread open. */
  private closeThread() {
    this.threadId = null;
    this.thread = { value: null, loading: false, error: null };
    this.messages = null;
  }

  /** Starts the thread being written, then opens it; rejects with the command's error. */
  async startThread(title: string, body: string, mentions: api.MentionChoice[]) {
    const channelId = this.composingIn;
    if (channelId === null) return;
    const threadId = await api.startThread(channelId, title, body, mentions);
    // Shown in its own channel, wherever the reader went meanwhile.
    if (this.channelId !== channelId) await this.selectChannel(channelId);
    await this.refreshThreads([threadId]);
    await this.selectThread(threadId);
    void this.refreshChannels();
  }

  /**
   * Opens the direct conversation with one person or a few, ready for a first thread if it has
   * none.
   */
  async messagePeople(userIds: string[]) {
    const channel = await api.openDirect(userIds);
    await this.refreshChannels();
    await this.selectChannel(channel.id);
    if (this.threads.value.length === 0) this.composeThread();
  }

  /** Creates a channel and opens it, ready for its first thread. */
  async createChannel(asked: api.NewChannel) {
    const channel = await api.createChannel(asked);
    await this.refreshChannels();
    await this.selectChannel(channel.id);
    this.composeThread();
  }

  /** Opens a thread, around `atMessage` when given (else at the first unread, else the newest). */
  async selectThread(threadId: string, atMessage: string | null = null) {
    this.composingIn = null;
    if (threadId !== this.threadId) {
      this.threadId = threadId;
      this.thread = { value: null, loading: true, error: null };
      this.messages = null;
    }
    this.focusId = atMessage;
    await this.openThread(atMessage);
  }

  /**
   * Starts reading a thread the reader is about to open (the pointer rests on it, or is pressed
   * on it), so the click finds it read. Nothing changes until it is opened.
   */
  readAhead(threadId: string) {
    if (threadId === this.threadId || this.freshReadAhead(threadId)) return;
    const answer = api.openThread(threadId);
    // A failed read ahead is read again by the opening itself.
    answer.catch(() => undefined);
    this.ahead = { threadId, at: performance.now(), answer };
  }

  /** What was read ahead of `threadId`, while still fresh. */
  private freshReadAhead(threadId: string) {
    const ahead = this.ahead;
    return ahead?.threadId === threadId && performance.now() - ahead.at < READ_AHEAD_FRESH_MS ? ahead : null;
  }

  /** The answer read ahead for opening `threadId` at its usual place, taken once while fresh. */
  private takeReadAhead(threadId: string, atMessage: string | null): Promise<ThreadDetail> | null {
    const ahead = atMessage === null ? this.freshReadAhead(threadId) : null;
    this.ahead = null;
    return ahead?.answer ?? null;
  }

  /** Drops what was read ahead of `threadId` once it changed. */
  private forgetReadAhead(threadId: string) {
    if (this.ahead?.threadId === threadId) this.ahead = null;
  }

  /** Reads the open thread afresh: header and the window where it opens. */
  async openThread(atMessage: string | null = null) {
    const ticket = ++this.tickets.thread;
    const threadId = this.threadId;
    if (threadId === null) return;
    try {
      // User Timing marks, which the desktop bench reads to see where opening a thread goes.
      performance.mark("thread-open:asked");
      const ahead = this.takeReadAhead(threadId, atMessage);
      const detail = (ahead && (await ahead.catch(() => null))) || (await api.openThread(threadId, atMessage));
      performance.mark("thread-open:answered");
      if (ticket === this.tickets.thread) {
        this.messages = new ThreadWindow(threadId, detail.window);
        this.thread = { value: detail, loading: false, error: null };
        // Marking it read refreshes the inbox, the channels and the thread list, and syncs: work
        // that waits until the thread has been painted rather than delaying it. It reads through
        // the newest message as opened: a reply that came in meanwhile stays unread.
        void afterFrames(2).then(() => this.markSeen(threadId, detail.newestSeq));
      }
    } catch (error) {
      if (ticket === this.tickets.thread) {
        this.thread = { ...this.thread, loading: false, error: api.errorMessage(error) };
      }
    }
  }

  /** Reads again the messages of the open thread that are held, after a change to them. */
  async refreshThread() {
    const threadId = this.threadId;
    const messages = this.messages;
    if (threadId === null) return;
    if (!messages || messages.threadId !== threadId) return this.openThread();
    try {
      // More new replies than one read takes: show the newest rather than a gap.
      if (!(await messages.refresh())) await messages.latest();
      void this.markSeen(threadId);
    } catch (error) {
      this.thread = { ...this.thread, error: api.errorMessage(error) };
    }
  }

  /** The open thread has been seen: read through its newest message, or through `seenThrough`
   * when given, and the counts follow. */
  private async markSeen(threadId: string, seenThrough?: number) {
    try {
      await api.markThreadRead(threadId, seenThrough);
      await Promise.all([this.refreshInbox(), this.refreshChannels(), this.refreshThreads([threadId])]);
    } catch {
      // The mark is retried the next time the thread is opened.
    }
  }

  /** Sends a reply to the open thread and shows what the shell returned (usually "pending"), or
   * schedules it when the options say when. */
  async send(
    body: string,
    mentions: MentionChoice[] = [],
    attachments: api.AttachmentView[] = [],
    options: api.SendOptions = { urgent: false },
  ): Promise<MessageView | ScheduledReply> {
    const detail = this.thread.value;
    if (!detail) throw { code: "no_thread", message: "Open a thread to reply." };
    const { schedule, ...now } = options;
    if (schedule) {
      const scheduled = await api.scheduleReply(detail.id, body, schedule, mentions, attachments, now.urgent);
      await this.refreshScheduled();
      return scheduled;
    }
    const message = await api.sendReply(detail.id, body, mentions, attachments, now);
    await this.showOwn(detail.id, message);
    return message;
  }

  /** Shows a reply just written in `threadId` if that thread is open. */
  private async showOwn(threadId: string, message: MessageView) {
    const messages = this.messages;
    if (messages && messages.threadId === threadId) {
      // Reading older messages: go to the newest, where the reply is.
      if (messages.moreAfter) await messages.latest();
      else messages.addOwn(message);
    }
  }

  /** Searches as the person types, a moment after the last key. */
  setSearch(query: string) {
    this.searchQuery = query;
    clearTimeout(this.searchTimer);
    if (!this.searching) {
      this.searchResults = { value: { threads: [], messages: [] }, loading: false, error: null };
      return;
    }
    this.searchResults = { ...this.searchResults, loading: true };
    this.searchTimer = setTimeout(() => void this.runSearch(), 90);
  }

  private async runSearch() {
    const ticket = ++this.tickets.search;
    try {
      const results = await api.search(this.searchQuery);
      if (ticket === this.tickets.search) this.searchResults = { value: results, loading: false, error: null };
    } catch (error) {
      if (ticket === this.tickets.search) {
        this.searchResults = { ...this.searchResults, loading: false, error: api.errorMessage(error) };
      }
    }
  }

  /** Opens a search hit's thread at the message found, if any, keeping the results on screen. */
  async openHit(channelId: string, threadId: string, messageId: string | null = null) {
    if (channelId !== this.channelId) await this.selectChannel(channelId);
    await this.selectThread(threadId, messageId);
  }

  async edit(messageId: string, body: string, mentions: MentionChoice[] = []) {
    await api.editMessage(messageId, body, mentions);
    await this.refreshThread();
  }

  async remove(messageId: string) {
    await api.deleteMessage(messageId);
    await this.refreshThread();
  }

  async react(messageId: string, emoji: string, present: boolean) {
    await api.setReaction(messageId, emoji, present);
    await this.refreshThread();
  }

  private async applyChange(change: ChangedEvent) {
    if (change.background) return this.gatherBackground(change);
    await this.refreshAfter(new Set(change.channels), new Set(change.threads), false, change.whole);
  }

  /**
   * Older messages loaded in the background arrive a page every half second while a team's past
   * comes to this device; what they change is shown once they have gathered a while, so the
   * lists are not read again twice a second.
   */
  private gatherBackground(change: ChangedEvent) {
    // An event can still come in between the end of this screen and its listener going.
    if (this.stopped) return;
    this.background ??= {
      channels: new Set(),
      threads: new Set(),
      timer: setTimeout(() => void this.applyBackground(), BACKGROUND_REFRESH_MS),
    };
    for (const channelId of change.channels) this.background.channels.add(channelId);
    for (const threadId of change.threads) this.background.threads.add(threadId);
  }

  private async applyBackground() {
    if (this.background === null) return;
    const { channels, threads } = this.background;
    this.background = null;
    await this.refreshAfter(channels, threads, true);
  }

  /**
   * Reads again what shows these channels and threads. Older history (`history`) is no one's
   * profile or scheduled reply, and its threads come after every thread held before, so a
   * channel's list changes only if it shows the channel's end or a listed thread; the inbox may
   * gain a followed thread read on another device only up to some of its replies.
   */
  private async refreshAfter(channels: Set<string>, threads: Set<string>, history: boolean, whole = false) {
    const listEndShown = !history || this.threads.ended;
    const channelChanged = this.channelId !== null && channels.has(this.channelId) && listEndShown;
    const listedThreadChanged = this.threads.value.some((t) => threads.has(t.id));
    const openThreadChanged = this.threadId !== null && threads.has(this.threadId);
    for (const threadId of threads) this.forgetReadAhead(threadId);
    await Promise.all([
      this.refreshChannels(),
      history ? null : this.refreshPeople(),
      this.refreshInbox(),
      history ? null : this.refreshScheduled(),
      this.refreshListAfter(threads, { channelChanged, listedThreadChanged, history, whole }),
      openThreadChanged ? this.refreshThread() : null,
    ]);
  }

  private async refreshListAfter(
    threads: Set<string>,
    change: { channelChanged: boolean; listedThreadChanged: boolean; history: boolean; whole: boolean },
  ) {
    if (change.whole) return this.refreshThreads();
    if (!change.channelChanged && !change.listedThreadChanged) return;
    // A change to the channel alone (its name, its members, a thread's start loaded) may touch
    // any listed thread: the list is read whole.
    await this.refreshThreads(threads.size > 0 ? threads : undefined);
    // Older threads loaded in the background come after the list's end: a list that has reached
    // it shows them at once.
    if (change.history && change.channelChanged) await this.threads.pageAfterEnd().catch(() => 0);
  }

  private async openFromNotification(target: OpenThreadEvent) {
    if (target.channelId !== this.channelId) await this.selectChannel(target.channelId);
    await this.selectThread(target.threadId, target.messageId);
  }
}
