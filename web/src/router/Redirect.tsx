import { useEffect } from 'react';
import { navigate } from './history.ts';

/** Replaces the current entry with `to` (a redirect leaves no history entry behind). */
export function Redirect({ to, notice }: { to: string; notice?: string }) {
  useEffect(() => { navigate(to, { replace: true, notice }); }, [to, notice]);
  return null;
}
