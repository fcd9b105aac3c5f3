// Social login in Chromium, end to end on 127.0.0.1: a tiny SPA served by this test (it plays web/'s role) on its
// own origin, Gatehouse on another, a fake GitHub and an OpenID provider (oidc-provider) on two more.
// - GitHub, SPA-forwarded: "Sign in with GitHub" → GitHub's page → the SPA's callback page posts code and state to
//   Gatehouse (CORS, with the binding cookie) → signed in with a bearer token.
// - OpenID, server callback: "Sign in with Acme" → the provider's page → Gatehouse's callback → the SPA, signed in
//   with the HttpOnly session cookie.
// - The CVE-2025-68481 attack with two real browsers: the attacker's code and state, opened by the victim, fail.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createGatehouse, type Gatehouse } from '../src/gatehouse.ts';
import { testConfig } from '../test/support/harness.ts';
import { freePort } from '../test/support/net.ts';
import { startFakeGithub, type FakeGithub } from '../test/support/fake-github.ts';
import { startIdp, type TestIdp } from '../test/support/oidc-idp.ts';
import { ARTIFACTS, launchBrowser } from './support/browser.ts';

const TIMEOUT = 60_000;

/** The SPA: a sign-in page, and the callback page of the SPA-forwarded flow. */
function spaHtml(api: string): Record<string, string> {
  const common = `<!doctype html><meta charset="utf-8"><title>Test SPA</title><p id="status">Loading…</p><script>
const API = ${JSON.stringify(api)};
const show = (t) => { document.getElementById('status').textContent = t; };
const failed = async (r) => { const b = await r.json().catch(() => ({})); return 'Error: ' + (b.detail?.code ?? b.detail ?? r.status); };`;
  return {
    '/': `${common}
async function start(provider, spaForwarded) {
  const q = spaForwarded ? '?redirect_uri=' + encodeURIComponent(location.origin + '/oauth/' + provider) : '';
  const r = await fetch(API + '/auth/' + provider + '/authorize' + q, { credentials: 'include' });
  if (!r.ok) return show(await failed(r));
  location.assign((await r.json()).authorization_url);
}
(async () => {
  const error = new URLSearchParams(location.search).get('error');
  if (error) return show('Error: ' + error);
  const me = await fetch(API + '/users/me', { credentials: 'include' });
  show(me.ok ? 'Signed in as ' + (await me.json()).email + ' (cookie)' : 'Not signed in');
})();
</script>
<button onclick="start('github', true)">Sign in with GitHub</button>
<button onclick="start('acme', false)">Sign in with Acme</button>`,
    '/oauth/github': `${common}
(async () => {
  const p = new URLSearchParams(location.search);
  const body = Object.fromEntries(['code', 'state', 'iss', 'error'].filter((k) => p.has(k)).map((k) => [k, p.get(k)]));
  const r = await fetch(API + '/auth/github/authorize', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) return show(await failed(r));
  const { access_token } = await r.json();
  const me = await (await fetch(API + '/users/me', { headers: { authorization: 'Bearer ' + access_token } })).json();
  show('Signed in as ' + me.email + ' (token)');
})();
</script>`,
  };
}

describe('social login in Chromium', () => {
  let dir: string;
  let g: Gatehouse;
  let github: FakeGithub;
  let idp: TestIdp;
  let spa: Server;
  let spaOrigin: string;
  let api: string;
  let browser: Browser;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-oauth-e2e-'));
    const apiPort = await freePort();
    api = `http://127.0.0.1:${apiPort}`;
    const pages = spaHtml(api);
    spa = createServer((req, res) => {
      const page = pages[new URL(req.url ?? '/', 'http://x').pathname];
      res.writeHead(page ? 200 : 404, { 'content-type': 'text/html' }).end(page ?? 'not found');
    });
    await new Promise<void>((r) => spa.listen(0, '127.0.0.1', r));
    spaOrigin = `http://127.0.0.1:${(spa.address() as { port: number }).port}`;
    github = await startFakeGithub({ callbackUrls: [`${spaOrigin}/oauth/github`] });
    github.addUser({ id: 42, login: 'octocat', name: 'The Octocat', emails: [{ email: 'octocat@example.com', primary: true, verified: true, visibility: 'public' }] });
    github.addUser({ id: 666, login: 'mallory', name: 'Mallory', emails: [{ email: 'mallory@example.com', primary: true, verified: true, visibility: null }] });
    idp = await startIdp({ redirectUris: [`${api}/auth/acme/callback`] });
    g = await createGatehouse(testConfig(`sqlite:///${join(dir, 'oauth.db')}`, {
      HOST: '127.0.0.1', PORT: String(apiPort), PUBLIC_URL: api, CORS_ORIGINS: spaOrigin,
      GITHUB_CLIENT_ID: github.clientId, GITHUB_CLIENT_SECRET: github.clientSecret, GITHUB_OAUTH_URL: github.oauthUrl, GITHUB_API_URL: github.apiUrl,
      OIDC_ACME_ISSUER: idp.issuer, OIDC_ACME_CLIENT_ID: idp.clientId, OIDC_ACME_CLIENT_SECRET: idp.clientSecret,
      OAUTH_REDIRECT_URIS: `${spaOrigin}/oauth/github`, OAUTH_SPA_URL: `${spaOrigin}/`,
    }));
    await g.app.listen({ host: '127.0.0.1', port: apiPort });
    browser = await launchBrowser();
  }, { timeout: TIMEOUT });

  after(async () => {
    await browser?.close().catch(() => {});
    await g?.close().catch(() => {});
    await Promise.all([github?.close(), idp?.close(), new Promise((r) => spa?.close(r))]);
    rmSync(dir, { recursive: true, force: true });
  });

  const status = (page: Page) => page.locator('#status');

  test('"Sign in with GitHub" goes through GitHub\'s page and ends signed in (SPA-forwarded code, bearer token)', { timeout: TIMEOUT }, async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(spaOrigin);
      await status(page).getByText('Not signed in').waitFor();
      await page.getByRole('button', { name: 'Sign in with GitHub' }).click();
      await page.getByRole('heading', { name: 'Authorize Gatehouse (local)' }).waitFor();
      assert.ok(page.url().startsWith(`${github.oauthUrl}/login/oauth/authorize?`));
      await page.getByPlaceholder('GitHub username').fill('octocat');
      await page.getByRole('button', { name: 'Authorize' }).click();
      await status(page).getByText('Signed in as octocat@example.com (token)').waitFor();
      assert.equal(new URL(page.url()).pathname, '/oauth/github');
      await page.screenshot({ path: join(ARTIFACTS, 'oauth-github-signed-in.png') });
    } finally {
      await context.close();
    }
  });

  test('"Sign in with Acme" goes through the OpenID provider and Gatehouse\'s callback, and ends signed in with an HttpOnly cookie', { timeout: TIMEOUT }, async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(spaOrigin);
      await page.getByRole('button', { name: 'Sign in with Acme' }).click();
      await page.getByPlaceholder('Enter any login').fill('ada');
      await page.getByRole('button', { name: 'Sign-in' }).click();
      await status(page).getByText('Signed in as ada@idp.test (cookie)').waitFor();
      assert.equal(page.url(), `${spaOrigin}/`);
      assert.equal(await page.evaluate(() => document.cookie.includes('gatehouse_access')), false, 'the session cookie is HttpOnly');
      await page.screenshot({ path: join(ARTIFACTS, 'oauth-oidc-signed-in.png') });
    } finally {
      await context.close();
    }
  });

  test('the attacker\'s GitHub code and state, opened in the victim\'s browser, do not sign the victim in (CVE-2025-68481)', { timeout: TIMEOUT }, async () => {
    const attacker = await browser.newContext();
    const victim = await browser.newContext();
    try {
      // The attacker runs the flow in their own browser and stops before the SPA can use the code.
      const a = await attacker.newPage();
      await a.route(`${api}/auth/github/authorize`, (route) => (route.request().method() === 'POST' ? route.abort() : route.continue()));
      await a.goto(spaOrigin);
      await a.getByRole('button', { name: 'Sign in with GitHub' }).click();
      await a.getByPlaceholder('GitHub username').fill('mallory');
      await a.getByRole('button', { name: 'Authorize' }).click();
      await a.waitForURL((url) => url.pathname === '/oauth/github');
      const captured = a.url();
      assert.match(captured, /[?&]code=.+&state=/);
      // The victim opens the attacker's link: the SPA posts the code and state with the victim's cookies.
      const v = await victim.newPage();
      await v.goto(captured);
      await status(v).getByText('Error: OAUTH_INVALID_STATE').waitFor();
      await v.screenshot({ path: join(ARTIFACTS, 'oauth-csrf-refused.png') });
      await v.goto(spaOrigin);
      await status(v).getByText('Not signed in').waitFor();
    } finally {
      await attacker.close();
      await victim.close();
    }
  });
});
