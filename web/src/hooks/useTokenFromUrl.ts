import { useState, useEffect } from 'react';

/**
 * The `token` of a link from an email (?token=…), read once and then removed from the address bar, so it does not
 * stay in the history, a screenshot or a bookmark. (The SPA is served with Referrer-Policy: no-referrer.)
 */
export function useTokenFromUrl(): string | null {
  const [token] = useState(() => new URLSearchParams(window.location.search).get('token'));
  useEffect(() => {
    const url = new URL(window.location.href);
    if (url.searchParams.has('token')) {
      url.searchParams.delete('token');
      window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
    }
  }, []);
  return token;
}
