// A scripted fetch for the client's unit tests: answers requests from handlers and records what was sent.
export interface Sent { method: string; path: string; headers: Record<string, string>; body: string | undefined; credentials: RequestCredentials | undefined }

type Handler = (req: Sent) => Response | Promise<Response>;

export const json = (status: number, body?: unknown, headers: Record<string, string> = {}): Response =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

export const noContent = (): Response => new Response(null, { status: 204 });

/** Routes "METHOD /path" to handlers; an unrouted request fails the test loudly. */
export function fakeFetch(routes: Record<string, Handler>): typeof fetch & { sent: Sent[] } {
  const sent: Sent[] = [];
  const fn = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://api.test');
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const req: Sent = { method: init.method ?? 'GET', path: url.pathname + url.search, headers, body: init.body as string | undefined, credentials: init.credentials };
    sent.push(req);
    const handler = routes[`${req.method} ${url.pathname}`];
    if (!handler) throw new Error(`unexpected request ${req.method} ${req.path}`);
    return handler(req);
  };
  return Object.assign(fn as typeof fetch, { sent });
}

/** A promise resolved from outside, to hold an answer back while other requests run. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}
