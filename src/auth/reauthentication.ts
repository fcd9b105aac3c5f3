import { AppError } from '../errors.ts';

/**
 * RFC 9470 §3: the bearer challenge that asks the client to have the user authenticate again (more recently, or with
 * more factors). Sent with 403, not RFC 9470's 401: a client that treats any 401 as "signed out" would otherwise
 * discard a perfectly good session; the access token is valid, it is the authentication behind it that is too weak
 * or too old (RFC 6750 §3.1 lets a 403 carry a challenge, as for insufficient_scope). The client answers it with
 * POST /auth/reauthenticate, then retries.
 */
export function reauthenticationRequired(why: { maxAge?: number; mfa?: boolean }): AppError {
  const description = why.mfa ? 'A second factor is required' : 'A more recent authentication is required';
  const params = [`error="insufficient_user_authentication"`, `error_description="${description}"`];
  if (why.maxAge !== undefined) params.push(`max_age=${why.maxAge}`);
  return new AppError('REAUTHENTICATION_REQUIRED', { headers: { 'www-authenticate': `Bearer ${params.join(', ')}` } });
}

/** True when `authTime` (epoch seconds) is at most `maxAge` seconds before `now` (ms). */
export const isRecent = (authTime: number, maxAge: number, now = Date.now()): boolean => Math.floor(now / 1000) - authTime <= maxAge;
