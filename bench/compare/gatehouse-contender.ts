// Gatehouse as a contender of `npm run bench:compare`: bench/lib/gatehouse.ts's server (defaults, argon2id
// m=19456 KiB t=2 p=1, RATE_LIMITS=false) on the database given, bearer transport.
import { createUser } from '../lib/fixtures.ts';
import { startGatehouse } from '../lib/gatehouse.ts';
import type { Contender, Prepared, Scenario } from './contender.ts';

async function post(url: string, body: string, type: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) as Record<string, unknown> : {} };
}

/** `count` sessions of one user, by logging in `count` times; their refresh tokens. */
async function refreshTokens(origin: string, email: string, password: string, count: number): Promise<string[]> {
  const form = new URLSearchParams({ username: email, password }).toString();
  return Promise.all(Array.from({ length: count }, async () => {
    const r = await post(`${origin}/auth/jwt/login`, form, 'application/x-www-form-urlencoded');
    if (r.status !== 200 || typeof r.json.refresh_token !== 'string') throw new Error(`gatehouse login for the refresh pool: ${r.status}`);
    return r.json.refresh_token;
  }));
}

export function gatehouseContender(password: string): Contender {
  return {
    name: 'Gatehouse',
    readyPath: '/healthz',
    async start(dir, host, port, databaseUrl) {
      return (await startGatehouse(dir, host, port, { databaseUrl })).server;
    },
    async prepare(origin, sessions, tag): Promise<Record<Scenario, Prepared>> {
      const me = await createUser(origin, `me-${tag}@bench.example.com`, password);
      const login = await createUser(origin, `login-${tag}@bench.example.com`, password);
      const refresher = await createUser(origin, `refresh-${tag}@bench.example.com`, password);
      const tokens = await refreshTokens(origin, refresher.email, password, sessions);
      return {
        read: { route: 'GET /users/me (bearer JWT)', request: { path: '/users/me', headers: { authorization: `Bearer ${me.token}` } } },
        login: {
          route: 'POST /auth/jwt/login (form)',
          request: {
            path: '/auth/jwt/login', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ username: login.email, password }).toString(),
          },
        },
        register: {
          route: 'POST /auth/register (JSON)',
          request: { path: '/auth/register', method: 'POST', uniqueRegistration: { prefix: `gh-${tag}`, password } },
        },
        refresh: {
          route: 'POST /auth/jwt/refresh (single-use refresh token, rotated)',
          request: { path: '/auth/jwt/refresh', method: 'POST', tokenPool: { tokens, bodyField: 'refresh_token', next: 'refresh_token' } },
        },
      };
    },
  };
}
