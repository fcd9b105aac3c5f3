import type { FastifyRequest } from 'fastify';

/** Where a NUL character sits in a request's query or body, or undefined. Bounded: it stops at 64 levels deep. */
function findNul(v: unknown, path: (string | number)[], depth = 0): (string | number)[] | undefined {
  if (typeof v === 'string') return v.includes('\u0000') ? path : undefined;
  if (depth > 64 || v === null || typeof v !== 'object') return undefined;
  for (const [k, x] of Object.entries(v)) {
    const found = findNul(x, [...path, Array.isArray(v) ? Number(k) : k], depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * No text Gatehouse accepts may contain NUL: PostgreSQL cannot store it (it would answer an error, not a 4xx),
 * and no email, name, token or code legitimately has one. Checked for every route before validation, so a
 * route added later is covered too. Answers FastAPI's 422 shape.
 */
export function refuseNul(req: FastifyRequest, _reply: unknown, done: (err?: Error) => void): void {
  const at = (req.url.includes('?') ? findNul(req.query, ['query']) : undefined) ?? (req.body === undefined ? undefined : findNul(req.body, ['body']));
  if (!at) return done();
  done(Object.assign(new Error('NUL character'), {
      statusCode: 422,
      validation: [{ keyword: 'nul', instancePath: `/${at.slice(1).join('/')}`, params: {}, message: 'String should not contain NUL characters' }],
    validationContext: at[0] === 'query' ? 'querystring' : 'body',
  }));
}
