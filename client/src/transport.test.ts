import { describe, expect, it, vi } from 'vitest';
import { createClient } from './client.ts';
import { memoryTokenStore } from './transport.ts';
import { ApiError } from './errors.ts';
import { deferred, fakeFetch, json, noContent, type Sent } from './testing.ts';

const USER = { id: 'u1', email: 'a@example.com', is_active: true, is_superuser: false, is_verified: false, username: null, full_name: null, role: 'user', created_at: '2025-01-01T00:00:00.000Z', updated_at: '2025-01-01T00:00:00.000Z' };
const unauthorized = () => json(401, { detail: 'Unauthorized' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
const csrf = () => json(200, { csrf_token: 'csrf-1' });
const calls = (sent: Sent[]) => sent.map((s) => `${s.method} ${s.path}`);

describe('cookie mode', () => {
  it('sends cookies, never an Authorization header, and no CSRF token on reads', async () => {
    const fetch = fakeFetch({ 'GET /users/me': () => json(200, USER) });
    const api = createClient({ fetch, baseUrl: 'https://auth.example.com/' });
    expect(await api.me()).toEqual(USER);
    expect(fetch.sent[0]!.credentials).toBe('include');
    expect(fetch.sent[0]!.headers.authorization).toBeUndefined();
    expect(fetch.sent[0]!.headers['x-csrf-token']).toBeUndefined();
  });

  it('fetches the CSRF token once, even for concurrent writes, and sends it in X-CSRF-Token', async () => {
    const fetch = fakeFetch({ 'GET /auth/csrf': csrf, 'PATCH /users/me': () => json(200, USER), 'DELETE /users/me/sessions': () => json(200, { revoked: 2 }) });
    const api = createClient({ fetch });
    await Promise.all([api.updateMe({ full_name: 'A' }), api.revokeMyOtherSessions()]);
    expect(calls(fetch.sent).filter((c) => c === 'GET /auth/csrf')).toHaveLength(1);
    expect(fetch.sent.filter((s) => s.method !== 'GET').map((s) => s.headers['x-csrf-token'])).toEqual(['csrf-1', 'csrf-1']);
  });

  it('where the page can read the CSRF cookie (the API on its host), sends it as is: every tab sends the one token the cookie holds', async () => {
    vi.stubGlobal('document', { cookie: 'theme=dark; gatehouse_csrf=from-the-cookie' });
    try {
      const fetch = fakeFetch({ 'PATCH /users/me': () => json(200, USER) });
      await createClient({ fetch }).updateMe({ full_name: 'A' });
      expect(calls(fetch.sent)).toEqual(['PATCH /users/me']);
      expect(fetch.sent[0]!.headers['x-csrf-token']).toBe('from-the-cookie');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('currentUser: a signed-out visitor costs one request and meets no 401', async () => {
    const fetch = fakeFetch({ 'GET /auth/cookie/session': () => json(200, { user: null, refreshable: false }) });
    expect(await createClient({ fetch }).currentUser()).toBeNull();
    expect(calls(fetch.sent)).toEqual(['GET /auth/cookie/session']);
  });

  it('currentUser: with only a refresh cookie, refreshes first and then reads the user, without a 401 on the way', async () => {
    const fetch = fakeFetch({
      'GET /auth/cookie/session': () => json(200, { user: null, refreshable: true }), 'GET /auth/csrf': csrf,
      'POST /auth/cookie/refresh': noContent, 'GET /users/me': () => json(200, USER),
    });
    expect(await createClient({ fetch, locks: null }).currentUser()).toEqual(USER);
    expect(calls(fetch.sent)).toEqual(['GET /auth/cookie/session', 'GET /auth/csrf', 'POST /auth/cookie/refresh', 'GET /users/me']);
  });

  it('currentUser: a refresh cookie the server refuses means nobody is signed in', async () => {
    const fetch = fakeFetch({
      'GET /auth/cookie/session': () => json(200, { user: null, refreshable: true }), 'GET /auth/csrf': csrf,
      'POST /auth/cookie/refresh': () => json(401, { detail: 'REFRESH_TOKEN_INVALID' }),
    });
    expect(await createClient({ fetch, locks: null }).currentUser()).toBeNull();
    expect(calls(fetch.sent)).not.toContain('GET /users/me');
  });

  it('logs in with the OAuth2 password form', async () => {
    const fetch = fakeFetch({ 'GET /auth/csrf': csrf, 'POST /auth/cookie/login': noContent });
    await createClient({ fetch }).login({ username: 'alice', password: 'pw & more' });
    const login = fetch.sent[1]!;
    expect(login.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(login.body))).toEqual({ username: 'alice', password: 'pw & more' });
  });

  it('a CSRF_FAILED answer gets a new token and one retry', async () => {
    let n = 0;
    const fetch = fakeFetch({
      'GET /auth/csrf': () => json(200, { csrf_token: `csrf-${++n}` }),
      'PATCH /users/me': (r) => (r.headers['x-csrf-token'] === 'csrf-2' ? json(200, USER) : json(403, { detail: { code: 'CSRF_FAILED', reason: 'missing or wrong X-CSRF-Token header' } })),
    });
    expect(await createClient({ fetch }).updateMe({ full_name: 'A' })).toEqual(USER);
    expect(calls(fetch.sent)).toEqual(['GET /auth/csrf', 'PATCH /users/me', 'GET /auth/csrf', 'PATCH /users/me']);
  });

  it('forgets the pre-login CSRF token after a cookie login and after a refresh (the server binds tokens to the session)', async () => {
    let n = 0;
    const preLoginRefused = (ok: () => Response) => (r: Sent) => (r.headers['x-csrf-token'] === 'csrf-1' ? json(403, { detail: { code: 'CSRF_FAILED', reason: 'missing or wrong X-CSRF-Token header' } }) : ok());
    const fetch = fakeFetch({
      'GET /auth/csrf': () => json(200, { csrf_token: `csrf-${++n}` }),
      'POST /auth/cookie/login': noContent,
      'POST /auth/cookie/refresh': preLoginRefused(noContent),
      'PATCH /users/me': preLoginRefused(() => json(200, USER)),
    });
    const api = createClient({ fetch });
    await api.login({ username: 'alice', password: 'pw' });
    expect(await api.refresh()).toBe(true); // a refresh does not retry on CSRF_FAILED: it must not send csrf-1
    expect(await api.updateMe({ full_name: 'A' })).toEqual(USER);
    expect(calls(fetch.sent)).toEqual(['GET /auth/csrf', 'POST /auth/cookie/login', 'GET /auth/csrf', 'POST /auth/cookie/refresh', 'GET /auth/csrf', 'PATCH /users/me']);
    expect(fetch.sent.map((s) => s.headers['x-csrf-token'] ?? '-')).toEqual(['-', 'csrf-1', '-', 'csrf-2', '-', 'csrf-3']);
  });
});

describe('transparent refresh', () => {
  it('a 401 triggers one refresh, then the request is retried once', async () => {
    let refreshed = false;
    const fetch = fakeFetch({
      'GET /users/me': () => (refreshed ? json(200, USER) : unauthorized()),
      'GET /auth/csrf': csrf,
      'POST /auth/cookie/refresh': () => { refreshed = true; return noContent(); },
    });
    expect(await createClient({ fetch }).me()).toEqual(USER);
    expect(calls(fetch.sent)).toEqual(['GET /users/me', 'GET /auth/csrf', 'POST /auth/cookie/refresh', 'GET /users/me']);
  });

  it('concurrent 401s share a single refresh in flight (a refresh token works once)', async () => {
    const gate = deferred<void>();
    let refreshed = false;
    const fetch = fakeFetch({
      'GET /users/me': () => (refreshed ? json(200, USER) : unauthorized()),
      'GET /users/me/sessions': () => (refreshed ? json(200, []) : unauthorized()),
      'GET /users': () => (refreshed ? json(200, { items: [], total: 0, limit: 20, offset: 0 }) : unauthorized()),
      'GET /auth/csrf': csrf,
      'POST /auth/cookie/refresh': async () => { await gate.promise; refreshed = true; return noContent(); },
    });
    const api = createClient({ fetch });
    const all = Promise.all([api.me(), api.mySessions(), api.listUsers()]);
    await vi.waitFor(() => expect(calls(fetch.sent)).toContain('POST /auth/cookie/refresh'));
    gate.resolve();
    await all;
    expect(calls(fetch.sent).filter((c) => c === 'POST /auth/cookie/refresh')).toHaveLength(1);
    expect(calls(fetch.sent).filter((c) => c.startsWith('GET /users'))).toHaveLength(6);
  });

  it('a request that was out while a refresh completed is retried without refreshing again', async () => {
    const slow = deferred<Response>();
    let refreshed = false;
    const fetch = fakeFetch({
      'GET /users/me': () => (refreshed ? json(200, USER) : unauthorized()),
      'GET /users/me/sessions': (r) => (refreshed && fetch.sent.filter((s) => s.path === r.path).length > 1 ? json(200, []) : slow.promise),
      'GET /auth/csrf': csrf,
      'POST /auth/cookie/refresh': () => { refreshed = true; return noContent(); },
    });
    const api = createClient({ fetch });
    const sessions = api.mySessions(); // its 401 is held back…
    await api.me(); // …while this one refreshes
    slow.resolve(unauthorized());
    expect(await sessions).toEqual([]);
    expect(calls(fetch.sent).filter((c) => c === 'POST /auth/cookie/refresh')).toHaveLength(1);
  });

  it('retries only once: a second 401 is thrown without another refresh', async () => {
    const fetch = fakeFetch({ 'GET /users/me': unauthorized, 'GET /auth/csrf': csrf, 'POST /auth/cookie/refresh': noContent });
    const ended = vi.fn();
    await expect(createClient({ fetch, onSessionEnded: ended }).me()).rejects.toMatchObject({ status: 401, code: 'Unauthorized' });
    expect(calls(fetch.sent)).toEqual(['GET /users/me', 'GET /auth/csrf', 'POST /auth/cookie/refresh', 'GET /users/me']);
    expect(ended).not.toHaveBeenCalled();
  });

  it('a refresh that fails ends the session once, and each caller gets its original 401', async () => {
    const fetch = fakeFetch({
      'GET /users/me': unauthorized, 'GET /users/me/sessions': unauthorized, 'GET /auth/csrf': csrf,
      'POST /auth/cookie/refresh': () => json(401, { detail: 'REFRESH_TOKEN_INVALID' }),
    });
    const ended = vi.fn();
    const api = createClient({ fetch, onSessionEnded: ended });
    const results = await Promise.allSettled([api.me(), api.mySessions()]);
    expect(results.map((r) => r.status === 'rejected' && (r.reason as ApiError).code)).toEqual(['Unauthorized', 'Unauthorized']);
    expect(ended).toHaveBeenCalledTimes(1);
    expect(calls(fetch.sent).filter((c) => c === 'POST /auth/cookie/refresh')).toHaveLength(1);
  });

  it('a refresh refused for CSRF (another tab replaced the CSRF cookie) takes a new token and tries once more', async () => {
    let n = 0;
    let refreshed = false;
    const fetch = fakeFetch({
      'GET /users/me': () => (refreshed ? json(200, USER) : unauthorized()),
      'GET /auth/csrf': () => json(200, { csrf_token: `csrf-${++n}` }),
      'POST /auth/cookie/refresh': (r) => {
        if (r.headers['x-csrf-token'] !== 'csrf-2') return json(403, { detail: { code: 'CSRF_FAILED', reason: 'missing or wrong X-CSRF-Token header' } });
        refreshed = true;
        return noContent();
      },
    });
    expect(await createClient({ fetch }).me()).toEqual(USER);
    expect(calls(fetch.sent)).toEqual(['GET /users/me', 'GET /auth/csrf', 'POST /auth/cookie/refresh', 'GET /auth/csrf', 'POST /auth/cookie/refresh', 'GET /users/me']);
  });

  it('a server failure during refresh is not taken for a lost session', async () => {
    const fetch = fakeFetch({ 'GET /users/me': unauthorized, 'GET /auth/csrf': csrf, 'POST /auth/cookie/refresh': () => json(503, { detail: 'SERVICE_UNAVAILABLE' }) });
    const ended = vi.fn();
    await expect(createClient({ fetch, onSessionEnded: ended }).me()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(ended).not.toHaveBeenCalled();
  });

  it('never refreshes for the login itself', async () => {
    const fetch = fakeFetch({ 'GET /auth/csrf': csrf, 'POST /auth/cookie/login': () => json(400, { detail: 'LOGIN_BAD_CREDENTIALS' }) });
    await expect(createClient({ fetch }).login({ username: 'a', password: 'b' })).rejects.toMatchObject({ code: 'LOGIN_BAD_CREDENTIALS' });
    expect(calls(fetch.sent)).toEqual(['GET /auth/csrf', 'POST /auth/cookie/login']);
  });
});

describe('bearer mode', () => {
  const pair = (n: number) => ({ access_token: `access-${n}`, refresh_token: `refresh-${n}`, token_type: 'bearer' as const, expires_in: 900 });

  it('keeps the pair, sends Authorization, refreshes with the refresh token and retries with the new access token', async () => {
    const fetch = fakeFetch({
      'POST /auth/jwt/login': () => json(200, pair(1)),
      'GET /users/me': (r) => (r.headers.authorization === 'Bearer access-2' ? json(200, USER) : unauthorized()),
      'POST /auth/jwt/refresh': (r) => (JSON.parse(r.body!).refresh_token === 'refresh-1' ? json(200, pair(2)) : json(401, { detail: 'REFRESH_TOKEN_INVALID' })),
    });
    const api = createClient({ fetch, mode: 'bearer' });
    await api.login({ username: 'a@example.com', password: 'pw' });
    expect(await api.me()).toEqual(USER);
    expect(api.transport.tokens.get()).toEqual(pair(2));
    expect(calls(fetch.sent)).toEqual(['POST /auth/jwt/login', 'GET /users/me', 'POST /auth/jwt/refresh', 'GET /users/me']);
    // The login alone goes with cookies (the server's device cookie for its login lockout); nothing else does.
    expect(fetch.sent.map((s) => s.credentials)).toEqual(['include', 'omit', 'omit', 'omit']);
    expect(fetch.sent.every((s) => s.headers['x-csrf-token'] === undefined)).toBe(true);
  });

  it('a failed refresh forgets the tokens; without a refresh token there is nothing to try', async () => {
    const fetch = fakeFetch({ 'GET /users/me': unauthorized, 'POST /auth/jwt/refresh': () => json(401, { detail: 'REFRESH_TOKEN_INVALID' }) });
    const ended = vi.fn();
    const api = createClient({ fetch, mode: 'bearer', onSessionEnded: ended });
    api.transport.tokens.set(pair(1));
    await expect(api.me()).rejects.toMatchObject({ code: 'Unauthorized' });
    expect(api.transport.tokens.get()).toBeNull();
    await expect(api.me()).rejects.toMatchObject({ code: 'Unauthorized' });
    expect(calls(fetch.sent)).toEqual(['GET /users/me', 'POST /auth/jwt/refresh', 'GET /users/me']);
    expect(ended).toHaveBeenCalledTimes(2);
  });

  it('logout forgets the tokens even if the server already ended the session', async () => {
    const fetch = fakeFetch({ 'POST /auth/jwt/logout': unauthorized, 'POST /auth/jwt/refresh': () => json(401, { detail: 'REFRESH_TOKEN_INVALID' }) });
    const api = createClient({ fetch, mode: 'bearer' });
    api.transport.tokens.set(pair(1));
    await expect(api.logout()).rejects.toBeInstanceOf(ApiError);
    expect(api.transport.tokens.get()).toBeNull();
  });
});

describe('requests', () => {
  it('builds URLs from the base URL, path parameters (encoded) and the query (empty values left out)', async () => {
    const fetch = fakeFetch({
      'GET /users': () => json(200, { items: [], total: 0, limit: 5, offset: 10 }),
      'DELETE /users/a%2Fb/sessions/s%201': noContent,
      'GET /auth/csrf': csrf,
    });
    const api = createClient({ fetch, baseUrl: 'http://api.test' });
    await api.listUsers({ q: 'ann lee', role: undefined, limit: 5, offset: 10 });
    await api.revokeUserSession('a/b', 's 1');
    expect(fetch.sent[0]!.path).toBe('/users?q=ann+lee&limit=5&offset=10');
    expect(calls(fetch.sent)).toContain('DELETE /users/a%2Fb/sessions/s%201');
  });

  it('answers without a body resolve to undefined; 202 too', async () => {
    const fetch = fakeFetch({ 'POST /auth/forgot-password': () => new Response(null, { status: 202 }), 'GET /auth/csrf': csrf });
    await expect(createClient({ fetch }).forgotPassword('a@example.com')).resolves.toBeUndefined();
  });

  it('no answer at all is NETWORK_ERROR (status 0)', async () => {
    const fetch = (async () => { throw new TypeError('Failed to fetch'); }) as typeof globalThis.fetch;
    await expect(createClient({ fetch }).health()).rejects.toMatchObject({ status: 0, code: 'NETWORK_ERROR' });
  });
});

describe('refresh across tabs (Web Locks)', () => {
  // Two clients with the runtime's navigator.locks are two tabs of one origin; their fetches share the server's state
  // (in cookie mode, the browser's cookie jar). A tab's refresh is held until both tabs have had their 401.
  const twoTabs = (mode: 'cookie' | 'bearer', locks?: null) => {
    const server = { generation: 1, unauthorized: 0, refreshes: 0, bothFailed: deferred<void>() };
    const tab = () => fakeFetch({
      'GET /users/me': (r) => {
        const current = mode === 'cookie' || r.headers.authorization === `Bearer access-${server.generation}`;
        if (server.refreshes === 0 || !current) {
          if (++server.unauthorized === 2) server.bothFailed.resolve();
          return unauthorized();
        }
        return json(200, USER);
      },
      'GET /auth/csrf': csrf,
      'POST /auth/cookie/refresh': async () => { await server.bothFailed.promise; server.refreshes++; return noContent(); },
      'POST /auth/jwt/refresh': async () => {
        await server.bothFailed.promise;
        server.refreshes++;
        server.generation++;
        return json(200, { access_token: `access-${server.generation}`, refresh_token: `refresh-${server.generation}`, token_type: 'bearer', expires_in: 900 });
      },
    });
    return { server, fetches: [tab(), tab()], locks };
  };

  it('cookie mode: of two tabs hitting a 401 at once, one refreshes; the other waits, sends its request again, and does not refresh', async () => {
    const { server, fetches } = twoTabs('cookie');
    const [a, b] = fetches.map((fetch) => createClient({ fetch }));
    expect(await Promise.all([a!.me(), b!.me()])).toEqual([USER, USER]);
    expect(server.refreshes).toBe(1);
    const [refresher, waiter] = calls(fetches[0]!.sent).includes('POST /auth/cookie/refresh') ? fetches : [fetches[1]!, fetches[0]!];
    expect(calls(refresher!.sent)).toEqual(['GET /users/me', 'GET /auth/csrf', 'POST /auth/cookie/refresh', 'GET /users/me']);
    expect(calls(waiter!.sent)).toEqual(['GET /users/me', 'GET /users/me']);
  });

  it('bearer mode with a TokenStore shared by the tabs: the tab that waited finds the new pair and does not refresh', async () => {
    const { server, fetches } = twoTabs('bearer');
    const tokens = memoryTokenStore();
    tokens.set({ access_token: 'access-0', refresh_token: 'refresh-0', token_type: 'bearer', expires_in: 900 });
    const [a, b] = fetches.map((fetch) => createClient({ fetch, mode: 'bearer', tokens }));
    expect(await Promise.all([a!.me(), b!.me()])).toEqual([USER, USER]);
    expect(server.refreshes).toBe(1);
    expect(tokens.get()?.refresh_token).toBe('refresh-2');
  });

  it('currentUser joining a refresh that another request of its tab started reads the user, not that request\'s answer', async () => {
    let refreshed = false;
    const release = deferred<void>();
    const tab = () => fakeFetch({
      'GET /users/me': () => (refreshed ? json(200, USER) : unauthorized()),
      'GET /users/me/sessions': () => (refreshed ? json(200, []) : unauthorized()),
      'GET /auth/cookie/session': () => json(200, { user: null, refreshable: true }),
      'GET /auth/csrf': csrf,
      'POST /auth/cookie/refresh': async () => { await release.promise; refreshed = true; return noContent(); },
    });
    const [a, b] = [createClient({ fetch: tab() }), createClient({ fetch: tab() })];
    const first = a.me(); // tab A refreshes and holds the lock
    await vi.waitFor(async () => expect((await navigator.locks.query()).held?.length).toBe(1));
    const sessions = b.mySessions(); // tab B's request waits for A's refresh, to send itself again
    await vi.waitFor(async () => expect((await navigator.locks.query()).pending?.length).toBe(1));
    const who = b.currentUser(); // joins B's refresh in flight, whose answer will be the sessions list
    release.resolve();
    expect(await Promise.all([first, sessions, who])).toEqual([USER, [], USER]);
  });

  it('without Web Locks (locks: null, as in old browsers) each tab refreshes: the server\'s grace must answer the second', async () => {
    const { server, fetches } = twoTabs('cookie');
    const [a, b] = fetches.map((fetch) => createClient({ fetch, locks: null }));
    expect(await Promise.all([a!.me(), b!.me()])).toEqual([USER, USER]);
    expect(server.refreshes).toBe(2);
  });

  it('a tab that waited, still refused, refreshes itself; if that fails too, each tab ends its session', async () => {
    const refreshes: string[] = [];
    const tab = (name: string, gate: Promise<void>) => fakeFetch({
      'GET /users/me': unauthorized, 'GET /auth/csrf': csrf,
      'POST /auth/cookie/refresh': async () => { refreshes.push(name); await gate; return json(401, { detail: 'REFRESH_TOKEN_INVALID' }); },
    });
    const held = deferred<void>();
    const [fa, fb] = [tab('a', held.promise), tab('b', Promise.resolve())];
    const ended = vi.fn();
    const a = createClient({ fetch: fa, onSessionEnded: ended });
    const b = createClient({ fetch: fb, onSessionEnded: ended });
    const first = a.me().catch((e: unknown) => e);
    await vi.waitFor(() => expect(refreshes).toEqual(['a']));
    const second = b.me().catch((e: unknown) => e);
    await vi.waitFor(() => expect(calls(fb.sent)).toEqual(['GET /users/me']));
    held.resolve();
    expect(await Promise.all([first, second])).toMatchObject([{ code: 'Unauthorized' }, { code: 'Unauthorized' }]);
    expect(calls(fb.sent)).toEqual(['GET /users/me', 'GET /users/me', 'GET /auth/csrf', 'POST /auth/cookie/refresh']);
    expect(ended).toHaveBeenCalledTimes(2);
  });
});
