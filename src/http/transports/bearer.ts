import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TokenPair } from '../../manager/session-manager.ts';

/**
 * The bearer transport (RFC 6750 §2.1): the access token travels in `Authorization: Bearer <token>` and the
 * login answers it in the body. Tokens in the query string (§2.3) are not read: URLs end up in logs and history.
 */
export const bearerTransport = {
  name: 'bearer',

  read(req: FastifyRequest): string | undefined {
    const h = req.headers.authorization;
    if (!h) return undefined;
    const m = /^Bearer +([^\s]+) *$/i.exec(h); // the auth-scheme is case-insensitive (RFC 7235 §2.1)
    return m?.[1];
  },

  /**
   * fastapi-users' body plus refresh_token and expires_in (RFC 6749 §5.1). Token responses must not be cached:
   * `Cache-Control: no-store` is on every API answer (security-headers.ts); §5.1's `Pragma: no-cache` is added here.
   */
  loginResponse(reply: FastifyReply, pair: TokenPair) {
    reply.header('pragma', 'no-cache');
    return { access_token: pair.accessToken, token_type: 'bearer' as const, refresh_token: pair.refreshToken, expires_in: pair.expiresIn };
  },
};
