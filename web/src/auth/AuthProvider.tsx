import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { isApiError, type Credentials, type User } from '../../../client/src/index.ts';
import { api, onSessionEnded } from '../api.ts';
import { AuthContext, type Auth, type AuthState, type SignIn } from './AuthContext.ts';

/** Holds who is signed in. The session itself lives in HttpOnly cookies; this only mirrors who they speak for. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'loading' });
  const signedIn = useRef(false);

  const apply = useCallback((user: User | null, ended = false) => {
    signedIn.current = user !== null;
    setState(user ? { status: 'signed-in', user } : { status: 'anonymous', ended });
  }, []);

  const reload = useCallback(async () => {
    const wasSignedIn = signedIn.current;
    try {
      // A page load asks without a 401 for a signed-out visitor (GET /auth/cookie/session); a session that ended
      // since the last look is still told apart by `ended`.
      const user = await api.currentUser();
      apply(user, user === null && wasSignedIn);
      return user;
    } catch (err) {
      if (isApiError(err, 'Unauthorized')) {
        apply(null, wasSignedIn);
        return null;
      }
      throw err; // offline or a server error: keep what we had
    }
  }, [apply]);

  useEffect(() => {
    reload().catch(() => apply(null));
    const off = onSessionEnded(() => { if (signedIn.current) apply(null, true); });
    const onFocus = () => { if (signedIn.current) reload().catch(() => {}); };
    window.addEventListener('focus', onFocus);
    return () => { off(); window.removeEventListener('focus', onFocus); };
  }, [reload, apply]);

  const login = useCallback(async (credentials: Credentials): Promise<SignIn> => {
    const result = await api.login(credentials);
    if (result.status === 'mfa-required') return result;
    return { status: 'signed-in', user: await reload() };
  }, [reload]);

  /** Signs out; a session that had already ended counts as signed out, any other failure keeps the user in. */
  const leave = useCallback(async (how: () => Promise<void>) => {
    try {
      await how();
    } catch (err) {
      if (!isApiError(err, 'Unauthorized')) throw err;
    }
    apply(null);
  }, [apply]);
  const logout = useCallback(() => leave(() => api.logout()), [leave]);
  const logoutEverywhere = useCallback(() => leave(() => api.logoutEverywhere()), [leave]);

  const value = useMemo<Auth>(() => ({
    state, user: state.status === 'signed-in' ? state.user : null, reload, login, logout, logoutEverywhere, setUser: (u: User) => apply(u),
  }), [state, reload, login, logout, logoutEverywhere, apply]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
