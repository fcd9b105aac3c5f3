// Swagger UI at /docs (@fastify/swagger-ui) is loaded by its first request, not at start: almost no production
// request ever opens it. Registered at start it cost every start ~9 ms (12 ms of CPU), its 6 modules and ~0.4 MiB
// (issue #17; measured alone, median of 21 starts, with what Gatehouse loads anyway already loaded: @fastify/swagger,
// which brings the `yaml` package (72 modules) and needs it to build /openapi.json, and @fastify/static, which spa.ts
// uses). Its first request now pays that instead (8-9 ms). The document stays @fastify/swagger's, built from the
// routes as they are registered (openapi.ts); /docs/json and /docs/yaml are that same document.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui';
import { DOCUMENT_HEADERS } from './security-headers.ts';
import { lazyMount } from './lazy-mount.ts';

/**
 * Swagger UI's page, from this server only (no CDN, no `https:` sources). The Swagger logo SVG in its top bar carries
 * an inline <style>; instead of 'unsafe-inline' the CSP allows exactly that style by its hash (CSP Level 3,
 * hash-source). Another Swagger UI version may bring another: e2e/swagger.e2e.ts fails on any console error, CSP
 * violations included, and Chromium's message names the hash to put here.
 */
const DOCS_CSP = "default-src 'self'; base-uri 'self'; font-src 'self' data:; frame-ancestors 'self'; img-src 'self' data:; "
  + "object-src 'none'; script-src 'self'; script-src-attr 'none'; "
  + "style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";

/** @fastify/swagger-ui's options: its page's CSP, and the headers of a document (DOCUMENT_HEADERS) on its own routes. */
export const DOCS_OPTIONS = {
  routePrefix: '/docs',
  uiConfig: { persistAuthorization: false, displayRequestDuration: true },
  staticCSP: DOCS_CSP,
  uiHooks: {
    onRequest: (_req, reply, done) => {
      reply.headers(DOCUMENT_HEADERS);
      done();
    },
  },
} satisfies FastifySwaggerUiOptions;

/**
 * What @fastify/swagger-ui serves under /docs with these options (no theme, no baseDir): its page, the document as
 * JSON and YAML, and its files. test/http/docs.test.ts holds this list to the plugin's own routes.
 */
export const DOCS_URLS = ['/', '/json', '/yaml', '/static/index.html', '/static/swagger-initializer.js', '/static/*'];

/**
 * Swagger UI at /docs, from the installed package (no CDN), loaded by its first request (lazy-mount.ts). Its
 * "Authorize" uses the OAuth2 password flow the document declares (openapi.ts).
 */
export function installDocs(app: FastifyInstance): Promise<void> {
  return lazyMount(app, {
    name: 'Swagger UI',
    prefix: DOCS_OPTIONS.routePrefix,
    urls: DOCS_URLS,
    async plugin(instance) {
      const { default: swaggerUi } = await import('@fastify/swagger-ui');
      await instance.register(documentOf(app));
      await instance.register(swaggerUi, DOCS_OPTIONS);
    },
  });
}

/**
 * Swagger UI requires @fastify/swagger on its instance, for `swagger()`: a plugin of that name (not encapsulated, as
 * fastify-plugin would make it) whose `swagger()` is `app`'s document, as JSON (an object) or YAML (`{ yaml: true }`).
 */
function documentOf(app: FastifyInstance): FastifyPluginAsync {
  const plugin: FastifyPluginAsync = async (instance) => {
    instance.decorate('swagger', app.swagger.bind(app));
  };
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('plugin-meta')]: { name: '@fastify/swagger' } });
}
