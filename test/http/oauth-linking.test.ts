// Account linking and its attacks: pre-registration, unverified emails, association CSRF, unlinking the last login.
// GitHub is the local fake; "acme" is a local OpenID provider whose users' email and email_verified tests choose.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, PASSWORD, type Harness } from '../support/harness.ts';
import { startFakeGithub } from '../support/fake-github.ts';
import { startIdp } from '../support/oidc-idp.ts';
import { TestBrowser, callbackBody, signIn } from '../support/social.ts';

const GATEHOUSE = 'http://127.0.0.1:8000';
const SPA = 'http://127.0.0.1:5173';
const spaCallback = (p: string) => `${SPA}/oauth/${p}`;
const uris = (p: string) => [spaCallback(p), `${GATEHOUSE}/auth/${p}/callback`, `${GATEHOUSE}/auth/associate/${p}/callback`];

const github = await startFakeGithub({ callbackUrls: uris('github') });
const acme = await startIdp({ redirectUris: uris('acme') });
after(() => Promise.all([github.close(), acme.close()]));

const ENV = {
  GITHUB_CLIENT_ID: github.clientId, GITHUB_CLIENT_SECRET: github.clientSecret, GITHUB_OAUTH_URL: github.oauthUrl, GITHUB_API_URL: github.apiUrl,
  OIDC_ACME_ISSUER: acme.issuer, OIDC_ACME_CLIENT_ID: acme.clientId, OIDC_ACME_CLIENT_SECRET: acme.clientSecret,
  OAUTH_REDIRECT_URIS: `${spaCallback('github')},${spaCallback('acme')}`, OAUTH_SPA_URL: `${SPA}/`,
};

let n = 0;
const unique = (s: string) => `${s}${++n}`;
/** A GitHub user whose primary email is verified. */
function githubUser(login: string, email = `${login}@example.com`) {
  const id = 5000 + ++n;
  github.addUser({ id, login, name: login, emails: [{ email, primary: true, verified: true, visibility: null }] });
  return { id, login, email };
}

type Kind = 'github' | 'acme';
const kindOf = (p: Kind) => (p === 'github' ? 'github' : 'oidc') as 'github' | 'oidc';

/** Social login through the SPA-forwarded flow; the response of POST /auth/{provider}/authorize. */
async function socialLogin(h: Harness, provider: Kind, login: string) {
  const { browser, returnedTo } = await signIn(new TestBrowser(h), { provider, kind: kindOf(provider), login, redirectUri: spaCallback(provider), spa: SPA, gatehouse: GATEHOUSE });
  return browser.gatehouse({ method: 'POST', url: `/auth/${provider}/authorize`, json: callbackBody(returnedTo) });
}

/** Association by a logged-in user (bearer token) through the SPA-forwarded flow, in `browser`. */
async function associate(h: Harness, provider: Kind, login: string, token: string, browser = new TestBrowser(h)) {
  const { returnedTo } = await signIn(browser, { provider, kind: kindOf(provider), login, redirectUri: spaCallback(provider), spa: SPA, gatehouse: GATEHOUSE, associate: { token } });
  return { returnedTo, finish: (b = browser, t = token) => b.gatehouse({ method: 'POST', url: `/auth/associate/${provider}/authorize`, json: callbackBody(returnedTo), token: t }) };
}

const verify = (h: Harness, id: string) => h.g.db.kysely.updateTable('users').set({ is_verified: 1 }).where('id', '=', id).execute();
const accountsOf = async (h: Harness, token: string) => (await h.req({ url: '/users/me/accounts', token })).json().map((a: { provider: string }) => a.provider);

onEveryDatabase('linking provider accounts to users', (h) => {
  test('an attacker who pre-registers the victim\'s email with a password does not receive the victim\'s later provider login', async () => {
    const login = unique('victim');
    const attacker = await h.user(`${login}@idp.test`); // the attacker's account, on the victim's address (unverified)
    const r = await socialLogin(h, 'acme', login);      // the victim signs in with a provider that verified the address
    assert.deepEqual([r.statusCode, r.json()], [400, { detail: 'OAUTH_USER_ALREADY_EXISTS' }]);
    assert.deepEqual(await accountsOf(h, attacker.token), [], 'nothing was linked to the attacker\'s account');
    const rows = await h.g.db.kysely.selectFrom('oauth_accounts').selectAll().where('account_id', '=', login).execute();
    assert.equal(rows.length, 0);
  });

  test('a verified local account and a provider-verified email are linked: the login lands on the existing user', async () => {
    const login = unique('owner');
    const local = await h.user(`${login}@idp.test`);
    await verify(h, local.id);
    const r = await socialLogin(h, 'acme', login);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().user.id, local.id);
    assert.deepEqual(await accountsOf(h, local.token), ['acme']);
  });

  test('an unverified provider email never logs into an existing account, even a verified one', async () => {
    const login = unique('unverified');
    const local = await h.user(`${login}@idp.test`);
    await verify(h, local.id);
    acme.setAccount(login, { email_verified: false });
    const r = await socialLogin(h, 'acme', login);
    assert.deepEqual([r.statusCode, r.json()], [400, { detail: 'OAUTH_USER_ALREADY_EXISTS' }]);
    acme.setAccount(login, { email_verified: 'false' }); // some providers send the string
    assert.equal((await socialLogin(h, 'acme', login)).json().detail, 'OAUTH_USER_ALREADY_EXISTS');
  });

  test('an unverified provider email for a new address makes a new, unverified user', async () => {
    const login = unique('newbie');
    acme.setAccount(login, { email_verified: false });
    const r = await socialLogin(h, 'acme', login);
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual([r.json().user.email, r.json().user.is_verified], [`${login}@idp.test`, false]);
  });

  test('a provider that gives no email is refused with OAUTH_NOT_AVAILABLE_EMAIL', async () => {
    const login = unique('noemail');
    acme.setAccount(login, { email: '' });
    assert.deepEqual((await socialLogin(h, 'acme', login)).json(), { detail: 'OAUTH_NOT_AVAILABLE_EMAIL' });
  });

  test('a deactivated user cannot log in with a provider (LOGIN_BAD_CREDENTIALS)', async () => {
    const gh = githubUser(unique('gone'));
    const r = await socialLogin(h, 'github', gh.login);
    await h.g.db.kysely.updateTable('users').set({ is_active: 0 }).where('id', '=', r.json().user.id).execute();
    assert.deepEqual((await socialLogin(h, 'github', gh.login)).json(), { detail: 'LOGIN_BAD_CREDENTIALS' });
  });

  test('a logged-in user links GitHub explicitly, and from then on GitHub logs into that user', async () => {
    const me = await h.user(`${unique('linker')}@example.com`);
    const gh = githubUser(unique('linkee'), `different-${n}@example.com`); // another email: association does not need a match
    const r = await (await associate(h, 'github', gh.login, me.token)).finish();
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual([r.json().provider, r.json().account_id, r.json().account_email], ['github', String(gh.id), gh.email]);
    assert.equal((await socialLogin(h, 'github', gh.login)).json().user.id, me.id);
  });

  test('a GitHub account that belongs to another user cannot be associated (OAUTH_ACCOUNT_ALREADY_LINKED)', async () => {
    const gh = githubUser(unique('taken'));
    assert.equal((await socialLogin(h, 'github', gh.login)).statusCode, 200);
    const other = await h.user(`${unique('other')}@example.com`);
    const r = await (await associate(h, 'github', gh.login, other.token)).finish();
    assert.deepEqual([r.statusCode, r.json().detail.code], [400, 'OAUTH_ACCOUNT_ALREADY_LINKED']);
  });

  test('an attacker\'s association code and state, replayed by the logged-in victim, do not link the attacker\'s GitHub to the victim', async () => {
    const attacker = await h.user(`${unique('mallory')}@example.com`);
    const victim = await h.user(`${unique('alice')}@example.com`);
    const gh = githubUser(unique('mallory-gh'));
    const flow = await associate(h, 'github', gh.login, attacker.token); // started in the attacker's browser, by the attacker
    const victimBrowser = new TestBrowser(h);
    const r = await flow.finish(victimBrowser, victim.token);
    assert.deepEqual([r.statusCode, r.json().detail], [400, { code: 'OAUTH_INVALID_STATE', reason: 'not started in this browser' }]);
    assert.deepEqual(await accountsOf(h, victim.token), []);
  });

  test('an association started by one user cannot be finished by another user in the same browser', async () => {
    const first = await h.user(`${unique('first')}@example.com`);
    const second = await h.user(`${unique('second')}@example.com`);
    const browser = new TestBrowser(h);
    const flow = await associate(h, 'github', githubUser(unique('shared')).login, first.token, browser);
    const r = await flow.finish(browser, second.token);
    assert.deepEqual(r.json().detail, { code: 'OAUTH_INVALID_STATE', reason: 'started by another user' });
  });

  test('a provider account whose email is not verified is not associated (OAUTH_EMAIL_NOT_VERIFIED)', async () => {
    const me = await h.user(`${unique('careful')}@example.com`);
    const login = unique('unv');
    acme.setAccount(login, { email_verified: false });
    const r = await (await associate(h, 'acme', login, me.token)).finish();
    assert.deepEqual(r.json(), { detail: 'OAUTH_EMAIL_NOT_VERIFIED' });
  });

  test('the server-callback association uses the session cookie and redirects to ?linked=…; without a session, to ?error=Unauthorized', async () => {
    const email = `${unique('cookie')}@example.com`;
    await h.register(email);
    const browser = new TestBrowser(h);
    const csrf = await browser.gatehouse({ url: '/auth/csrf' });
    const login = await h.g.app.inject({
      method: 'POST', url: '/auth/cookie/login', cookies: browser.jar, payload: new URLSearchParams({ username: email, password: PASSWORD }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: GATEHOUSE, 'x-csrf-token': csrf.json().csrf_token },
    });
    assert.equal(login.statusCode, 204);
    for (const c of login.cookies as { name: string; value: string }[]) browser.jar[c.name] = c.value;
    const { returnedTo } = await signIn(browser, { provider: 'acme', kind: 'oidc', login: unique('cb'), spa: SPA, gatehouse: GATEHOUSE, associate: {} });
    assert.equal(returnedTo.pathname, '/auth/associate/acme/callback');
    const r = await browser.gatehouse({ url: returnedTo.pathname + returnedTo.search });
    assert.equal(r.headers.location, `${SPA}/?linked=acme`, r.body);
    const anonymous = await new TestBrowser(h).gatehouse({ url: returnedTo.pathname + returnedTo.search });
    assert.equal(anonymous.headers.location, `${SPA}/?error=Unauthorized`);
  });

  test('unlinking refuses to remove the last way to log in, and removes any other', async () => {
    const gh = githubUser(unique('solo'));
    const social = (await socialLogin(h, 'github', gh.login)).json();
    const last = await h.req({ method: 'DELETE', url: '/users/me/accounts/github', token: social.access_token });
    assert.deepEqual([last.statusCode, last.json()], [400, { detail: 'OAUTH_LAST_LOGIN_METHOD' }]);
    assert.equal((await (await associate(h, 'acme', unique('second-way'), social.access_token)).finish()).statusCode, 200);
    assert.equal((await h.req({ method: 'DELETE', url: '/users/me/accounts/github', token: social.access_token })).statusCode, 204);
    assert.deepEqual(await accountsOf(h, social.access_token), ['acme']);
    assert.equal((await h.req({ method: 'DELETE', url: '/users/me/accounts/acme', token: social.access_token })).json().detail, 'OAUTH_LAST_LOGIN_METHOD');
    assert.equal((await h.req({ method: 'DELETE', url: '/users/me/accounts/github', token: social.access_token })).statusCode, 404);
  });

  test('a user with a password may unlink their only provider', async () => {
    const me = await h.user(`${unique('pw')}@example.com`);
    await (await associate(h, 'github', githubUser(unique('pw-gh')).login, me.token)).finish();
    assert.equal((await h.req({ method: 'DELETE', url: '/users/me/accounts/github', token: me.token })).statusCode, 204);
    assert.deepEqual(await accountsOf(h, me.token), []);
  });
}, ENV);
