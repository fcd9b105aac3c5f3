import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { DOCUMENT_HEADERS } from './security-headers.ts';

/** Where `npm run build:web` puts the web app. */
export const WEB_DIST = join(import.meta.dirname, '..', '..', 'web', 'dist');

/**
 * Paths that belong to the API: a browser asking for an unknown one gets the API's JSON 404, not the web app.
 * (The web app's own pages never start with these: see web/src/router/routes.ts.)
 */
const API_PREFIXES = ['/auth/', '/users', '/admin/', '/.well-known/', '/docs', '/openapi.json', '/healthz', '/readyz', '/metrics', '/token'];

/**
 * Headers of the web app's page. The CSP allows only the app's own scripts, styles and API calls (the build has no
 * inline script or style); the page cannot be framed (clickjacking) and sends no Referer (reset and verification
 * links carry a token in their query string). Complete by itself: the page keeps them wherever it is mounted.
 */
export const SPA_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    + "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  ...DOCUMENT_HEADERS,
};

export interface SpaOptions {
  /** The built web app (default web/dist). */
  root?: string;
}

/**
 * Serves the built web app at / (from web/dist): its files as they are (hashed assets cached for a year), and
 * index.html for the app's own pages — any other GET that accepts text/html and is not an API path — so a reload
 * or a link from a mail (/verify?token=…) opens the right page. API routes always win: they are more specific than
 * this catch-all, and unknown API paths still answer {"detail": "Not Found"}.
 * Resolves false (and serves nothing) when the web app is not built.
 */
export async function registerSpa(app: FastifyInstance, opts: SpaOptions = {}): Promise<boolean> {
  const root = opts.root ?? WEB_DIST;
  if (!existsSync(join(root, 'index.html'))) return false;

  await app.register(async (scope) => {
    await scope.register(fastifyStatic, { root, serve: false });
    const sendIndex = (reply: FastifyReply) =>
      reply.headers(SPA_HEADERS).header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });

    scope.get('/*', { schema: { hide: true } }, async (req: FastifyRequest, reply: FastifyReply) => {
      const path = req.url.split('?')[0]!;
      if (path === '/' || path === '/index.html') return sendIndex(reply);
      const file = fileIn(root, path);
      if (file) {
        const hashed = file.startsWith('assets/');
        reply.header('x-content-type-options', 'nosniff');
        return reply.sendFile(file, hashed ? { maxAge: '365d', immutable: true } : { cacheControl: false });
      }
      if (acceptsHtml(req) && !API_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p))) return sendIndex(reply);
      return reply.callNotFound();
    });
  });
  return true;
}

const acceptsHtml = (req: FastifyRequest): boolean => (req.headers.accept ?? '').includes('text/html');

/** The URL path as a file of `root` ("assets/x.js"), or null: no "..", no dot-files, no directories, nothing outside. */
function fileIn(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const parts = decoded.split('/').filter(Boolean);
  if (parts.length === 0 || parts.some((p) => p.startsWith('.') || p.includes('\\') || p.includes('\0'))) return null;
  const rel = parts.join('/');
  try {
    return statSync(join(root, rel)).isFile() ? rel : null;
  } catch {
    return null;
  }
}
