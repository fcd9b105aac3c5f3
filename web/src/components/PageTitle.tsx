import { useEffect, useRef } from 'react';
import { APP_NAME } from '../config.ts';
import { navigationCount } from '../router/history.ts';

/**
 * The page's <h1>, and its document title. After an in-app navigation focus moves here, so a screen reader
 * announces the new page and the next Tab starts from it (on the first page load focus is left alone).
 */
export function PageTitle({ children }: { children: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${children} · ${APP_NAME}`;
  }, [children]);
  useEffect(() => {
    if (navigationCount() > 0) ref.current?.focus();
  }, []);
  return <h1 ref={ref} tabIndex={-1} id="page-title">{children}</h1>;
}
