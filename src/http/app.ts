import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import { validatorCompiler } from './validation.ts';
import { serializerCompiler } from './serialization.ts';
import { answerFrameworkError, installErrorHandler } from './error-handler.ts';
import { UnmatchedRequests } from './unmatched.ts';
import { refuseNul } from './nul-guard.ts';
import { installOpenApi } from './openapi.ts';
import { installDocs } from './docs.ts';
import { enforceDeclaredMediaTypes, installMultipartParser } from './media-types.ts';
import { installSecurityHeaders, securityHeaders } from './security-headers.ts';
import type { RouteContext } from './context.ts';
import { authRoutes } from './routes/auth.ts';
import { usersRoutes } from './routes/users.ts';
import { sessionsRoutes } from './routes/sessions.ts';
import { cookieAuthRoutes } from './routes/cookie-auth.ts';
import { wellKnownRoutes } from './routes/well-known.ts';
import { accountRoutes } from './routes/account.ts';
import { auditRoutes } from './routes/audit.ts';
import { metricsRoutes } from './routes/metrics.ts';
import type { Metrics } from '../observability/metrics.ts';
import { healthRoutes } from './routes/health.ts';
import { oauthRoutes } from './routes/oauth.ts';
import { oauthAssociateRoutes } from './routes/oauth-associate.ts';
import { passkeyRoutes } from './routes/passkeys.ts';
import { passkeyLoginRoutes } from './routes/passkey-login.ts';
import { WEB_DIST, registerSpa } from './spa.ts';
import { mfaRoutes } from './routes/mfa.ts';
import { factorsRoutes } from './routes/factors.ts';
import { reauthenticateRoutes } from './routes/reauthenticate.ts';

export interface AppOptions {
  logger: Logger;
  /** When given (METRICS on), requests are counted and /metrics serves them. */
  metrics?: Metrics;
  /** Extra routes of the embedding app, registered with the same guards (see examples/). */
  plugins?: ((app: FastifyInstance, ctx: RouteContext) => Promise<void>)[];
  /** The built web app to serve at / (default web/dist). */
  webRoot?: string;
}

/** The HTTP API: routes over services. Holds no SQL and no business rules. */
export async function buildApp(ctx: RouteContext, opts: AppOptions): Promise<FastifyInstance> {
  const { config } = ctx;
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    // A slow-loris (headers or body trickled) cannot hold a connection forever: 408 and closed after REQUEST_TIMEOUT.
    // Node checks the deadlines every connectionsCheckingInterval (30 s by default), so check more often.
    requestTimeout: config.requestTimeout * 1000,
    http: {
      requestTimeout: config.requestTimeout * 1000,
      headersTimeout: Math.min(60_000, config.requestTimeout * 1000),
      connectionsCheckingInterval: Math.min(5_000, config.requestTimeout * 500),
    },
    routerOptions: { maxParamLength: 200 },
    frameworkErrors: answerFrameworkError(securityHeaders(config)),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('auth', null);
  const unmatched = new UnmatchedRequests();
  unmatched.install(app);
  installErrorHandler(app, unmatched);

  // Hooks on every request are callback-style (no promise per hook): they run on the hot path.
  app.addHook('preValidation', refuseNul);
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });
  // One log line per request, without the query string (it could carry secrets) and without headers.
  const logRequests = opts.logger.isLevelEnabled('info');
  const metrics = opts.metrics;
  app.addHook('onResponse', (req, reply, done) => {
    metrics?.request(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    if (logRequests) req.log.info({ method: req.method, path: req.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, ip: req.ip }, 'request');
    done();
  });

  // Each route takes exactly the body media types it declares (media-types.ts); the server parses JSON and forms
  // (urlencoded, multipart) and nothing else: a text/plain body is refused with 415 rather than half-parsed.
  enforceDeclaredMediaTypes(app);
  app.removeContentTypeParser('text/plain');
  await app.register(formbody, { bodyLimit: config.bodyLimit });
  installMultipartParser(app);
  installSecurityHeaders(app, config);
  await app.register(cookie);
  if (config.corsOrigins.length > 0) {
    // Only the configured origins, with credentials; never "*" (config refuses it).
    await app.register(cors, {
      origin: config.corsOrigins, credentials: true, maxAge: 600,
      allowedHeaders: ['authorization', 'content-type', 'x-csrf-token', 'x-request-id'],
      methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    });
  }
  await installOpenApi(app, config);
  await installDocs(app);

  await app.register(async (scope) => {
    await healthRoutes(scope, ctx);
    await authRoutes(scope, ctx);
    await cookieAuthRoutes(scope, ctx);
    await accountRoutes(scope, ctx);
    await auditRoutes(scope, ctx);
    await usersRoutes(scope, ctx);
    await sessionsRoutes(scope, ctx);
    await wellKnownRoutes(scope, ctx);
    await oauthRoutes(scope, ctx);
    await oauthAssociateRoutes(scope, ctx);
    if (ctx.passkeys) {
      await passkeyRoutes(scope, ctx, ctx.passkeys);
      await passkeyLoginRoutes(scope, ctx, ctx.passkeys);
    }
    await mfaRoutes(scope, ctx);
    await factorsRoutes(scope, ctx);
    await reauthenticateRoutes(scope, ctx);
    if (opts.metrics) await metricsRoutes(scope, opts.metrics, config.metrics.token);
    for (const plugin of opts.plugins ?? []) await plugin(scope, ctx);
  });
  // The web app (web/dist) at /, when it is built; the API routes above always take precedence.
  if (!(await registerSpa(app, { root: opts.webRoot }))) app.log.info({ dir: opts.webRoot ?? WEB_DIST }, 'web app not built (npm run build:web): only the API is served');
  return app;
}
