// The one place the UI talks to the Rust shell: every Tauri command and event, typed.
// Argument names are camelCase; Tauri converts them to the commands' snake_case parameters.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

export type Person = {
  id: string;
  displayName: string;
  timeZone: string;
  role: string;
};

export type Team = { id: string; name: string };

export type SessionState =
  | { state: "setup" }
  | { state: "ready"; me: Person; team: Team; serverUrl: string; embedded: boolean };

export type ReadySession = Extract<SessionState, { state: "ready" }>;

export type ChannelSummary = {
  id: string;
  name: string;
  topic: string;
  private: boolean;
  /** A direct conversation, named after its people. */
  direct: boolean;
  threadCount: number;
  /** Messages by others not yet read. */
  unreadCount: number;
  /** Older messages are still on the team server: reaching the list's end loads them. */
  olderOnServer: boolean;
  /** Archived: readable and searchable, with nothing new posted in it. */
  archived: boolean;
  /** Who archived it (a person's id) and when; null where the team server did not record it. */
  archivedBy: string | null;
  archivedAt: number | null;
};

export type ThreadSummary = {
  id: string;
  channelId: string;
  title: string;
  authorName: string;
  replyCount: number;
  /** Unix milliseconds. */
  lastActivityAt: number;
  preview: string;
  /** Messages by others after my read cursor. */
  unreadCount: number;
  follow: FollowState;
};

export type FollowState = "following" | "muted" | "none";

export type MessageState = "sent" | "pending" | "rejected";

export type ReactionView = {
  emoji: string;
  count: number;
  /** Whether the signed-in person reacted with this emoji. */
  mine: boolean;
  people: string[];
};

/** A file on a message, or uploaded and waiting to be sent. */
export type AttachmentView = { blobId: string; name: string; size: number; mime: string };

export type MessageView = {
  id: string;
  authorId: string;
  authorName: string;
  authorTimeZone: string;
  /** The text as written (Markdown with tokens), for editing. */
  body: string;
  /** Rendered and sanitized by the shell; the only HTML the UI ever inserts. */
  bodyHtml: string;
  /** Unix milliseconds. */
  createdAt: number;
  state: MessageState;
  error?: string;
  edited: boolean;
  /** Written by the signed-in person. */
  mine: boolean;
  reactions: ReactionView[];
  attachments: AttachmentView[];
  /** The author asked for it to be notified now. */
  urgent: boolean;
};

/** What a reply carries besides its text, as chosen in the composer. */
/** A reply awaited from the first person mentioned: within some of their working minutes, and/or
 * a reminder at the end of their working day if none came. */
export type ReplyExpectation = { withinMinutes: number | null; nudge: boolean };

/** When a scheduled reply is to land: at the first recipient's next working start, or at an instant. */
export type Schedule = { theirMorning: true } | { at: number };

export type SendOptions = { urgent: boolean; expect?: ReplyExpectation | null; schedule?: Schedule | null };

/** A scheduled reply still to land, or one that failed and keeps its text. */
export type ScheduledReply = {
  messageId: string;
  threadId: string;
  channelId: string;
  threadTitle: string;
  channelName: string;
  /** The text as written (with tokens), for putting back into the composer. */
  body: string;
  urgent: boolean;
  /** Unix milliseconds. */
  deliverAt: number;
  /** "Thu 09:00" in the reader's zone (with the date when a week or more away). */
  when: string;
  state: "pending" | "failed";
  /** Whether the server holds it yet. */
  confirmed: boolean;
  error: string | null;
};

/** A person completed after "@" in the composer, as the text shows them. */
export type MentionChoice = { name: string; userId: string };

/** When one person would hear about a reply sent now. */
export type RecipientPreview = {
  id: string;
  name: string;
  timeZone: string;
  /** "now" or "09:00 Tue their time — in 7 h". */
  label: string;
  now: boolean;
};

/** Who hears about a reply and when; with "their morning", also when it lands. */
export type DeliveryPreview = {
  recipients: RecipientPreview[];
  /** `local`: "Wed 21:00" in the reader's zone; `there`: "Thu 09:00 Tokyo", the first morning. */
  lands: { at: number; local: string; there: string } | null;
};

/** A message in a thread window, with where it sits in the thread. */
export type ListedMessage = MessageView & {
  /** Asks for the messages before or after this one; missing on a reply just sent here. */
  cursor?: string;
};

/** Consecutive messages of a thread, in thread order. */
export type MessageWindow = {
  messages: ListedMessage[];
  moreBefore: boolean;
  moreAfter: boolean;
  /** Messages in the whole thread, as held here. */
  total: number;
  /** At the first message held: the thread's start is still on the team server. */
  startOnServer: boolean;
};

export type ThreadDetail = {
  id: string;
  channelId: string;
  channelName: string;
  title: string;
  /** Everyone who wrote in the thread, its author first. */
  people: { id: string; name: string }[];
  /** The messages around where the thread opened. */
  window: MessageWindow;
  /** The message the window was opened around (asked for, or the first unread); null: the newest. */
  anchorId: string | null;
  /** What the person was writing here when they left. */
  draft: string | null;
  follow: FollowState;
  /** Where reading resumes: the first message by someone else after my read cursor. */
  firstUnreadId: string | null;
  /** The newest message when the thread was opened, by its sequence from the server: opening
   * reads the thread through there, and a reply that comes in later stays unread. */
  newestSeq: number;
};

/** Which way a page is read from a cursor: `from` includes the cursor's own message. */
export type PageDirection = "before" | "after" | "from" | "latest";

export type CreateLocalTeamRequest = {
  teamName: string;
  displayName: string;
  email: string;
  password: string;
  timeZone: string;
  seedDemo: boolean;
};

export type JoinTeamRequest = {
  serverUrl: string;
  email: string;
  password: string;
  createAccount: boolean;
  displayName?: string;
  /** The invite an admin gave; servers without open sign-up require one for new accounts. */
  invite?: string;
  timeZone: string;
};

/** The shape every command rejects with. */
export type CommandError = { code: string; message: string };

/** `background`: only older messages arrived, loaded in the background (see `gatherBackground`);
 * `whole`: what changed is not named thread by thread, so lists are read whole. */
export type ChangedEvent = { channels: string[]; threads: string[]; background: boolean; whole: boolean };
export type OpenThreadEvent = { threadId: string; channelId: string; messageId: string | null };
export type SyncStatus = { online: boolean; pending: number };

export type ThreadHit = { threadId: string; channelId: string; channelName: string; titleHtml: string };

export type MessageHit = {
  messageId: string;
  threadId: string;
  channelId: string;
  channelName: string;
  authorName: string;
  /** Unix milliseconds. */
  createdAt: number;
  threadTitle: string;
  /** Escaped text with matched words in <mark>, built by the shell. */
  snippetHtml: string;
};

export type SearchResults = { threads: ThreadHit[]; messages: MessageHit[] };

/** Where a teammate is in their day, as the shell computes it. */
export type PersonCard = {
  id: string;
  displayName: string;
  timeZone: string;
  role: string;
  localTime: string;
  offset: string;
  working: boolean;
  status: string;
  hours: string;
  hoursAssumed: boolean;
  /** What they wrote on the time away they are in now. */
  awayNote: string | null;
};

/** Someone who could carry a thread on, soonest first. */
export type HandoffCandidate = { id: string; displayName: string; workingNow: boolean; when: string };

/** Working hours per weekday key (`mon` … `sun`): `[start, end]` spans as `HH:MM`. */
export type Week = Record<string, [string, string][]>;

/** Time away as whole local days, both included (`YYYY-MM-DD`). */
export type AwayDays = { firstDay: string; lastDay: string; note: string };

/** The signed-in person's own profile, as the profile dialog edits it. */
export type MyProfile = {
  displayName: string;
  timeZone: string;
  week: Week;
  hoursAssumed: boolean;
  holidays: string[];
  away: AwayDays[];
  /** Unix milliseconds, while notifications are paused. */
  doNotDisturbUntil: number | null;
  status: string;
  working: boolean;
};

export type ProfileChange = {
  displayName: string;
  timeZone: string;
  week: Week;
  holidays: string[];
  away: AwayDays[];
};

export type Pause = { pause: "for"; minutes: number } | { pause: "untilNextWorkday" } | { pause: "off" };

/** A write still waiting, or refused and not yet dealt with. */
export type OutboxItem = {
  seq: number;
  kind: string;
  summary: string;
  state: "queued" | "rejected";
  attempts: number;
  error: string | null;
  writtenAt: number;
  /** A reply or a new thread still waiting, which may be taken back. */
  withdrawable: boolean;
};

export const sessionState = () => invoke<SessionState>("session_state");
export const appNow = () => invoke<number>("app_now");
export const firstScreenPainted = (at: number, pageOrigin: number, screen: "welcome" | "team") =>
  invoke<void>("first_screen_painted", { at, pageOrigin, screen });
export const setHourCycle = (twelveHour: boolean) => invoke<void>("set_hour_cycle", { twelveHour });

export const createLocalTeam = (request: CreateLocalTeamRequest) =>
  invoke<SessionState>("create_local_team", { request });

export const joinTeam = (request: JoinTeamRequest) =>
  invoke<SessionState>("join_team", { request });

export const signOut = () => invoke<void>("sign_out");

export const listChannels = () => invoke<ChannelSummary[]>("list_channels");

/** Threads a channel's list shows at first, and how many more each time its end is reached. */
export const THREAD_PAGE = 100;
/** The most threads one read of a list answers (the shell's `MAX_LISTED_THREADS`). */
export const MAX_LISTED_THREADS = 20_000;

/** Where a page of a channel's list goes on from: the last thread listed so far. */
export interface ListedAfter {
  lastActivityAt: number;
  threadId: string;
}

/** A channel's `limit` most recently active threads, newest first; with `after`, the `limit` that
 * come after that thread in the same order. */
export const listThreads = (channelId: string, limit = THREAD_PAGE, after: ListedAfter | null = null) =>
  invoke<ThreadSummary[]>("list_threads", { channelId, limit, after });

/** How a channel's list shows these threads now, in its order (those gone from it are left out). */
export const listedThreads = (channelId: string, threadIds: string[]) =>
  invoke<ThreadSummary[]>("listed_threads", { channelId, threadIds });

/** Opens a thread around a message if given, else at the first unread, else at the newest. */
export const openThread = (threadId: string, atMessage: string | null = null) =>
  invoke<ThreadDetail>("open_thread", { threadId, atMessage });

/** Loads a channel's older messages until a screenful more of its threads is here. */
export const loadOlderThreads = (channelId: string) =>
  invoke<{ added: number; olderOnServer: boolean }>("load_older_threads", { channelId });

/** Loads older messages until the thread's start is here; answers whether it is still on the server. */
export const loadThreadStart = (threadId: string) => invoke<boolean>("load_thread_start", { threadId });

/** The next window of a thread; `latest` needs no cursor. */
export const threadPage = (threadId: string, direction: PageDirection, cursor: string | null, limit: number) =>
  invoke<MessageWindow>("thread_page", { threadId, direction, cursor, limit });

/** Starts a thread with its opening post; answers the new thread's id. */
export const startThread = (channelId: string, title: string, body: string, mentions: MentionChoice[] = []) =>
  invoke<string>("start_thread", { channelId, title, body, mentions });

/** Who a new thread's first post would notify, and when. */
export const newThreadPreview = (channelId: string, mentions: string[] = []) =>
  invoke<DeliveryPreview>("new_thread_preview", { channelId, mentions });

/** What is typed for a new thread in a channel, kept until it is posted. */
export type NewThreadDraft = { title: string; body: string };

export const newThreadDraft = (channelId: string) => invoke<NewThreadDraft>("new_thread_draft", { channelId });

export const saveNewThreadDraft = (channelId: string, draft: NewThreadDraft) =>
  invoke<void>("save_new_thread_draft", { channelId, title: draft.title, body: draft.body });

/** Opens the direct conversation with one person, or a group conversation with a few. */
export const openDirect = (userIds: string[]) => invoke<ChannelSummary>("open_direct", { userIds });

/** A channel's members as this device knows them, and what the reader may change. */
export type ChannelMembers = {
  members: Person[];
  member: boolean;
  mayJoin: boolean;
  mayLeave: boolean;
  mayAdd: boolean;
  /** Members the reader may take out (never the reader). */
  removable: string[];
  mayDescribe: boolean;
  /** The reader may archive the channel or bring it back (admins and owners). */
  mayArchive: boolean;
};

export const channelMembers = (channelId: string) => invoke<ChannelMembers>("channel_members", { channelId });
export const joinChannel = (channelId: string) => invoke<void>("join_channel", { channelId });
export const leaveChannel = (channelId: string) => invoke<void>("leave_channel", { channelId });
export const addChannelMembers = (channelId: string, userIds: string[]) =>
  invoke<void>("add_channel_members", { channelId, userIds });
export const removeChannelMember = (channelId: string, userId: string) =>
  invoke<void>("remove_channel_member", { channelId, userId });

/** Queues a new name or topic for a channel; it shows once the team server has it. */
export const updateChannel = (channelId: string, change: { name?: string; topic?: string }) =>
  invoke<void>("update_channel", { channelId, ...change });

/** Archives a channel, or brings it back; it shows once the team server has it. */
export const archiveChannel = (channelId: string, archived: boolean) =>
  invoke<void>("archive_channel", { channelId, archived });

export type NewChannel = { name: string; topic: string; private: boolean; members: string[] };

export const createChannel = (channel: NewChannel) => invoke<ChannelSummary>("create_channel", channel);

export const sendReply = (
  threadId: string,
  body: string,
  mentions: MentionChoice[] = [],
  attachments: AttachmentView[] = [],
  options: SendOptions = { urgent: false },
) => invoke<MessageView>("send_reply", { threadId, body, mentions, attachments, ...options });

/** Uploads a file's bytes; progress arrives as `meridian://upload-progress` events for `uploadId`. */
export const uploadAttachment = (uploadId: string, file: File, bytes: ArrayBuffer) =>
  invoke<AttachmentView>("upload_attachment", new Uint8Array(bytes), {
    headers: { "x-file-name": encodeURIComponent(file.name), "x-file-type": file.type, "x-upload-id": uploadId },
  });

/** Saves a message's file to the downloads folder; resolves with where it went. */
/** A picture attachment's bytes, checked by the shell to be PNG, JPEG, GIF or WebP. */
export const attachmentPreview = (blobId: string) => invoke<ArrayBuffer>("attachment_preview", { blobId });

export const saveAttachment = (blobId: string, name: string) =>
  invoke<string>("save_attachment", { blobId, name });

export type UploadProgressEvent = { upload: string; heldBytes: number; totalBytes: number };

export const onUploadProgress = (handler: (progress: UploadProgressEvent) => void): Promise<UnlistenFn> =>
  listen<UploadProgressEvent>("meridian://upload-progress", (event) => handler(event.payload));

export const editMessage = (messageId: string, body: string, mentions: MentionChoice[] = []) =>
  invoke<void>("edit_message", { messageId, body, mentions });

export const deleteMessage = (messageId: string) => invoke<void>("delete_message", { messageId });

/** One text a message had: the current one first, then each earlier one with when it was replaced. */
export type MessageVersion = { bodyHtml: string; replacedAt: number | null };
/** A message's texts; `complete` is false when the server was not reachable and only the texts
 * this device saw replaced are listed. */
export type MessageHistory = { versions: MessageVersion[]; complete: boolean };

/** Asks the team server for a message's edit history, or, when it is not reachable, what this
 * device knows of it; rejects with code `offline` when it knows nothing of the message. */
export const messageHistory = (messageId: string) => invoke<MessageHistory>("message_history", { messageId });

/** An open invite to the team, as owners and admins see it. */
export type Invite = {
  id: string;
  role: InviteRole;
  /** Who made it, by name. */
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  singleUse: boolean;
  /** Sign-ups made with it so far. */
  uses: number;
};

export type InviteRole = "owner" | "admin" | "member" | "guest";

/** Makes an invite on the team server; the link is shown this once. */
export const createInvite = (request: { role: InviteRole; expiresInDays: number; singleUse: boolean }) =>
  invoke<{ invite: Invite; link: string }>("create_invite", { request });
export const listInvites = () => invoke<Invite[]>("list_invites");
export const revokeInvite = (inviteId: string) => invoke<void>("revoke_invite", { inviteId });
/** A place the signed-in person is signed in, as the team server knows it. */
export type Device = { id: string; app: string; signedInAt: number; lastSeenAt: number; current: boolean };
export const signedInDevices = () => invoke<Device[]>("signed_in_devices");
export const signOutDevice = (deviceId: string) => invoke<void>("sign_out_device", { deviceId });
/** Signs out everywhere but here; answers how many devices were signed out. */
export const signOutOtherDevices = () => invoke<number>("sign_out_other_devices");

/** Gives a person another role on the team server; answers them with it. */
export const changeRole = (userId: string, role: InviteRole) => invoke<Person>("change_role", { userId, role });

export const setReaction = (messageId: string, emoji: string, present: boolean) =>
  invoke<void>("set_reaction", { messageId, emoji, present });

export const saveDraft = (threadId: string, body: string) =>
  invoke<void>("save_draft", { threadId, body });

export const deliveryPreview = (threadId: string, mentions: string[] = [], urgent = false, theirMorning = false) =>
  invoke<DeliveryPreview>("delivery_preview", { threadId, mentions, urgent, theirMorning });

/** Queues a reply for the server to post later; shown in the scheduled list at once. */
export const scheduleReply = (
  threadId: string,
  body: string,
  schedule: Schedule,
  mentions: MentionChoice[] = [],
  attachments: AttachmentView[] = [],
  urgent = false,
) =>
  invoke<ScheduledReply>("schedule_reply", {
    threadId,
    body,
    mentions,
    attachments,
    urgent,
    ...("at" in schedule ? { deliverAt: schedule.at } : { theirMorning: true }),
  });

export const scheduledReplies = (threadId: string | null = null) =>
  invoke<ScheduledReply[]>("scheduled_replies", { threadId });

/** Withdraws a scheduled reply; resolves with its text. */
export const cancelScheduled = (messageId: string) => invoke<string>("cancel_scheduled", { messageId });

/** Puts away a failed scheduled reply, on every device; resolves with its text. */
export const dismissScheduled = (messageId: string) => invoke<string>("dismiss_scheduled", { messageId });

/** Sends a failed scheduled reply now, as an ordinary reply; resolves with it as the thread shows it. */
export const sendScheduledNow = (messageId: string) => invoke<MessageView>("send_scheduled_now", { messageId });

export const syncStatus = () => invoke<SyncStatus>("sync_status");

export const inbox = () => invoke<ThreadSummary[]>("inbox");

/** `at`: an instant the reader chose, given as `at` to {@link snoozeThread}. */
export type SnoozeUntil = "later" | "morning" | "next_week" | "at";

export const snoozeThread = (threadId: string, until: SnoozeUntil, at?: number) =>
  invoke<number>("snooze_thread", { threadId, until, at: at ?? null });

/** Marks a thread read through its newest message, or through `seenThrough` (the `newestSeq` it
 * was opened with) and no further. */
export const markThreadRead = (threadId: string, seenThrough?: number) =>
  invoke<number>("mark_thread_read", { threadId, seenThrough });

export const setThreadFollow = (threadId: string, follow: FollowState) =>
  invoke<void>("set_thread_follow", { threadId, follow });

export const outbox = () => invoke<OutboxItem[]>("outbox");
export const retryWrite = (seq: number) => invoke<void>("retry_write", { seq: String(seq) });
export const discardWrite = (seq: number) => invoke<void>("discard_write", { seq: String(seq) });
/** Takes back a reply or a new thread still waiting to be sent. */
export const withdrawWrite = (seq: number) => invoke<void>("withdraw_write", { seq: String(seq) });
/** Tries the server again at once for the writes waiting to be sent, rather than after its pause. */
export const sendQueuedNow = () => invoke<void>("send_queued_now");

export const search = (query: string) => invoke<SearchResults>("search", { query });

export const personCard = (userId: string) => invoke<PersonCard>("person_card", { userId });

export const handoffCandidates = (threadId: string) =>
  invoke<HandoffCandidate[]>("handoff_candidates", { threadId });

export const myProfile = () => invoke<MyProfile>("my_profile");
export const updateProfile = (change: ProfileChange) => invoke<MyProfile>("update_profile", { change });
export const pauseNotifications = (pause: Pause) => invoke<MyProfile>("pause_notifications", { pause });

export const listPeople = () => invoke<Person[]>("list_people");

export const onChanged = (handler: (change: ChangedEvent) => void): Promise<UnlistenFn> =>
  listen<ChangedEvent>("meridian://changed", (event) => handler(event.payload));

export const onOpenThread = (handler: (target: OpenThreadEvent) => void): Promise<UnlistenFn> =>
  listen<OpenThreadEvent>("meridian://open-thread", (event) => handler(event.payload));

export const onOpenInbox = (handler: () => void): Promise<UnlistenFn> =>
  listen("meridian://open-inbox", () => handler());

export const showUnread = (count: number) => invoke<void>("show_unread", { count });

/** The window is about to close; it waits for [closeWindow], or a short while. */
export const onClosing = (handler: () => void): Promise<UnlistenFn> => listen("meridian://closing", () => handler());

export const closeWindow = () => invoke<void>("close_window");

export const onSyncStatus = (handler: (status: SyncStatus) => void): Promise<UnlistenFn> =>
  listen<SyncStatus>("meridian://sync-status", (event) => handler(event.payload));

/**
 * A human message for anything a command rejected with. Commands reject with
 * `{ code, message }`; anything else (a string, an Error) is shown as best we can.
 */
export function errorMessage(error: unknown): string {
  if (typeof error === "string" && error.length > 0) return error;
  if (error && typeof error === "object" && "message" in error) {
    const message = (error as { message: unknown }).message;
    if (typeof message === "string" && message.length > 0) return message;
  }
  return "Something went wrong. Please try again.";
}
