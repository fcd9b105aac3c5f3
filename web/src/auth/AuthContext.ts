import { createContext, useContext } from 'react';
import type { Credentials, MfaChallenge, User } from '../../../client/src/index.ts';

export type AuthState =
  | { status: 'loading' }
  /** `ended`: the user was signed in and the session ended (logged out elsewhere, revoked, expired). */
  | { status: 'anonymous'; ended: boolean }
  | { status: 'signed-in'; user: User };

/** A password sign-in: done, or waiting for the second step (the /mfa page). */
export type SignIn = { status: 'signed-in'; user: User | null } | { status: 'mfa-required'; challenge: MfaChallenge };

export interface Auth {
  state: AuthState;
  user: User | null;
  /** Re-reads the current user (GET /users/me): a role change or a revoked session shows at once. */
  reload(): Promise<User | null>;
  login(credentials: Credentials): Promise<SignIn>;
  logout(): Promise<void>;
  /** Ends every session of the user, this one included. */
  logoutEverywhere(): Promise<void>;
  /** After the user changed their own profile. */
  setUser(user: User): void;
}

export const AuthContext = createContext<Auth | null>(null);

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside <AuthProvider>');
  return auth;
}
