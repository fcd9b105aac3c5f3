import type { Role } from './roles.ts';

/** A user as the services see it. `hashedPassword` never leaves the server (see http/schemas.ts). */
export interface User {
  id: string;
  email: string;
  username: string | null;
  fullName: string | null;
  hashedPassword: string | null;
  isActive: boolean;
  isVerified: boolean;
  role: Role;
  /** Has a second factor (a confirmed TOTP or a passkey): a login then needs a second step (src/mfa/). */
  mfaEnabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Lookup key for emails and usernames: unique in the database, compared without case. */
export const lookupKey = (s: string): string => s.normalize('NFC').toLowerCase();

/** Usernames are short handles without "@", so "username" at login is never ambiguous with an email. */
export const USERNAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{1,38}$';
