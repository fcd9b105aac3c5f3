import type { ReactNode } from 'react';

/** A success or information message, read out politely by screen readers (role="status"). */
export function Notice({ children, tone = 'success' }: { children: ReactNode; tone?: 'success' | 'info' }) {
  if (!children) return null;
  return <div className={`alert alert-${tone}`} role="status"><p>{children}</p></div>;
}
