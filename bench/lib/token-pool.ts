// LoadSpec.tokenPool (load.ts) in the load's process: every request carries a credential taken from a pool shared
// by all connections, and its answer gives one back. With `next` the credential is single-use and rotates (e.g.
// Gatehouse's refresh token: each answer holds its successor); without, it is reusable (e.g. a session cookie).
//
// Why a pool and not one credential per connection: autocannon clears a connection's context before each request
// when there is only one request in the list, so a connection cannot remember what it was given. A credential is
// held only while its request is in flight, and the context keeps it that long (setupRequest → onResponse).
import type { RawRequest, Request } from 'autocannon';
import type { LoadSpec } from './load.ts';

type PoolSpec = NonNullable<LoadSpec['tokenPool']>;

/** One pool for the life of the load process (warm-up and measured run alike); returns a fresh request per run. */
export function tokenPool(spec: PoolSpec): () => Request {
  const free = [...spec.tokens];
  const giveBack = (status: number, body: string, context: Record<string, unknown>) => {
    if (status < 200 || status >= 300) return; // a refused credential is dropped
    if (spec.next === undefined) {
      free.push(context.token as string);
      return;
    }
    try {
      const next = (JSON.parse(body) as Record<string, unknown>)[spec.next];
      if (typeof next === 'string') free.push(next);
    } catch { /* not JSON: dropped */ }
  };
  return () => ({
    setupRequest: (req: RawRequest, context: Record<string, unknown>): RawRequest => {
      const token = free.shift() ?? ''; // oldest first: every credential gets used
      context.token = token;
      if (spec.header !== undefined) return { ...req, headers: { ...req.headers, [spec.header]: token } };
      return { ...req, body: JSON.stringify({ [spec.bodyField ?? 'token']: token }) };
    },
    onResponse: giveBack,
  });
}
