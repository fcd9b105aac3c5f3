// Social login with GitHub against a local fake GitHub (test/support/fake-github.ts), on SQLite and PostgreSQL.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, type Harness } from '../support/harness.ts';
import { startFakeGithub, type FakeGithubUser } from '../support/fake-github.ts';
import { TestBrowser, callbackBody, signIn } from '../support/social.ts';
import { freePort } from '../support/net.ts';

const GATEHOUSE = 'http://127.0.0.1:8000'; // PUBLIC_URL of the test configuration (Gatehouse answers in process)
const SPA = 'http://127.0.0.1:5173';
const SPA_CALLBACK = `${SPA}/oauth/github`;

const github = await startFakeGithub({ callbackUrls: [SPA_CALLBACK, `${GATEHOUSE}/auth/github/callback`, `${GATEHOUSE}/auth/associate/github/callback`] });
after(() => github.close());

const ENV = {
  GITHUB_CLIENT_ID: github.clientId, GITHUB_CLIENT_SECRET: github.clientSecret, GITHUB_OAUTH_URL: github.oauthUrl, GITHUB_API_URL: github.apiUrl,
  OAUTH_REDIRECT_URIS: SPA_CALLBACK, OAUTH_SPA_URL: `${SPA}/`,
};

let nextId = 1000;
/** A GitHub user with a primary verified email, unique per call. */
function githubUser(login: string, emails?: FakeGithubUser['emails']): FakeGithubUser {
  const u = { id: nextId++, login: `${login}-${nextId}`, name: `The ${login}`, emails: emails ?? [{ email: `${login}-${nextId}@example.com`, primary: true, verified: true, visibility: 'private' as const }] };
  github.addUser(u);
  return u;
}

/** The SPA-forwarded flow up to the provider's redirect to the SPA: returns the browser and what the SPA received. */
async function spaSignIn(h: Harness, login: string, browser = new TestBrowser(h)) {
  return signIn(browser, { provider: 'github', kind: 'github', login, redirectUri: SPA_CALLBACK, spa: SPA, gatehouse: GATEHOUSE });
}

const finish = (b: TestBrowser, u: URL) => b.gatehouse({ method: 'POST', url: '/auth/github/authorize', json: callbackBody(u) });

onEveryDatabase('GitHub social login', (h) => {
  test('authorize answers GitHub\'s authorization URL with state, PKCE S256 and the allowed redirect_uri, and binds the browser with an HttpOnly cookie', async () => {
    const r = await h.req({ url: `/auth/github/authorize?redirect_uri=${encodeURIComponent(SPA_CALLBACK)}` });
    assert.equal(r.statusCode, 200, r.body);
    const url = new URL(r.json().authorization_url);
    assert.equal(`${url.origin}${url.pathname}`, `${github.oauthUrl}/login/oauth/authorize`);
    const q = Object.fromEntries(url.searchParams);
    assert.equal(q.client_id, github.clientId);
    assert.equal(q.redirect_uri, SPA_CALLBACK);
    assert.equal(q.code_challenge_method, 'S256');
    assert.match(q.code_challenge!, /^[A-Za-z0-9_-]{43}$/);
    assert.match(q.state!, /^[A-Za-z0-9_-]{32,}$/);
    assert.equal(q.scope, 'read:user user:email');
    const cookie = (r.cookies as { name: string; httpOnly: boolean; sameSite: string; maxAge: number }[]).find((c) => c.name === 'gatehouse_oauth');
    assert.deepEqual([cookie?.httpOnly, cookie?.sameSite, cookie?.maxAge], [true, 'Lax', 600]);
    assert.equal(r.headers['cache-control'], 'no-store');
  });

  test('the SPA-forwarded flow creates a verified user from GitHub\'s primary verified email and answers Gatehouse tokens with the user', async () => {
    const gh = githubUser('octo');
    const { browser, returnedTo } = await spaSignIn(h, gh.login);
    assert.equal(`${returnedTo.origin}${returnedTo.pathname}`, SPA_CALLBACK);
    const r = await finish(browser, returnedTo);
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json();
    assert.deepEqual([body.token_type, typeof body.refresh_token, body.expires_in], ['bearer', 'string', 900]);
    assert.deepEqual([body.user.email, body.user.is_verified, body.user.full_name], [gh.emails[0]!.email, true, gh.name]);
    const me = await h.req({ url: '/users/me', token: body.access_token });
    assert.equal(me.json().id, body.user.id);
    const accounts = await h.req({ url: '/users/me/accounts', token: body.access_token });
    assert.deepEqual(accounts.json().map((a: { provider: string; account_id: string }) => [a.provider, a.account_id]), [['github', String(gh.id)]]);
    const tokenRequest = github.requests.filter((q) => q.path === '/login/oauth/access_token').at(-1)!;
    assert.match(tokenRequest.body, /code_verifier=[A-Za-z0-9_-]{43}/, 'the PKCE verifier went to the token endpoint');
    assert.equal(github.requests.filter((q) => q.path === '/api/user').at(-1)!.headers['user-agent'], 'Gatehouse');
  });

  test('the account key is GitHub\'s user id: the same GitHub account logs into the same user after its email changed', async () => {
    const gh = githubUser('mover');
    const one = await spaSignIn(h, gh.login);
    const first = await finish(one.browser, one.returnedTo);
    gh.emails = [{ email: `moved-${gh.id}@example.com`, primary: true, verified: true, visibility: null }];
    const two = await spaSignIn(h, gh.login);
    const second = await finish(two.browser, two.returnedTo);
    assert.equal(second.statusCode, 200, second.body);
    assert.equal(second.json().user.id, first.json().user.id);
    const accounts = await h.req({ url: '/users/me/accounts', token: second.json().access_token });
    assert.equal(accounts.json()[0].account_email, `moved-${gh.id}@example.com`);
  });

  test('the server-callback flow logs in with the session cookies and redirects to OAUTH_SPA_URL', async () => {
    const gh = githubUser('cookie');
    const { browser, returnedTo } = await signIn(new TestBrowser(h), { provider: 'github', kind: 'github', login: gh.login, spa: SPA, gatehouse: GATEHOUSE });
    assert.equal(`${returnedTo.origin}${returnedTo.pathname}`, `${GATEHOUSE}/auth/github/callback`);
    const r = await browser.gatehouse({ url: returnedTo.pathname + returnedTo.search });
    assert.equal(r.statusCode, 302, r.body);
    assert.equal(r.headers.location, `${SPA}/`);
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
    assert.ok(browser.jar.gatehouse_access && browser.jar.gatehouse_refresh, 'session cookies set');
    const me = await browser.gatehouse({ url: '/users/me' });
    assert.equal(me.json().email, gh.emails[0]!.email);
  });

  test('a user who presses Cancel on GitHub comes back to the SPA with ?error=OAUTH_PROVIDER_DENIED, and no session', async () => {
    const gh = githubUser('canceller');
    const { browser, returnedTo } = await signIn(new TestBrowser(h), { provider: 'github', kind: 'github', login: gh.login, spa: SPA, gatehouse: GATEHOUSE, cancel: true });
    assert.equal(returnedTo.searchParams.get('error'), 'access_denied');
    const r = await browser.gatehouse({ url: returnedTo.pathname + returnedTo.search });
    assert.equal(r.headers.location, `${SPA}/?error=OAUTH_PROVIDER_DENIED`);
    assert.equal(browser.jar.gatehouse_access, undefined);
  });

  test('the SPA forwards access_denied as it got it: 400 OAUTH_PROVIDER_DENIED', async () => {
    const gh = githubUser('denier');
    const { browser, returnedTo } = await signIn(new TestBrowser(h), { provider: 'github', kind: 'github', login: gh.login, redirectUri: SPA_CALLBACK, spa: SPA, gatehouse: GATEHOUSE, cancel: true });
    const r = await browser.gatehouse({ method: 'POST', url: '/auth/github/authorize', json: { error: 'access_denied', state: returnedTo.searchParams.get('state') } });
    assert.deepEqual([r.statusCode, r.json().detail], [400, { code: 'OAUTH_PROVIDER_DENIED', reason: 'github: access_denied' }]);
  });

  test('an attacker\'s code and state replayed in a victim\'s browser are refused (CVE-2025-68481): SPA flow and server callback', async () => {
    const attacker = githubUser('attacker');
    const spa = await spaSignIn(h, attacker.login); // the attacker's own browser
    const victim = new TestBrowser(h);
    await victim.gatehouse({ url: `/auth/github/authorize?redirect_uri=${encodeURIComponent(SPA_CALLBACK)}` }); // the victim has a binding of their own
    const r = await finish(victim, spa.returnedTo);
    assert.equal(r.statusCode, 400);
    assert.deepEqual(r.json().detail, { code: 'OAUTH_INVALID_STATE', reason: 'not started in this browser' });

    const server = await signIn(new TestBrowser(h), { provider: 'github', kind: 'github', login: attacker.login, spa: SPA, gatehouse: GATEHOUSE });
    const cb = await new TestBrowser(h).gatehouse({ url: server.returnedTo.pathname + server.returnedTo.search });
    assert.equal(cb.headers.location, `${SPA}/?error=OAUTH_INVALID_STATE`);
    assert.equal(cb.cookies.length, 0, 'no session for the victim\'s browser');
  });

  test('a code and state work once: replayed, the state is unknown; the code with a fresh state is refused by GitHub', async () => {
    const gh = githubUser('replayer');
    const { browser, returnedTo } = await spaSignIn(h, gh.login);
    assert.equal((await finish(browser, returnedTo)).statusCode, 200);
    const again = await finish(browser, returnedTo);
    assert.deepEqual([again.statusCode, again.json().detail], [400, { code: 'OAUTH_INVALID_STATE', reason: 'unknown or already used' }]);
    const fresh = await browser.gatehouse({ url: `/auth/github/authorize?redirect_uri=${encodeURIComponent(SPA_CALLBACK)}` });
    const state = new URL(fresh.json().authorization_url).searchParams.get('state')!;
    const replay = await browser.gatehouse({ method: 'POST', url: '/auth/github/authorize', json: { code: returnedTo.searchParams.get('code'), state } });
    assert.deepEqual([replay.statusCode, replay.json().detail], [400, { code: 'OAUTH_INVALID_CODE', reason: 'github: bad_verification_code' }]);
  });

  test('an expired state is refused', async () => {
    const gh = githubUser('slow');
    const { browser, returnedTo } = await spaSignIn(h, gh.login);
    await h.g.db.kysely.updateTable('oauth_states').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).execute();
    const r = await finish(browser, returnedTo);
    assert.deepEqual(r.json().detail, { code: 'OAUTH_INVALID_STATE', reason: 'expired' });
  });

  test('a state issued for the SPA cannot be redeemed at the server callback, nor the reverse', async () => {
    const gh = githubUser('crossmode');
    const { browser, returnedTo } = await spaSignIn(h, gh.login);
    const r = await browser.gatehouse({ url: `/auth/github/callback${returnedTo.search}` });
    assert.equal(r.headers.location, `${SPA}/?error=OAUTH_INVALID_STATE`);
  });

  test('a GitHub account without a verified email is refused with OAUTH_NOT_AVAILABLE_EMAIL', async () => {
    const gh = githubUser('private', [{ email: 'unverified@example.com', primary: true, verified: false, visibility: 'private' }]);
    const { browser, returnedTo } = await spaSignIn(h, gh.login);
    const r = await finish(browser, returnedTo);
    assert.deepEqual([r.statusCode, r.json()], [400, { detail: 'OAUTH_NOT_AVAILABLE_EMAIL' }]);
  });

  // The one email rule (src/model/email.ts): what registration refuses, social login never stores — the profile is
  // a broken answer (502), never half-read.
  const badProviderEmails: [string, string][] = [
    ['two addresses', 'a@b.com,victim@example.com'],
    ['a display name', 'Mallory <m@example.com>'],
    ['a CR/LF header', 'm\r\nBcc: victim@example.com'],
    ['no @', 'not-an-email'],
    ['a 65-character local part', `${'l'.repeat(65)}@example.com`],
  ];
  for (const [what, email] of badProviderEmails) {
    test(`a primary verified email with ${what} is 502 OAUTH_PROVIDER_ERROR, and no user is created`, async () => {
      const users = async () => Number((await h.g.db.kysely.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const before = await users();
      const gh = githubUser('bademail', [{ email, primary: true, verified: true, visibility: 'private' }]);
      const { browser, returnedTo } = await spaSignIn(h, gh.login);
      const r = await finish(browser, returnedTo);
      assert.deepEqual([r.statusCode, r.json().detail.code], [502, 'OAUTH_PROVIDER_ERROR'], r.body);
      assert.match(r.json().detail.reason, /^github: GET \/user\/emails: the primary email is not a valid address: /);
      assert.equal(await users(), before);
    });
  }

  test('a known GitHub account whose email turns bad is refused (502), and its stored email stays as it was', async () => {
    const gh = githubUser('turnsbad');
    const good = gh.emails[0]!.email;
    const first = await spaSignIn(h, gh.login);
    assert.equal((await finish(first.browser, first.returnedTo)).statusCode, 200);
    gh.emails = [{ email: 'Mallory <m@example.com>', primary: true, verified: true, visibility: null }];
    const again = await spaSignIn(h, gh.login);
    const r = await finish(again.browser, again.returnedTo);
    assert.deepEqual([r.statusCode, r.json().detail.code], [502, 'OAUTH_PROVIDER_ERROR'], r.body);
    const row = await h.g.db.kysely.selectFrom('oauth_accounts').select('account_email').where('account_id', '=', String(gh.id)).executeTakeFirstOrThrow();
    assert.equal(row.account_email, good);
  });

  test('GitHub\'s email is stored as the one rule normalises it: trimmed, the domain lower-cased', async () => {
    const gh = githubUser('normal', [{ email: '  Octo.Cat@Example.COM ', primary: true, verified: true, visibility: 'private' }]);
    const { browser, returnedTo } = await spaSignIn(h, gh.login);
    const r = await finish(browser, returnedTo);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().user.email, 'Octo.Cat@example.com');
    const accounts = await h.req({ url: '/users/me/accounts', token: r.json().access_token });
    assert.equal(accounts.json()[0].account_email, 'Octo.Cat@example.com');
  });

  const failures: [string, 'token' | 'user' | 'emails', { status: number; body: string; contentType?: string }, number, string][] = [
    ['the token endpoint answers 502', 'token', { status: 502, body: 'Bad gateway', contentType: 'text/html' }, 502, 'OAUTH_PROVIDER_ERROR'],
    ['the token endpoint answers malformed JSON', 'token', { status: 200, body: '{"access_token": ' }, 502, 'OAUTH_PROVIDER_ERROR'],
    ['the token endpoint answers an unexpected error in a 200 (GitHub\'s style)', 'token', { status: 200, body: '{"error":"unverified_user_email"}' }, 502, 'OAUTH_PROVIDER_ERROR'],
    ['GET /user answers 500', 'user', { status: 500, body: '{"message":"Server Error"}' }, 502, 'OAUTH_PROVIDER_ERROR'],
    ['GET /user answers a profile of the wrong shape', 'user', { status: 200, body: '{"id":"not-a-number","login":"x","name":null}' }, 502, 'OAUTH_PROVIDER_ERROR'],
    ['GET /user answers malformed JSON', 'user', { status: 200, body: 'nope' }, 502, 'OAUTH_PROVIDER_ERROR'],
    ['GET /user/emails answers something that is not a list', 'emails', { status: 200, body: '{"email":"a@b.c"}' }, 502, 'OAUTH_PROVIDER_ERROR'],
  ];
  for (const [what, route, answer, status, code] of failures) {
    test(`when ${what}, the login fails with ${status} ${code}, never a 500`, async () => {
      const gh = githubUser(`fail-${route}`);
      const { browser, returnedTo } = await spaSignIn(h, gh.login);
      github.failNext(route, answer);
      const r = await finish(browser, returnedTo);
      assert.equal(r.statusCode, status, r.body);
      assert.equal(r.json().detail.code, code);
      assert.match(r.json().detail.reason, /^github: /);
    });
  }

  const badRedirects = [
    '//evil.com', '/\\evil.com', 'https://evil.com', `${SPA}.evil.com/oauth/github`, `http://user@evil.com`, 'javascript:alert(1)',
    `${SPA_CALLBACK}/../../evil`, `${SPA_CALLBACK}?next=https://evil.com`, `${SPA_CALLBACK}#x`, `${SPA_CALLBACK}/`, SPA_CALLBACK.toUpperCase(),
    `${SPA_CALLBACK} `, `http://127.0.0.1:5173@evil.com/oauth/github`, `${SPA_CALLBACK}%2F..`,
  ];
  for (const uri of badRedirects) {
    test(`redirect_uri ${JSON.stringify(uri)} is refused: it is not exactly an allowed URL`, async () => {
      const r = await h.req({ url: `/auth/github/authorize?redirect_uri=${encodeURIComponent(uri)}` });
      assert.deepEqual([r.statusCode, r.json().detail.code], [400, 'OAUTH_INVALID_REDIRECT_URI']);
    });
  }

  test('a provider that is not configured has no routes: 404', async () => {
    for (const [method, url] of [['GET', '/auth/google/authorize'], ['POST', '/auth/google/authorize'], ['GET', '/auth/google/callback'], ['POST', '/auth/google/token'], ['GET', '/auth/nope/authorize']]) {
      const r = await h.req({ method: method!, url: url!, json: method === 'POST' ? { code: 'c', state: 's', access_token: 't' } : undefined });
      assert.equal(r.statusCode, 404, `${method} ${url}`);
    }
  });

  test('token exchange is off by default: 404', async () => {
    const r = await h.req({ method: 'POST', url: '/auth/github/token', json: { access_token: 'gho_x' } });
    assert.equal(r.statusCode, 404);
  });

  test('the provider\'s tokens are kept sealed, handed to the back end, and refreshed when expired', async () => {
    github.expiringTokens = true;
    try {
      const gh = githubUser('api-caller');
      const { browser, returnedTo } = await spaSignIn(h, gh.login);
      const user = (await finish(browser, returnedTo)).json().user;
      const row = await h.g.db.kysely.selectFrom('oauth_accounts').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
      assert.ok(row.access_token?.startsWith('v1.') && !row.access_token.includes('gho_'), 'sealed at rest');
      assert.ok(row.refresh_token?.startsWith('v1.'));
      const token = await h.g.oauth.providerAccessToken(user.id, 'github');
      assert.match(token, /^gho_/);
      const emails = await fetch(`${github.apiUrl}/user/emails`, { headers: { authorization: `Bearer ${token}`, 'user-agent': 'test' } });
      assert.equal(emails.status, 200, 'the back end can call GitHub as the user');
      await h.g.db.kysely.updateTable('oauth_accounts').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('user_id', '=', user.id).execute();
      const [a, b] = await Promise.all([h.g.oauth.providerAccessToken(user.id, 'github'), h.g.oauth.providerAccessToken(user.id, 'github')]);
      assert.equal(a, b, 'one refresh for concurrent callers');
      assert.notEqual(a, token);
      assert.equal(github.requests.filter((q) => q.path === '/login/oauth/access_token' && q.body.includes('grant_type=refresh_token')).length >= 1, true);
    } finally {
      github.expiringTokens = false;
    }
  });
}, ENV);

onEveryDatabase('GitHub token exchange (GITHUB_TOKEN_EXCHANGE=true)', (h) => {
  test('a GitHub token issued to this app logs in; one issued to another app, or garbage, is 400 OAUTH_INVALID_TOKEN', async () => {
    const gh = githubUser('exchanger');
    const ok = await h.req({ method: 'POST', url: '/auth/github/token', json: { access_token: github.issueToken(gh.login) } });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().user.email, gh.emails[0]!.email);
    for (const token of [github.issueToken(gh.login, 'another-app'), 'gho_garbage']) {
      const r = await h.req({ method: 'POST', url: '/auth/github/token', json: { access_token: token } });
      assert.deepEqual([r.statusCode, r.json().detail.code], [400, 'OAUTH_INVALID_TOKEN']);
    }
    const none = await h.req({ method: 'POST', url: '/auth/github/token', json: {} });
    assert.deepEqual([none.statusCode, none.json().detail.code], [400, 'OAUTH_INVALID_TOKEN']);
  });
}, { ...ENV, GITHUB_TOKEN_EXCHANGE: 'true' });

const closedPort = await freePort(); // nothing listens there: connections are refused at once
onEveryDatabase('GitHub unreachable', (h) => {
  test('an unreachable GitHub is 502 OAUTH_PROVIDER_ERROR for the SPA, and ?error=OAUTH_PROVIDER_ERROR for the server callback', async () => {
    const b = new TestBrowser(h);
    const start = await b.gatehouse({ url: `/auth/github/authorize?redirect_uri=${encodeURIComponent(SPA_CALLBACK)}` });
    assert.equal(start.statusCode, 200, 'building the authorization URL needs no request to GitHub');
    const state = new URL(start.json().authorization_url).searchParams.get('state');
    const r = await b.gatehouse({ method: 'POST', url: '/auth/github/authorize', json: { code: 'c0de', state } });
    assert.equal(r.statusCode, 502, r.body);
    assert.match(r.json().detail.reason, /^github: the token endpoint: unreachable/);
    const server = await b.gatehouse({ url: '/auth/github/authorize' });
    const cb = await b.gatehouse({ url: `/auth/github/callback?code=c0de&state=${new URL(server.json().authorization_url).searchParams.get('state')}` });
    assert.equal(cb.headers.location, `${SPA}/?error=OAUTH_PROVIDER_ERROR`);
  });
}, { ...ENV, GITHUB_OAUTH_URL: `http://127.0.0.1:${closedPort}`, GITHUB_API_URL: `http://127.0.0.1:${closedPort}` });

onEveryDatabase('social login rate limit', (h) => {
  test('the social-login routes count per client IP: the 3rd authorize within the window gets 429 with Retry-After', async () => {
    const url = `/auth/github/authorize?redirect_uri=${encodeURIComponent(SPA_CALLBACK)}`;
    for (let i = 0; i < 2; i++) assert.equal((await h.g.app.inject({ url, remoteAddress: '10.9.0.1' })).statusCode, 200);
    const r = await h.g.app.inject({ url, remoteAddress: '10.9.0.1' });
    assert.equal(r.statusCode, 429);
    assert.deepEqual(r.json(), { detail: 'RATE_LIMITED' });
    assert.ok(Number(r.headers['retry-after']) >= 1);
    assert.equal((await h.g.app.inject({ url, remoteAddress: '10.9.0.2' })).statusCode, 200, 'another IP is not affected');
  });
}, { ...ENV, RATE_LIMITS: 'true', RATE_LIMIT_OAUTH_IP: '2/1m' });
