import type { FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import type { Config } from '../config/config.ts';

/**
 * Security headers on every response, set by @fastify/helmet before the route runs (so error answers carry them too):
 * - `X-Content-Type-Options: nosniff`, so no browser reads a JSON answer as HTML or script;
 * - a Content-Security-Policy for an API: its JSON is no document, nothing may load, frame or run in it. The two
 *   HTML pages replace it with their own: the web app (spa.ts, SPA_HEADERS) and Swagger UI at /docs (staticCSP);
 * - no framing, no Referer, the cross-origin isolation headers (resources for this origin only: CORS requests from
 *   CORS_ORIGINS are not affected, CORP applies to no-cors loads), and HSTS when PUBLIC_URL is https.
 *
 * And `Cache-Control: no-store` on every response (RFC 9111 §5.2.2.5): users, sessions, tokens, the audit log and
 * their 401/403/404 answers are never kept by a browser or a shared cache. A route meant to be cached says so by
 * setting its own Cache-Control, which replaces this default: the JWKS (60 s), the web app's files (spa.ts) and
 * Swagger UI's static files. Everything else, /openapi.json and /healthz included, is cheap to fetch again.
 */
export async function installSecurityHeaders(app: FastifyInstance, config: Config): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"], frameAncestors: ["'none'"] },
    },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // One year, for this host only: whether subdomains are https too is the operator's to say.
    strictTransportSecurity: config.publicUrl.startsWith('https:') ? { maxAge: 31_536_000, includeSubDomains: false } : false,
  });
  app.addHook('onRequest', (_req, reply, done) => {
    reply.header('cache-control', 'no-store');
    done();
  });
}
