// Reading a thread ahead of the click that opens it: people rest the pointer on what they are
// about to open, and press it a little before they let go.

import type { Attachment } from "svelte/attachments";
import type { Workspace } from "./workspace.svelte";

/** How long the pointer or focus rests on a thread before it is read: long enough that sweeping
 * across a list reads nothing. */
export const REST_MS = 60;

/** Reads `threadId` ahead when the pointer or focus rests on the element, or the pointer is
 * pressed on it. */
export function readsAhead(workspace: Workspace, threadId: string): Attachment<HTMLElement> {
  return (node) => {
    let resting: ReturnType<typeof setTimeout> | undefined;
    const read = () => workspace.readAhead(threadId);
    const rest = () => {
      clearTimeout(resting);
      resting = setTimeout(read, REST_MS);
    };
    const moveOn = () => clearTimeout(resting);
    const listeners: [string, () => void][] = [
      ["pointerenter", rest],
      ["focus", rest],
      ["pointerleave", moveOn],
      ["blur", moveOn],
      ["pointerdown", read],
    ];
    for (const [type, listener] of listeners) node.addEventListener(type, listener);
    return () => {
      moveOn();
      for (const [type, listener] of listeners) node.removeEventListener(type, listener);
    };
  };
}
