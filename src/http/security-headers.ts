import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.ts';

/**
 * The security headers on every response, set before the route runs (so error answers carry them too). An API
 * answer is JSON, never a document, so it gets what OWASP's REST Security Cheat Sheet lists for one:
 * - `X-Content-Type-Options: nosniff`, so no browser reads a JSON answer as HTML or script;
 * - a Content-Security-Policy under which nothing may load, frame or run, and `X-Frame-Options: DENY` for browsers
 *   that predate `frame-ancestors`; no Referer; `Cross-Origin-Resource-Policy: same-origin`, so no other site can
 *   pull an answer into its process with a no-cors load (CORS requests from CORS_ORIGINS are not affected);
 * - HSTS when PUBLIC_URL is https (one year, this host only: whether subdomains are https too is the operator's to say);
 * - `Cache-Control: no-store` (RFC 9111 §5.2.2.5): users, sessions, tokens, the audit log and their 401/403/404 answers
 *   are never kept by a browser or a shared cache. A route meant to be cached sets its own Cache-Control, which
 *   replaces this default: the JWKS (60 s), the web app's files (spa.ts) and Swagger UI's static files.
 * The two HTML pages add the headers a document needs: the web app (spa.ts, SPA_HEADERS) and Swagger UI at /docs
 * (docs.ts, DOCUMENT_HEADERS), each with its own CSP.
 *
 * Written as one constant object, not with @fastify/helmet: measured on GET /users/me (50 connections, alternating
 * 4-second rounds, same machine), helmet's dozen middlewares per request gave 0.70–0.83 of this hook's throughput, and
 * its document headers on every JSON answer nearly doubled the bytes each response writes (writeUtf8String was 27 %
 * of the event loop's time). test/http/security-headers.test.ts checks every header.
 */
export function securityHeaders(config: Pick<Config, 'publicUrl'>): Readonly<Record<string, string>> {
  return Object.freeze({
    'content-security-policy': "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
    ...(config.publicUrl.startsWith('https:') ? { 'strict-transport-security': 'max-age=31536000' } : {}),
    'cache-control': 'no-store',
  });
}

/** What an HTML page adds to the API's headers (its own CSP comes with it): a window of its own, no cross-origin opener. */
export const DOCUMENT_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
});

export function installSecurityHeaders(app: FastifyInstance, config: Config): void {
  const headers = securityHeaders(config);
  app.addHook('onRequest', (_req, reply, done) => {
    reply.headers(headers);
    done();
  });
}
