// A stand-in for the Rust shell, for looking at the UI in a browser. Not part of the app build.
// It answers the same commands with made-up data and emits the same events.

import { emit } from "@tauri-apps/api/event";
import type {
  ChannelSummary,
  CommandError,
  Invite,
  MessageView,
  MessageWindow,
  Person,
  SessionState,
  ThreadDetail,
  ThreadSummary,
} from "../src/lib/api";

export type FakeOptions = { setup: boolean; offline: boolean; failAuth: boolean };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const people: Person[] = [
  { id: "p-sam", displayName: "Sam Rivera", timeZone: "Europe/London", role: "owner" },
  { id: "p-aiko", displayName: "Aiko Tanaka", timeZone: "Asia/Tokyo", role: "member" },
  { id: "p-priya", displayName: "Priya Raman", timeZone: "Asia/Kolkata", role: "admin" },
  { id: "p-lars", displayName: "Lars Becker", timeZone: "Europe/Berlin", role: "member" },
  { id: "p-maya", displayName: "Maya Cohen", timeZone: "America/New_York", role: "member" },
  { id: "p-diego", displayName: "Diego Alves", timeZone: "America/Sao_Paulo", role: "member" },
];
const me = people[0];
let invites: Invite[] = [];
const byName = (first: string) => people.find((p) => p.displayName.startsWith(first))!;

type Seed = { channel: string; title: string; posts: [string, number, string][] };

// [author first name, hours ago, body]
const seeds: Seed[] = [
  {
    channel: "general",
    title: "Q3 planning: proposals due Friday",
    posts: [
      ["Maya", 30, "Hi all — please drop your Q3 proposals in this thread by Friday.\n\nOne paragraph each: the problem, who it helps, and a rough size."],
      ["Aiko", 26, "Mine: offline search across clip transcripts. Helps anyone who catches up on the train.\nSize: ~3 weeks."],
      ["Lars", 20, "Fairer recurring meetings — rotate the 7 a.m. slot instead of always giving it to Tokyo."],
      ["Priya", 3, "+1 to Lars. I can pair on the slot finder."],
      ["Sam", 0.4, "Great list. I'll group these into themes before Friday's review."],
    ],
  },
  {
    channel: "general",
    title: "Welcome Diego to the team 👋",
    posts: [
      ["Sam", 50, "Please welcome Diego, who joins us from São Paulo as our second designer!"],
      ["Diego", 49, "Obrigado! Happy to be here. My mornings overlap with New York, evenings with nobody 😄"],
    ],
  },
  {
    channel: "general",
    title: "Office hours are moving to 15:00 UTC",
    posts: [["Lars", 170, "Starting next week, office hours move to 15:00 UTC so São Paulo can join before lunch."]],
  },
  {
    channel: "engineering",
    title: "Release 0.4 checklist",
    posts: [
      ["Priya", 8, "Checklist for 0.4:\n- migrations reviewed\n- outbox replay tested offline\n- notes drafted"],
      ["Aiko", 5, "Outbox replay passes on my machine, including the 3-day offline case."],
    ],
  },
  {
    channel: "engineering",
    title: "Flaky sync test on CI",
    posts: [["Lars", 28, "sync_converges_after_partition failed twice today. Seed printed in the log; looking now."]],
  },
  {
    channel: "design",
    title: "Dark mode feedback",
    posts: [
      ["Diego", 4, "Dark mode is in the nightly. Borders might be too faint on some screens — thoughts?"],
      ["Maya", 1.5, "Looks great on my monitor. The composer focus ring is lovely."],
    ],
  },
  {
    channel: "launch-plan",
    title: "Press embargo timeline",
    posts: [["Maya", 12, "Embargo lifts Tuesday 09:00 New York. Please don't share screenshots before then."]],
  },
];

const channels: ChannelSummary[] = [
  { id: "c-general", name: "general", topic: "Company-wide news and questions", private: false, direct: false, threadCount: 0, unreadCount: 0, olderOnServer: false, archived: false, archivedBy: null, archivedAt: null },
  { id: "c-engineering", name: "engineering", topic: "Builds, releases and the sync engine", private: false, direct: false, threadCount: 0, unreadCount: 0, olderOnServer: false, archived: false, archivedBy: null, archivedAt: null },
  { id: "c-design", name: "design", topic: "Critiques, specs and the design system", private: false, direct: false, threadCount: 0, unreadCount: 0, olderOnServer: false, archived: false, archivedBy: null, archivedAt: null },
  { id: "c-launch-plan", name: "launch-plan", topic: "Launch logistics — keep it in here", private: true, direct: false, threadCount: 0, unreadCount: 0, olderOnServer: false, archived: false, archivedBy: null, archivedAt: null },
  { id: "c-random", name: "random", topic: "", private: false, direct: false, threadCount: 0, unreadCount: 0, olderOnServer: false, archived: false, archivedBy: null, archivedAt: null },
];

let nextId = 1;
const newId = (prefix: string) => `${prefix}-${nextId++}`;

function message(author: Person, at: number, body: string, state: MessageView["state"] = "sent"): MessageView {
  return {
    id: newId("m"),
    authorId: author.id,
    authorName: author.displayName,
    authorTimeZone: author.timeZone,
    body,
    bodyHtml: `<p>${escapeHtml(body)}</p>`,
    createdAt: at,
    state,
    edited: false,
    mine: author.id === me.id,
    reactions: [],
    attachments: [],
    urgent: false,
  };
}

// The preview has no Rust renderer; it shows bodies as escaped text in one paragraph.
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A thread as the preview keeps it: every message, windows cut from them on request. */
type FakeThread = Omit<ThreadDetail, "window" | "people" | "anchorId" | "newestSeq"> & { messages: MessageView[] };

/** The window of messages `from`..`to` (exclusive); a message's cursor is its position. */
function windowOf(thread: FakeThread, from: number, to: number): MessageWindow {
  const start = Math.max(0, from);
  const end = Math.min(thread.messages.length, to);
  return {
    messages: thread.messages.slice(start, end).map((m, i) => ({ ...structuredClone(m), cursor: `s${start + i}` })),
    moreBefore: start > 0,
    moreAfter: end < thread.messages.length,
    total: thread.messages.length,
    startOnServer: false,
  };
}

function page(thread: FakeThread, direction: unknown, cursor: unknown, limit: number): MessageWindow {
  const at = Number(String(cursor ?? "").slice(1));
  const length = thread.messages.length;
  if (direction === "before") return windowOf(thread, at - limit, at);
  if (direction === "after") return windowOf(thread, at + 1, at + 1 + limit);
  if (direction === "from") return windowOf(thread, at, at + limit);
  return windowOf(thread, length - limit, length);
}

const threads: FakeThread[] = seeds.map((seed) => {
  const channel = channels.find((c) => c.name === seed.channel)!;
  return {
    id: newId("t"),
    channelId: channel.id,
    channelName: channel.name,
    title: seed.title,
    draft: null,
    follow: "none",
    firstUnreadId: null,
    messages: seed.posts.map(([who, hoursAgo, body]) => message(byName(who), Date.now() - hoursAgo * HOUR, body)),
  };
});
threads[3].messages.push({
  ...message(me, Date.now() - 2 * HOUR, "I'll take the release notes."),
  state: "rejected",
  error: "You no longer have permission to post in this channel.",
});

function summary(thread: FakeThread): ThreadSummary {
  const first = thread.messages[0];
  return {
    unreadCount: 0,
    follow: "none",
    id: thread.id,
    channelId: thread.channelId,
    title: thread.title,
    authorName: first?.authorName ?? "",
    replyCount: Math.max(0, thread.messages.length - 1),
    lastActivityAt: thread.messages.at(-1)?.createdAt ?? 0,
    preview: (thread.messages.at(-1)?.body ?? "").replace(/\s+/g, " ").slice(0, 160),
  };
}

const fail = (code: string, message: string): Promise<never> =>
  Promise.reject({ code, message } satisfies CommandError);

const later = <T>(value: T, ms = 250) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

export function fakeBackend(options: FakeOptions) {
  let signedIn = !options.setup;
  let pending = options.offline ? 3 : 0;
  const online = !options.offline;
  const ready = (): SessionState => ({
    state: "ready",
    me,
    team: { id: "team-1", name: "Northwind Labs" },
    serverUrl: "http://127.0.0.1:7420",
    embedded: true,
  });
  const status = () => void emit("meridian://sync-status", { online, pending });
  const findThread = (id: unknown) => threads.find((t) => t.id === id);

  setTimeout(status, 600);

  return (cmd: string, args: Record<string, unknown> = {}): Promise<unknown> => {
    switch (cmd) {
      case "session_state":
        return later(signedIn ? ready() : { state: "setup" }, 150);
      case "create_local_team":
      case "join_team":
        if (options.failAuth) return later(null, 900).then(() => fail("auth", "That email and password don't match an account on this server."));
        signedIn = true;
        setTimeout(status, 800);
        return later(ready(), 900);
      case "sign_out":
        signedIn = false;
        return later(null);
      case "list_channels":
        return later(
          channels.map((c) => ({ ...c, threadCount: threads.filter((t) => t.channelId === c.id).length })),
        );
      case "list_threads":
        return later(
          threads
            .filter((t) => t.channelId === args.channelId)
            .map(summary)
            .sort((a, b) => b.lastActivityAt - a.lastActivityAt),
        );
      case "open_thread": {
        const thread = findThread(args.threadId);
        if (!thread) return fail("not_found", "That thread no longer exists.");
        const { messages, ...header } = structuredClone(thread);
        const writers = new Map(messages.map((m) => [m.authorId, m.authorName]));
        const detail: ThreadDetail = {
          ...header,
          people: [...writers].map(([id, name]) => ({ id, name })),
          window: windowOf(thread, messages.length - 60, messages.length),
          newestSeq: messages.length,
          anchorId: null,
        };
        return later(detail, 120);
      }
      case "thread_page": {
        const thread = findThread(args.threadId);
        if (!thread) return fail("not_found", "That thread no longer exists.");
        return later(page(thread, args.direction, args.cursor, Number(args.limit)), 120);
      }
      case "send_reply": {
        const thread = findThread(args.threadId);
        if (!thread) return fail("not_found", "That thread no longer exists.");
        const body = String(args.body);
        if (body.includes("fail")) return later(null).then(() => fail("store", "Couldn't save your reply: the disk is full."));
        const sent = { ...message(me, Date.now(), body, "pending"), urgent: Boolean(args.urgent) };
        thread.messages.push(sent);
        pending += 1;
        status();
        if (online) {
          setTimeout(() => {
            sent.state = "sent";
            pending -= 1;
            status();
            void emit("meridian://changed", { channels: [thread.channelId], threads: [thread.id] });
          }, 1500);
          setTimeout(() => {
            thread.messages.push(message(byName("Aiko"), Date.now(), "Thanks — seen it. I'll follow up in my morning."));
            void emit("meridian://changed", { channels: [thread.channelId], threads: [thread.id] });
          }, 4000);
        }
        return later(structuredClone(sent), 80);
      }
      case "list_people":
        return later(people);
      case "inbox":
        return later([]);
      case "snooze_thread":
        return later(Date.now() + 3 * HOUR);
      case "mark_thread_read":
        return later(0);
      case "save_draft":
        return later(null);
      case "delivery_preview":
        return later(
          people
            .filter((p) => p.id !== me.id)
            .slice(0, 3)
            .map((p, i) => {
              const now = i === 0 || Boolean(args.urgent);
              return { id: p.id, name: p.displayName, timeZone: p.timeZone, now, label: now ? "now" : "09:00 Tue their time — in 7 h" };
            }),
        );
      case "sync_status":
        return later({ online, pending });
      case "list_invites":
        return later(structuredClone(invites));
      case "create_invite": {
        const request = args.request as { role: Invite["role"]; expiresInDays: number; singleUse: boolean };
        const now = Date.now();
        const invite: Invite = {
          id: `i-${now}`,
          role: request.role,
          createdBy: me.displayName,
          createdAt: now,
          expiresAt: now + request.expiresInDays * 24 * HOUR,
          singleUse: request.singleUse,
          uses: 0,
        };
        invites.push(invite);
        return later({ invite, link: `meridian://invite/preview${now.toString(16)}` }, 200);
      }
      case "revoke_invite":
        invites = invites.filter((invite) => invite.id !== args.inviteId);
        return later(null);
      default:
        return fail("unknown_command", `The preview has no command ${cmd}.`);
    }
  };
}
