// Where the reader was: the team and person the app showed last, and the channel they had open
// in it. The app reopens there, as people expect, and starts reading that channel's threads
// while it reads the channel list, and both before the shell has said who is signed in.

import * as api from "./api";
import type { ChannelSummary, ThreadSummary } from "./api";

/** Where the channel the reader had open last is remembered, per team and person. */
const LAST_CHANNEL_KEY = "meridian.lastChannel.";
/** The team and person the app showed last, to start its reads before the shell says who. */
const LAST_PLACE_KEY = "meridian.lastPlace";

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** The remembered channel's threads, asked for now. */
export type EarlyThreads = { channelId: string; threads: Promise<ThreadSummary[]> };

/** The first screen's reads, started before the session is known (see {@link readEarly}). */
export type EarlyReads = { place: string; channels: Promise<ChannelSummary[]>; threads?: EarlyThreads };

export function earlyThreads(place: string): EarlyThreads | undefined {
  const channelId = stored(LAST_CHANNEL_KEY + place);
  if (channelId === null) return undefined;
  const threads = api.listThreads(channelId);
  // Read or dropped by `refreshChannels`; a channel gone meanwhile is not an error to show.
  threads.catch(() => {});
  return { channelId, threads };
}

/**
 * Starts reading the channels and the last channel's threads of the team and person shown last,
 * at once: the shell answers them as soon as it has resumed the session, alongside its answer
 * to who is signed in, rather than after the page has heard it and drawn the team. Nothing when
 * no team was shown on this computer; reads for another team or person are dropped unused.
 */
export function readEarly(): EarlyReads | undefined {
  const place = stored(LAST_PLACE_KEY);
  if (place === null) return undefined;
  const channels = api.listChannels();
  channels.catch(() => {});
  return { place, channels, threads: earlyThreads(place) };
}

/** Keeps `place` (a team and person) as the one shown last. */
export function rememberPlace(place: string) {
  try {
    localStorage.setItem(LAST_PLACE_KEY, place);
  } catch {
    // Not kept: the next start reads after the session is known.
  }
}

/** Keeps `channelId` as the channel open last at `place`. */
export function rememberChannel(place: string, channelId: string) {
  try {
    localStorage.setItem(LAST_CHANNEL_KEY + place, channelId);
  } catch {
    // Not kept: the app opens at the first channel next time.
  }
}
