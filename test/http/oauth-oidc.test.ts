// Social login with OpenID Connect: a Google-like provider (GOOGLE_*) and a generic issuer (OIDC_ACME_*), both local
// oidc-provider instances (test/support/oidc-idp.ts), on SQLite and PostgreSQL.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { onEveryDatabase, type Harness } from '../support/harness.ts';
import { startIdp, type TestIdp } from '../support/oidc-idp.ts';
import { TestBrowser, callbackBody, signIn } from '../support/social.ts';
import { freePort } from '../support/net.ts';

const GATEHOUSE = 'http://127.0.0.1:8000';
const SPA = 'http://127.0.0.1:5173';
const spaCallback = (p: string) => `${SPA}/oauth/${p}`;
const uris = (p: string) => [spaCallback(p), `${GATEHOUSE}/auth/${p}/callback`, `${GATEHOUSE}/auth/associate/${p}/callback`];

const google = await startIdp({ redirectUris: uris('google'), claimsInIdToken: true, otherClient: true });
const acme = await startIdp({ redirectUris: uris('acme'), otherClient: true });
after(() => Promise.all([google.close(), acme.close()]));

const ENV = {
  GOOGLE_CLIENT_ID: google.clientId, GOOGLE_CLIENT_SECRET: google.clientSecret, GOOGLE_ISSUER: google.issuer,
  OIDC_ACME_ISSUER: acme.issuer, OIDC_ACME_CLIENT_ID: acme.clientId, OIDC_ACME_CLIENT_SECRET: acme.clientSecret,
  OAUTH_REDIRECT_URIS: `${spaCallback('google')},${spaCallback('acme')}`, OAUTH_SPA_URL: `${SPA}/`,
};

let n = 0;
const unique = (name: string) => `${name}${++n}`;

function spaSignIn(h: Harness, provider: 'google' | 'acme', login: string, browser = new TestBrowser(h)) {
  return signIn(browser, { provider, kind: 'oidc', login, redirectUri: spaCallback(provider), spa: SPA, gatehouse: GATEHOUSE });
}
const finish = (b: TestBrowser, provider: string, body: Record<string, string>) => b.gatehouse({ method: 'POST', url: `/auth/${provider}/authorize`, json: body });

/** What an SPA using its own OpenID client would hold: an ID token and access token issued to `clientId`. */
async function tokensAsSpa(h: Harness, idp: TestIdp, login: string, clientId = idp.clientId) {
  const config = await oidc.discovery(new URL(idp.issuer), clientId, undefined, oidc.ClientSecretBasic(idp.clientSecret), { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier(), state = oidc.randomState(), nonce = oidc.randomNonce();
  const redirect = spaCallback(idp === google ? 'google' : 'acme');
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirect, scope: 'openid email profile', state, nonce, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const b = new TestBrowser(h);
  const done = await b.submit(await b.visit(url.href, [SPA]), { login }, [SPA], /login$/);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(done.url), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  return { idToken: tokens.id_token!, accessToken: tokens.access_token };
}

onEveryDatabase('OpenID Connect social login', (h) => {
  test('the Google authorization URL carries the scopes, a nonce, PKCE S256 and access_type=offline', async () => {
    const r = await h.req({ url: `/auth/google/authorize?redirect_uri=${encodeURIComponent(spaCallback('google'))}` });
    assert.equal(r.statusCode, 200, r.body);
    const q = Object.fromEntries(new URL(r.json().authorization_url).searchParams);
    assert.deepEqual([q.scope, q.response_type, q.code_challenge_method, q.access_type, q.client_id], ['openid email profile', 'code', 'S256', 'offline', google.clientId]);
    assert.match(q.nonce!, /^[A-Za-z0-9_-]{32,}$/);
    assert.ok(r.json().authorization_url.startsWith(`${google.issuer}/auth?`));
  });

  test('Google (claims in the ID token): the SPA-forwarded flow creates a verified user and answers tokens with the user', async () => {
    const login = unique('gina');
    const { browser, returnedTo } = await spaSignIn(h, 'google', login);
    assert.equal(returnedTo.searchParams.get('iss'), google.issuer, 'the provider identifies itself (RFC 9207)');
    const r = await finish(browser, 'google', callbackBody(returnedTo));
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual([r.json().user.email, r.json().user.is_verified, r.json().user.full_name], [`${login}@idp.test`, true, `Test ${login}`]);
    const accounts = await h.req({ url: '/users/me/accounts', token: r.json().access_token });
    assert.deepEqual(accounts.json().map((a: { provider: string; account_id: string }) => [a.provider, a.account_id]), [['google', login]]);
  });

  // The one email rule (src/model/email.ts): what registration refuses, social login never stores.
  const badClaims: ['google' | 'acme', string, string][] = [
    ['google', 'in the ID token, two addresses', 'a@b.com,victim@example.com'],
    ['acme', 'from userinfo, a display name', 'Mallory <m@example.com>'],
    ['acme', 'from userinfo, a CR/LF header', 'm\r\nBcc: victim@example.com'],
    ['acme', 'from userinfo, no @', 'not-an-email'],
  ];
  for (const [provider, what, email] of badClaims) {
    test(`${provider}: an email claim ${what} is 502 OAUTH_PROVIDER_ERROR, and no user is created`, async () => {
      const users = async () => Number((await h.g.db.kysely.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const before = await users();
      const login = unique('bademail');
      (provider === 'google' ? google : acme).setAccount(login, { email, email_verified: true });
      const { browser, returnedTo } = await spaSignIn(h, provider, login);
      const r = await finish(browser, provider, callbackBody(returnedTo));
      assert.deepEqual([r.statusCode, r.json().detail.code], [502, 'OAUTH_PROVIDER_ERROR'], r.body);
      assert.match(r.json().detail.reason, new RegExp(`^${provider}: .*the email claim is not a valid address: `));
      assert.equal(await users(), before);
    });
  }

  test('an email claim is stored as the one rule normalises it: trimmed, the domain lower-cased', async () => {
    const login = unique('normal');
    acme.setAccount(login, { email: ' Ada.L@Example.COM  ', email_verified: true });
    const { browser, returnedTo } = await spaSignIn(h, 'acme', login);
    const r = await finish(browser, 'acme', callbackBody(returnedTo));
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().user.email, 'Ada.L@example.com');
  });

  test('a generic issuer (claims from userinfo) logs in through the server callback with the session cookies', async () => {
    const login = unique('ada');
    const { browser, returnedTo } = await signIn(new TestBrowser(h), { provider: 'acme', kind: 'oidc', login, spa: SPA, gatehouse: GATEHOUSE });
    assert.equal(returnedTo.pathname, '/auth/acme/callback');
    const r = await browser.gatehouse({ url: returnedTo.pathname + returnedTo.search });
    assert.equal(r.headers.location, `${SPA}/`, r.body);
    const me = await browser.gatehouse({ url: '/users/me' });
    assert.deepEqual([me.statusCode, me.json().email, me.json().is_verified], [200, `${login}@idp.test`, true]);
  });

  test('mix-up defence (RFC 9207): a response without iss, or with another provider\'s iss, is refused', async () => {
    for (const iss of [undefined, google.issuer]) {
      const { browser, returnedTo } = await spaSignIn(h, 'acme', unique('mixup'));
      const body = { ...callbackBody(returnedTo) };
      if (iss === undefined) delete body.iss; else body.iss = iss;
      const r = await finish(browser, 'acme', body);
      assert.deepEqual([r.statusCode, r.json().detail.code], [400, 'OAUTH_INVALID_CALLBACK'], r.body);
    }
  });

  test('a code redeemed for a flow whose nonce is not the ID token\'s is refused (code injection)', async () => {
    const { browser, returnedTo } = await spaSignIn(h, 'google', unique('nonce'));
    await h.g.db.kysely.updateTable('oauth_states').set({ nonce: 'another-flows-nonce' }).execute();
    const r = await finish(browser, 'google', callbackBody(returnedTo));
    assert.deepEqual([r.statusCode, r.json().detail.code], [400, 'OAUTH_INVALID_CODE'], r.body);
  });

  test('Cancel at the provider comes back as ?error=OAUTH_PROVIDER_DENIED', async () => {
    const { browser, returnedTo } = await signIn(new TestBrowser(h), { provider: 'acme', kind: 'oidc', login: 'x', spa: SPA, gatehouse: GATEHOUSE, cancel: true });
    assert.equal(returnedTo.searchParams.get('error'), 'access_denied');
    const r = await browser.gatehouse({ url: returnedTo.pathname + returnedTo.search });
    assert.equal(r.headers.location, `${SPA}/?error=OAUTH_PROVIDER_DENIED`);
  });

  test('the provider\'s refresh token renews an expired access token for the back end', async () => {
    const login = unique('refresh');
    const { browser, returnedTo } = await spaSignIn(h, 'acme', login);
    const user = (await finish(browser, 'acme', callbackBody(returnedTo))).json().user;
    const first = await h.g.oauth.providerAccessToken(user.id, 'acme');
    await h.g.db.kysely.updateTable('oauth_accounts').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('user_id', '=', user.id).execute();
    const renewed = await h.g.oauth.providerAccessToken(user.id, 'acme');
    assert.notEqual(renewed, first);
    const info = await fetch(`${acme.issuer}/me`, { headers: { authorization: `Bearer ${renewed}` } });
    assert.equal((await info.json()).sub, login, 'the renewed token works at the provider');
  });
}, ENV);

onEveryDatabase('OpenID Connect ID token signatures', (h) => {
  test('an ID token whose signature does not verify with the provider\'s JWKS is a 502 OAUTH_PROVIDER_ERROR', async () => {
    const { browser, returnedTo } = await spaSignIn(h, 'google', unique('forged'));
    const r = await finish(browser, 'google', callbackBody(returnedTo));
    assert.equal(r.statusCode, 502, r.body);
    assert.match(r.json().detail.reason, /^google: the token endpoint: .*signature/i);
  });
}, ENV, {
  // The injectable HTTP client: flips the signature of every ID token the token endpoint returns.
  oauthFetch: async (url, init) => {
    const res = await fetch(url, init);
    if (!url.endsWith('/token')) return res;
    const body = await res.json() as { id_token?: string };
    if (body.id_token) body.id_token = body.id_token.slice(0, -4) + (body.id_token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
  },
});

onEveryDatabase('OpenID Connect token exchange (GOOGLE_TOKEN_EXCHANGE, OIDC_ACME_TOKEN_EXCHANGE)', (h) => {
  test('a Google ID token for this client logs in; one for another app, or tampered with, is 400 OAUTH_INVALID_TOKEN', async () => {
    const login = unique('onetap');
    const ours = await tokensAsSpa(h, google, login);
    const ok = await h.req({ method: 'POST', url: '/auth/google/token', json: { id_token: ours.idToken } });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual([ok.json().user.email, ok.json().user.is_verified], [`${login}@idp.test`, true]);
    const theirs = await tokensAsSpa(h, google, login, 'other-app');
    const [head, payload, sig] = ours.idToken.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'someone-else' })).toString('base64url');
    for (const [what, idToken] of [['another app\'s', theirs.idToken], ['tampered', `${head}.${forged}.${sig}`], ['garbage', 'not.a.jwt']]) {
      const r = await h.req({ method: 'POST', url: '/auth/google/token', json: { id_token: idToken } });
      assert.deepEqual([r.statusCode, r.json().detail.code], [400, 'OAUTH_INVALID_TOKEN'], `${what}: ${r.body}`);
    }
  });

  test('an access token is exchanged only when introspection says it was issued to this client', async () => {
    const login = unique('intro');
    const ok = await h.req({ method: 'POST', url: '/auth/acme/token', json: { access_token: (await tokensAsSpa(h, acme, login)).accessToken } });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().user.email, `${login}@idp.test`);
    const other = await h.req({ method: 'POST', url: '/auth/acme/token', json: { access_token: (await tokensAsSpa(h, acme, login, 'other-app')).accessToken } });
    assert.deepEqual([other.statusCode, other.json().detail.code], [400, 'OAUTH_INVALID_TOKEN']);
  });
}, { ...ENV, GOOGLE_TOKEN_EXCHANGE: 'true', OIDC_ACME_TOKEN_EXCHANGE: 'true' });

const closed = await freePort();
onEveryDatabase('OpenID Connect provider down', (h) => {
  test('a provider whose discovery fails answers 502 OAUTH_PROVIDER_ERROR, and the other providers keep working', async () => {
    const r = await h.req({ url: `/auth/down/authorize?redirect_uri=${encodeURIComponent(spaCallback('google'))}` });
    assert.deepEqual([r.statusCode, r.json().detail.code], [502, 'OAUTH_PROVIDER_ERROR'], r.body);
    assert.match(r.json().detail.reason, /^down: discovery: unreachable/);
    const healthy = await h.req({ url: `/auth/google/authorize?redirect_uri=${encodeURIComponent(spaCallback('google'))}` });
    assert.equal(healthy.statusCode, 200);
  });
}, { ...ENV, OIDC_DOWN_ISSUER: `http://127.0.0.1:${closed}`, OIDC_DOWN_CLIENT_ID: 'x', OIDC_DOWN_CLIENT_SECRET: 'y' });
