// How a channel is marked wherever it is named: a direct conversation by its people, a private
// channel by a lock, any other by "#".

import type { IconName } from "../components/Icon.svelte";
import type { Person } from "./api";
import { dayLabel } from "./time";

/** The icon for a channel; one not (or no longer) known here shows as a public one. */
export function channelIcon(channel: { direct: boolean; private: boolean } | undefined | null): IconName {
  if (channel?.direct) return "users";
  return channel?.private ? "lock" : "hash";
}

/**
 * Who archived a channel and on which day, in the reader's zone: "by Ines Duarte today", "by Ines
 * Duarte on Tuesday, 4 March". Null when the server did not record it, or the person is not known
 * here.
 */
export function archivedBy(
  channel: { archivedBy?: string | null; archivedAt?: number | null },
  people: Person[],
  zone: string,
  now: number,
): string | null {
  if (!channel.archivedBy || channel.archivedAt == null) return null;
  const person = people.find((known) => known.id === channel.archivedBy);
  if (!person) return null;
  const day = dayLabel(channel.archivedAt, zone, now);
  const when = day === "Today" || day === "Yesterday" ? day.toLowerCase() : `on ${day}`;
  return `by ${person.displayName} ${when}`;
}
