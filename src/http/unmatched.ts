import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { AppError } from '../errors.ts';

/** A registered route path as a matcher: `/users/:id` → /^\/users\/[^/]+$/. */
interface Pattern { regex: RegExp; methods: Set<string> }

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * What a request no route takes is answered, as FastAPI (Starlette's router) answers it, so a front end written for
 * fastapi-users sees the same thing:
 * - a path with a trailing slash whose slash-less form is a route (`GET /users/me/`): `307` to that path
 *   (Starlette's redirect_slashes). The Location is relative (RFC 9110 §10.2.2 allows it): built from the
 *   matched path and the query, never from the Host header, so it can only point at this server;
 * - a path that is a route under other methods (`PUT /users/me`): `405 {"detail": "Method Not Allowed"}` with
 *   `Allow` listing every method the path takes (RFC 9110 §15.5.6);
 * - anything else: `404 {"detail": "Not Found"}`.
 * Wildcard routes (the web app's `/*`, Swagger UI's files) are left out: they would make every path "exist".
 */
export class UnmatchedRequests {
  private readonly patterns = new Map<string, Pattern>();

  /** Records every route registered after this call (call it before any route is added). */
  install(app: FastifyInstance): void {
    app.addHook('onRoute', (route: RouteOptions) => {
      if (route.url.includes('*')) return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      let p = this.patterns.get(route.url);
      if (!p) {
        const source = route.url.split('/').map((seg) => (seg.startsWith(':') ? '[^/]+' : escape(seg))).join('/');
        p = { regex: new RegExp(`^${source}$`), methods: new Set() };
        this.patterns.set(route.url, p);
      }
      for (const m of methods) p.methods.add(m.toUpperCase());
      // The router lets a parameter be empty (`/users/` reaches `/users/:id` with id ""); Starlette's never is, so
      // such a request is unmatched: `/users/` is then 307 to `/users`, as in FastAPI. First, before any guard;
      // only on routes with parameters (the others' hot path is untouched).
      if (route.url.includes(':')) route.onRequest = [refuseEmptyParams, ...asArray(route.onRequest)];
    });
  }

  /** The answer to a request that matched no route (also when its body could not even be parsed). */
  answer(req: FastifyRequest, reply: FastifyReply): AppError | FastifyReply {
    const [path = '/', query] = splitOnce(req.url, '?');
    if (path.length > 1 && path.endsWith('/')) {
      const bare = path.replace(/\/+$/, '');
      if (bare !== '' && !bare.startsWith('//') && this.methodsOf(bare).size > 0) {
        return reply.code(307).header('location', query === undefined ? bare : `${bare}?${query}`).send();
      }
    }
    const allowed = this.methodsOf(path);
    if (allowed.size > 0 && !allowed.has(req.method)) {
      return new AppError('Method Not Allowed', { headers: { allow: [...allowed].sort().join(', ') } });
    }
    return new AppError('Not Found');
  }

  private methodsOf(path: string): Set<string> {
    const out = new Set<string>();
    for (const p of this.patterns.values()) if (p.regex.test(path)) for (const m of p.methods) out.add(m);
    return out;
  }
}

function refuseEmptyParams(req: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (Object.values(req.params as Record<string, string>).includes('')) {
    reply.callNotFound();
    return;
  }
  done();
}

const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i === -1 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}
