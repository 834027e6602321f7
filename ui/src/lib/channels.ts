// How a channel is marked wherever it is named: a direct conversation by its people, a private
// channel by a lock, any other by "#".

import type { IconName } from "../components/Icon.svelte";

/** The icon for a channel; one not (or no longer) known here shows as a public one. */
export function channelIcon(channel: { direct: boolean; private: boolean } | undefined | null): IconName {
  if (channel?.direct) return "users";
  return channel?.private ? "lock" : "hash";
}
