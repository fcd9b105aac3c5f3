import type { ReactNode } from 'react';
import type { User } from '../../../client/src/index.ts';
import { Loading } from '../components/Loading.tsx';
import { Redirect } from '../router/Redirect.tsx';
import { pathTo } from '../router/routes.ts';
import { useLocation } from '../router/useLocation.ts';
import { useAuth } from './AuthContext.ts';

/** Renders `children(user)` for a signed-in user; otherwise sends them to sign in, and back here afterwards. */
export function RequireUser({ children }: { children: (user: User) => ReactNode }) {
  const { state } = useAuth();
  const { href } = useLocation();
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'anonymous') {
    return <Redirect to={pathTo('login', {}, { next: href })} notice={state.ended ? 'Your session has ended. Please sign in again.' : undefined} />;
  }
  return <>{children(state.user)}</>;
}
