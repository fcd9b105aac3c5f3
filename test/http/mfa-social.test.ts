// Social login of a user with a second factor reaches no session without the second step, on all three paths:
// the SPA-forwarded code, the server callback (cookie flow, bound to the browser), the token exchange.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { onEveryDatabase, type Harness } from '../support/harness.ts';
import { startIdp } from '../support/oidc-idp.ts';
import { TestBrowser, callbackBody, signIn } from '../support/social.ts';
import { totpCode } from '../support/mfa.ts';

const GATEHOUSE = 'http://127.0.0.1:8000';
const SPA = 'http://127.0.0.1:5173';
const spaCallback = `${SPA}/oauth/acme`;
const acme = await startIdp({ redirectUris: [spaCallback, `${GATEHOUSE}/auth/acme/callback`] });
after(() => acme.close());

const ENV = {
  OIDC_ACME_ISSUER: acme.issuer, OIDC_ACME_CLIENT_ID: acme.clientId, OIDC_ACME_CLIENT_SECRET: acme.clientSecret, OIDC_ACME_TOKEN_EXCHANGE: 'true',
  OAUTH_REDIRECT_URIS: spaCallback, OAUTH_SPA_URL: `${SPA}/`,
};
const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
let n = 0;

/** A social user (first login through the SPA-forwarded flow) who then sets up an authenticator app. */
async function socialMfaUser(h: Harness): Promise<{ login: string; secret: string }> {
  const login = `mfa-social-${++n}`;
  const { browser, returnedTo } = await signIn(new TestBrowser(h), { provider: 'acme', kind: 'oidc', login, redirectUri: spaCallback, spa: SPA, gatehouse: GATEHOUSE });
  const first = await browser.gatehouse({ method: 'POST', url: '/auth/acme/authorize', json: callbackBody(returnedTo) });
  assert.equal(first.statusCode, 200, first.body);
  const token = first.json().access_token;
  const e = await h.req({ method: 'POST', url: '/users/me/totp', token });
  assert.equal(e.statusCode, 200, e.body);
  const c = await h.req({ method: 'POST', url: '/users/me/totp/confirm', token, json: { code: totpCode(e.json().secret, Date.now(), -1) } });
  assert.equal(c.statusCode, 200, c.body);
  return { login, secret: e.json().secret };
}

onEveryDatabase('social login of a user with a second factor', (h) => {
  test('SPA-forwarded code: 400 LOGIN_MFA_REQUIRED and no token; the second step gives a session with amr fed + otp + mfa', async () => {
    const u = await socialMfaUser(h);
    const { browser, returnedTo } = await signIn(new TestBrowser(h), { provider: 'acme', kind: 'oidc', login: u.login, redirectUri: spaCallback, spa: SPA, gatehouse: GATEHOUSE });
    const r = await browser.gatehouse({ method: 'POST', url: '/auth/acme/authorize', json: callbackBody(returnedTo) });
    assert.deepEqual([r.statusCode, r.json().detail.code], [400, 'LOGIN_MFA_REQUIRED'], r.body);
    assert.equal(r.json().access_token, undefined);
    const done = await h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: r.json().detail.mfa_token, totp_code: totpCode(u.secret) } });
    assert.equal(done.statusCode, 200, done.body);
    assert.deepEqual(claims(done.json().access_token).amr, ['fed', 'otp', 'mfa']);
  });

  test('server callback: no session cookie; a redirect to the SPA\'s mfa page whose token works only in this browser', async () => {
    const u = await socialMfaUser(h);
    const { browser, returnedTo } = await signIn(new TestBrowser(h), { provider: 'acme', kind: 'oidc', login: u.login, spa: SPA, gatehouse: GATEHOUSE });
    const cb = await browser.gatehouse({ url: returnedTo.pathname + returnedTo.search });
    assert.equal(cb.statusCode, 302, cb.body);
    const to = new URL(String(cb.headers.location));
    assert.equal(`${to.origin}${to.pathname}`, `${SPA}/mfa`);
    const token = to.searchParams.get('token')!;
    assert.equal(browser.jar.gatehouse_access, undefined, 'no session before the second step');
    assert.equal((await browser.gatehouse({ url: '/users/me' })).statusCode, 401);
    assert.ok(browser.jar.gatehouse_mfa, 'the challenge is bound to this browser');
    // Another browser holding the token (history, a Referer, a shoulder) cannot finish the login.
    const thief = new TestBrowser(h);
    const thiefCsrf = (await thief.gatehouse({ url: '/auth/csrf' })).json().csrf_token;
    const stolen = await thief.gatehouse({ method: 'POST', url: '/auth/cookie/mfa', json: { mfa_token: token, totp_code: totpCode(u.secret) }, headers: { origin: GATEHOUSE, 'x-csrf-token': thiefCsrf } });
    assert.deepEqual([stolen.statusCode, stolen.json().detail], [400, 'MFA_CHALLENGE_INVALID']);
    const csrf = (await browser.gatehouse({ url: '/auth/csrf' })).json().csrf_token;
    const done = await browser.gatehouse({ method: 'POST', url: '/auth/cookie/mfa', json: { mfa_token: token, totp_code: totpCode(u.secret) }, headers: { origin: GATEHOUSE, 'x-csrf-token': csrf } });
    assert.equal(done.statusCode, 204, done.body);
    assert.equal((await browser.gatehouse({ url: '/users/me' })).statusCode, 200);
  });

  test('token exchange: 400 LOGIN_MFA_REQUIRED and no token', async () => {
    const u = await socialMfaUser(h);
    const config = await oidc.discovery(new URL(acme.issuer), acme.clientId, undefined, oidc.ClientSecretBasic(acme.clientSecret), { execute: [oidc.allowInsecureRequests] });
    const verifier = oidc.randomPKCECodeVerifier(), state = oidc.randomState(), nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: spaCallback, scope: 'openid email profile', state, nonce, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const b = new TestBrowser(h);
    const page = await b.submit(await b.visit(url.href, [SPA]), { login: u.login }, [SPA], /login$/);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    const r = await h.req({ method: 'POST', url: '/auth/acme/token', json: { access_token: tokens.access_token } });
    assert.deepEqual([r.statusCode, r.json().detail.code], [400, 'LOGIN_MFA_REQUIRED'], r.body);
    assert.equal(r.json().access_token, undefined);
    const done = await h.req({ method: 'POST', url: '/auth/jwt/mfa', json: { mfa_token: r.json().detail.mfa_token, totp_code: totpCode(u.secret) } });
    assert.equal(done.statusCode, 200, done.body);
  });
}, ENV);
