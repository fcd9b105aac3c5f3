import { useEffect, useRef, type ReactNode } from 'react';
import { errorMessage } from '../messages.ts';

/**
 * An error, announced at once (role="alert") and focused, so keyboard and screen-reader users land on it.
 * `children` may add a way out (e.g. a link to ask for a new email).
 */
export function ErrorAlert({ error, children, focus = true }: { error: unknown; children?: ReactNode; focus?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error && focus) ref.current?.focus();
  }, [error, focus]);
  if (!error) return null;
  return (
    <div ref={ref} className="alert alert-error" role="alert" tabIndex={-1}>
      <p>{typeof error === 'string' ? error : errorMessage(error)}</p>
      {children}
    </div>
  );
}
