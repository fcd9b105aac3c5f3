import type { IncomingMessage } from 'node:http';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { installErrorHandler } from './error-handler.ts';
import { UnmatchedRequests } from './unmatched.ts';

export interface LazyMountOptions {
  /** For the log: what was loaded. */
  name: string;
  /** Where the plugin's routes live: its own routes carry the prefix too. */
  prefix: string;
  /**
   * Its routes under `prefix`, each for GET and HEAD: the plugin's own, so that a path or a method it does not take is
   * answered as when the plugin was registered on the app (404, 405 with Allow, 307 for a trailing slash: unmatched.ts).
   */
  urls: string[];
  /** Loads the plugin and registers it on the instance it is given; called by the first request, once. */
  plugin(instance: FastifyInstance): Promise<void>;
}

/**
 * Mounts a plugin that is loaded on first use. Its routes are registered on `app` now (hidden from the OpenAPI
 * document); the first request to one of them loads the plugin into a Fastify instance of its own, and from then on
 * that instance answers every request to them on the request's own connection (`routing`, Fastify's router):
 * streaming, HEAD, conditional requests and aborts work as they do for any route. Concurrent first requests wait for
 * the same load; a load that fails is not kept (that request answers the registry's 500, the next one tries again).
 *
 * The instance answers as `app` would: the headers `app`'s hooks set (security headers, request id) come first and
 * the plugin's own replace or add to them; the same error and not-found handlers (error-handler.ts), the same logger,
 * the same request id. `app`'s onResponse hooks (request log, metrics) see the answer as any other.
 */
export async function lazyMount(app: FastifyInstance, o: LazyMountOptions): Promise<void> {
  const ids = new WeakMap<IncomingMessage, string>();
  let loading: Promise<FastifyInstance> | undefined;
  const mounted = () => (loading ??= load(app, o, ids).catch((err: unknown) => {
    loading = undefined;
    throw err;
  }));

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const instance = await mounted();
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
    ids.set(req.raw, req.id);
    reply.hijack();
    instance.routing(req.raw, reply.raw);
  };
  await app.register(async (scope) => {
    for (const url of o.urls) scope.route({ method: ['GET', 'HEAD'], url, schema: { hide: true }, handler });
  }, { prefix: o.prefix });

  app.addHook('onClose', async () => {
    const instance = await loading?.catch(() => undefined);
    await instance?.close();
  });
}

async function load(app: FastifyInstance, o: LazyMountOptions, ids: WeakMap<IncomingMessage, string>): Promise<FastifyInstance> {
  const started = performance.now();
  const instance = Fastify({
    loggerInstance: app.log,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (raw) => ids.get(raw) ?? '',
  });
  // What its routes leave unanswered (a file it does not have) is judged against its own routes: under the prefix,
  // they are the app's.
  const unmatched = new UnmatchedRequests();
  unmatched.install(instance);
  installErrorHandler(instance, unmatched);
  await o.plugin(instance);
  await instance.ready();
  app.log.info({ prefix: o.prefix, ms: Math.round(performance.now() - started) }, `${o.name} loaded on first use`);
  return instance;
}
