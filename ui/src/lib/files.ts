// How files on messages read in the UI: their sizes, and pictures drawn inline.

import { attachmentPreview, type AttachmentView } from "./api";

/** "512 B", "293 KB", "4.2 MB". */
export function sizeLabel(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Largest picture shown inline; the shell refuses bigger ones too. */
const MAX_PREVIEW_BYTES = 10 * 1024 * 1024;
const PICTURE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/** Whether a file is shown as a picture on its message. */
export function isPicture(file: AttachmentView): boolean {
  return PICTURE_TYPES.includes(file.mime) && file.size <= MAX_PREVIEW_BYTES;
}

// Pictures already drawn, by blob id, so scrolling back does not fetch them again. Bounded, oldest
// dropped first: a long thread of screenshots must not hold every one in memory.
const drawn = new Map<string, string>();
const DRAWN_KEPT = 24;
// Pictures being fetched, so two rows showing one picture share a single download.
const fetching = new Map<string, Promise<string>>();

/** A `data:` URL of a picture attachment (the only image source the app's CSP allows). */
export function pictureUrl(file: AttachmentView): Promise<string> {
  const known = drawn.get(file.blobId);
  if (known) return Promise.resolve(known);
  let pending = fetching.get(file.blobId);
  if (!pending) {
    pending = fetchPicture(file).finally(() => fetching.delete(file.blobId));
    fetching.set(file.blobId, pending);
  }
  return pending;
}

async function fetchPicture(file: AttachmentView): Promise<string> {
  const bytes = await attachmentPreview(file.blobId);
  const url = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(new Blob([bytes], { type: file.mime }));
  });
  drawn.set(file.blobId, url);
  if (drawn.size > DRAWN_KEPT) drawn.delete(drawn.keys().next().value as string);
  return url;
}
