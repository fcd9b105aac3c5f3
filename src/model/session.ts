import type { AuthMethod } from './authentication.ts';

/** A login: what an access token's `sid` points at. Ending it ends every token issued for it. */
export interface Session {
  id: string;
  userId: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  revokedAt: string | null;
  userAgent: string | null;
  ip: string | null;
  /** How the user proved themselves (RFC 8176); empty for sessions opened before it was recorded. */
  amr: AuthMethod[];
  /** When the user last proved themselves (login or re-authentication), ISO 8601. */
  authTime: string;
}
