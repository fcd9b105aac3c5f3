// Better Auth as a contender of `npm run bench:compare`: bench/compare/better-auth/server.mjs (email + password,
// argon2id at Gatehouse's parameters, rate limiter off, session.updateAge 0), session cookie.
import { BETTER_AUTH_READY_PATH, startBetterAuth } from './better-auth-server.ts';
import type { Contender, Prepared, Scenario } from './contender.ts';

const COOKIE = 'better-auth.session_token';

/**
 * Node's fetch sends Sec-Fetch-Mode like a browser, and Better Auth then wants the Origin a browser would send (its
 * CSRF check); the loads send neither header, as non-browser clients, which it accepts.
 */
async function postJson(url: string, body: unknown): Promise<Response> {
  const headers = { 'content-type': 'application/json', origin: new URL(url).origin };
  return fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
}

async function signUp(origin: string, email: string, password: string): Promise<void> {
  const r = await postJson(`${origin}/api/auth/sign-up/email`, { email, password, name: 'Bench' });
  if (r.status !== 200) throw new Error(`better-auth sign-up: ${r.status} ${(await r.text()).slice(0, 300)}`);
  await r.arrayBuffer();
}

/** Signs in; returns the Cookie header value carrying the new session, after checking that it opens it. */
async function signIn(origin: string, email: string, password: string): Promise<string> {
  const r = await postJson(`${origin}/api/auth/sign-in/email`, { email, password });
  await r.arrayBuffer();
  const cookie = r.headers.getSetCookie().map((c) => c.split(';', 1)[0]!).find((c) => c.startsWith(`${COOKIE}=`));
  if (r.status !== 200 || !cookie) throw new Error(`better-auth sign-in: ${r.status}, session cookie ${cookie ? 'set' : 'missing'}`);
  // get-session answers 200 with null for a dead session: check it, since the loads count only status codes.
  const s = await fetch(`${origin}/api/auth/get-session?disableRefresh=true`, { headers: { cookie } });
  const body = await s.json() as { user?: { email?: string } } | null;
  if (s.status !== 200 || body?.user?.email !== email) throw new Error(`better-auth get-session with a fresh cookie: ${s.status} ${JSON.stringify(body)}`);
  return cookie;
}

export function betterAuthContender(password: string): Contender {
  return {
    name: 'Better Auth',
    readyPath: BETTER_AUTH_READY_PATH,
    start: startBetterAuth,
    async prepare(origin, sessions, tag): Promise<Record<Scenario, Prepared>> {
      const email = (who: string) => `${who}-${tag}@bench.example.com`;
      for (const who of ['me', 'login', 'refresh']) await signUp(origin, email(who), password);
      const me = await signIn(origin, email('me'), password);
      const cookies = await Promise.all(Array.from({ length: sessions }, () => signIn(origin, email('refresh'), password)));
      return {
        read: {
          route: 'GET /api/auth/get-session?disableRefresh=true (cookie)',
          request: { path: '/api/auth/get-session?disableRefresh=true', headers: { cookie: me } },
        },
        login: {
          route: 'POST /api/auth/sign-in/email (JSON)',
          request: {
            path: '/api/auth/sign-in/email', method: 'POST', headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: email('login'), password }),
          },
        },
        register: {
          route: 'POST /api/auth/sign-up/email (JSON, with name)',
          request: { path: '/api/auth/sign-up/email', method: 'POST', uniqueRegistration: { prefix: `ba-${tag}`, password, extra: { name: 'Bench' } } },
        },
        refresh: {
          route: 'GET /api/auth/get-session (cookie; updateAge 0: extends the session, sets the cookie again)',
          request: { path: '/api/auth/get-session', tokenPool: { tokens: cookies, header: 'cookie' } },
        },
      };
    },
  };
}
