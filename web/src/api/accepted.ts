/**
 * Whether the server accepted a change: a form empties itself only then, and keeps what was typed
 * after a refusal, whose message the page shows (usePageData's error).
 */
export const accepted = (change: Promise<unknown>): Promise<boolean> =>
  change.then(
    () => true,
    () => false,
  );
