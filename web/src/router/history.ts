// The browser's history as an external store: one source of truth for the current location.
const EVENT = 'gatehouse:navigate';
let navigations = 0;
/** A message for the page reached by navigation number `at` (read, not consumed: React may render twice). */
let flash: { at: number; text: string } | undefined;

export function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(EVENT, onChange);
  };
}

/** The location, and which navigation led to it (clicking a link to the current page is a navigation too). */
export const snapshot = (): string => `${navigations} ${window.location.pathname}${window.location.search}`;

/** Client-side navigation. `notice`: a message the next page shows once (e.g. "User deleted"). */
export function navigate(to: string, opts: { replace?: boolean; notice?: string } = {}): void {
  navigations++;
  flash = opts.notice ? { at: navigations, text: opts.notice } : undefined;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(EVENT));
}

/** The notice left by the navigation that led to the current page, if any. */
export const currentNotice = (): string | undefined => (flash && flash.at === navigations ? flash.text : undefined);

/** How many in-app navigations happened (0 on the first page): focus moves only after a navigation. */
export const navigationCount = (): number => navigations;

if (typeof window !== 'undefined') window.addEventListener('popstate', () => { navigations++; });
