// A layer over the whole window, written inside something that moves its content (the
// virtualised list positions each row with a transform, which makes a fixed layer inside it fixed
// to the row instead of the window).

import type { Attachment } from "svelte/attachments";

/** Shows the element at the end of the page's body while it exists. Put it on an element inside
 * a wrapper that stays in place, so the framework still finds the wrapper where it left it. */
export const overWindow: Attachment<HTMLElement> = (node) => {
  document.body.appendChild(node);
  return () => node.remove();
};
