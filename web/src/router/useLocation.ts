import { useMemo, useSyncExternalStore } from 'react';
import { snapshot, subscribe } from './history.ts';
import { matchPath, type Match } from './routes.ts';

export interface Location extends Match {
  pathname: string;
  query: URLSearchParams;
  /** pathname + search */
  href: string;
  /** Counts in-app navigations: changes even when a link leads to the page already shown. */
  navigation: number;
}

export function useLocation(): Location {
  const snap = useSyncExternalStore(subscribe, snapshot, () => '0 /');
  return useMemo(() => {
    const space = snap.indexOf(' ');
    const href = snap.slice(space + 1);
    const url = new URL(href, 'http://spa.invalid');
    return { ...matchPath(url.pathname), pathname: url.pathname, query: url.searchParams, href, navigation: Number(snap.slice(0, space)) };
  }, [snap]);
}
