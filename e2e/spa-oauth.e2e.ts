// Social login in the REAL web app (web/, built here with VITE_OAUTH_PROVIDERS into a temporary folder and served by
// Gatehouse at /), in Chromium, on 127.0.0.1, against the local fake GitHub and a local OpenID provider
// (oidc-provider). The default server-callback flow: the provider returns to Gatehouse's callback, which sets the
// session cookies and redirects to OAUTH_SPA_URL = <Gatehouse>/oauth/done, the app's page that finishes the trip.
// - "Sign in with GitHub" → GitHub's authorize page → signed in on the profile; unlinking GitHub, the only way this
//   user can sign in, is refused with the app's sentence.
// - "Sign in with Acme SSO" → the OpenID provider's sign-in page → signed in on the profile.
// - A password user links a GitHub account from the profile, sees it listed, and unlinks it.
// Screenshots go to test-artifacts/spa-oauth-*.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { createGatehouse, type Gatehouse } from '../src/gatehouse.ts';
import { testConfig } from '../test/support/harness.ts';
import { freePort } from '../test/support/net.ts';
import { startFakeGithub, type FakeGithub } from '../test/support/fake-github.ts';
import { startIdp, type TestIdp } from '../test/support/oidc-idp.ts';
import { ARTIFACTS, launchBrowser } from './support/browser.ts';
import { heading, openTab, signIn, type Tab } from './support/spa.ts';
import { AuthenticatorApp } from './support/totp.ts';

const TIMEOUT = 60_000;
const ROOT = join(import.meta.dirname, '..');
const PASSWORD = 'a long and unusual passphrase 42';
const LAST_LOGIN_METHOD = 'This is your only way to sign in. Set a password or link another provider first.'; // web/src/messages.ts

/** Builds the web app with these VITE_ settings into `outDir` (Vite reads them from the environment at build time). */
async function buildWeb(outDir: string, env: Record<string, string>): Promise<void> {
  await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'web', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: ROOT, env: { ...process.env, ...env }, timeout: 30_000 });
  assert.ok(existsSync(join(outDir, 'index.html')), 'the web app was built');
}

describe('social login in the web app, in Chromium', () => {
  let dir: string;
  let g: Gatehouse;
  let github: FakeGithub;
  let idp: TestIdp;
  let origin: string;
  let browser: Browser;

  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `spa-oauth-${name}.png`), fullPage: true });
  const accounts = (page: Page) => page.locator('section[aria-labelledby="accounts-title"]');
  /** The profile's "Email" entry shows this address. */
  const showsEmail = (page: Page, email: string) => page.locator('dd').filter({ hasText: email }).first().waitFor();
  const assertSignedInWithCookie = async (tab: Tab) => {
    assert.equal(await tab.page.evaluate(() => document.cookie.includes('gatehouse_access')), false, 'the session cookie is HttpOnly');
    assert.ok((await tab.context.cookies(origin)).some((c) => c.name.includes('gatehouse_access')), 'Gatehouse set the session cookie');
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-spa-oauth-'));
    const webRoot = join(dir, 'web');
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const [, gh, oidc] = await Promise.all([
      buildWeb(webRoot, { VITE_OAUTH_PROVIDERS: 'github:GitHub,acme:Acme SSO', VITE_OAUTH_FLOW: 'server', VITE_API_URL: '' }),
      startFakeGithub({ callbackUrls: [`${origin}/auth/github/callback`, `${origin}/auth/associate/github/callback`] }),
      startIdp({ redirectUris: [`${origin}/auth/acme/callback`, `${origin}/auth/associate/acme/callback`] }),
    ]);
    github = gh;
    idp = oidc;
    github.addUser({ id: 42, login: 'octocat', name: 'The Octocat', emails: [{ email: 'octocat@example.com', primary: true, verified: true, visibility: 'public' }] });
    github.addUser({ id: 4343, login: 'hedy', name: 'Hedy', emails: [{ email: 'hedy@example.com', primary: true, verified: true, visibility: 'public' }] });
    github.addUser({ id: 4242, login: 'grace-gh', name: 'Grace', emails: [{ email: 'grace.hub@example.com', primary: true, verified: true, visibility: null }] });
    g = await createGatehouse(testConfig(`sqlite:///${join(dir, 'spa-oauth.db')}`, {
      HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: origin,
      GITHUB_CLIENT_ID: github.clientId, GITHUB_CLIENT_SECRET: github.clientSecret, GITHUB_OAUTH_URL: github.oauthUrl, GITHUB_API_URL: github.apiUrl,
      OIDC_ACME_ISSUER: idp.issuer, OIDC_ACME_CLIENT_ID: idp.clientId, OIDC_ACME_CLIENT_SECRET: idp.clientSecret,
      OAUTH_SPA_URL: `${origin}/oauth/done`,
    }), { webRoot });
    await g.app.listen({ host: '127.0.0.1', port });
    browser = await launchBrowser();
  }, { timeout: TIMEOUT });

  after(async () => {
    await browser?.close().catch(() => {});
    await g?.close().catch(() => {});
    await Promise.all([github?.close(), idp?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, { timeout: TIMEOUT });

  test('"Sign in with GitHub" goes through GitHub\'s page and ends signed in; unlinking the only way to sign in is refused', { timeout: TIMEOUT }, async () => {
    const tab = await openTab(browser, origin);
    const { page } = tab;
    try {
      await page.goto('/login');
      await heading(page, 'Sign in');
      await page.getByRole('button', { name: 'Sign in with Acme SSO' }).waitFor(); // the build's VITE_OAUTH_PROVIDERS
      await shot(page, 'login');
      await page.getByRole('button', { name: 'Sign in with GitHub' }).click();
      await page.getByRole('heading', { name: 'Authorize Gatehouse (local)' }).waitFor();
      assert.ok(page.url().startsWith(`${github.oauthUrl}/login/oauth/authorize?`), page.url());
      await shot(page, 'github-authorize');
      await page.getByPlaceholder('GitHub username').fill('octocat');
      await page.getByRole('button', { name: 'Authorize' }).click();

      await heading(page, 'Your profile');
      await showsEmail(page, 'octocat@example.com');
      assert.equal(new URL(page.url()).origin, origin);
      await assertSignedInWithCookie(tab);
      await accounts(page).getByText('octocat@example.com').waitFor(); // the linked GitHub account, listed
      await shot(page, 'github-signed-in');

      // octocat has no password: GitHub is the only way in, and the server refuses to unlink it.
      await accounts(page).getByRole('button', { name: 'Unlink GitHub' }).click();
      const alert = accounts(page).getByRole('alert');
      await alert.waitFor();
      assert.equal((await alert.textContent())?.includes(LAST_LOGIN_METHOD), true, `alert: ${await alert.textContent()}`);
      await accounts(page).getByRole('button', { name: 'Unlink GitHub' }).waitFor(); // still linked
      await shot(page, 'github-last-login-refused');
      assert.deepEqual(tab.errors, []);
    } finally {
      await tab.close();
    }
  });

  test('"Sign in with Acme SSO" goes through the OpenID provider\'s sign-in page and ends signed in', { timeout: TIMEOUT }, async () => {
    const tab = await openTab(browser, origin);
    const { page } = tab;
    try {
      await page.goto('/login');
      await heading(page, 'Sign in');
      await page.getByRole('button', { name: 'Sign in with Acme SSO' }).click();
      await page.getByPlaceholder('Enter any login').waitFor();
      assert.ok(page.url().startsWith(`${idp.issuer}/interaction/`), page.url());
      await shot(page, 'oidc-login');
      await page.getByPlaceholder('Enter any login').fill('ada');
      await page.getByRole('button', { name: 'Sign-in' }).click();

      await heading(page, 'Your profile');
      await showsEmail(page, 'ada@idp.test');
      assert.equal(new URL(page.url()).origin, origin);
      await assertSignedInWithCookie(tab);
      await accounts(page).getByRole('button', { name: 'Unlink Acme SSO' }).waitFor();
      await shot(page, 'oidc-signed-in');
      assert.deepEqual(tab.errors, []);
    } finally {
      await tab.close();
    }
  });

  test('a password user links a GitHub account from the profile, sees it listed, and unlinks it', { timeout: TIMEOUT }, async () => {
    const r = await fetch(`${origin}/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'grace@example.com', password: PASSWORD }) });
    assert.equal(r.status, 201, await r.text());
    const tab = await openTab(browser, origin);
    const { page } = tab;
    try {
      await signIn(page, 'grace@example.com', PASSWORD);
      await accounts(page).getByText('No linked account.').waitFor();
      await accounts(page).getByRole('button', { name: 'Link GitHub' }).click();
      await page.getByRole('heading', { name: 'Authorize Gatehouse (local)' }).waitFor();
      await page.getByPlaceholder('GitHub username').fill('grace-gh');
      await page.getByRole('button', { name: 'Authorize' }).click();

      await heading(page, 'Your profile');
      await page.getByRole('status').filter({ hasText: 'Your GitHub account is linked.' }).waitFor();
      await showsEmail(page, 'grace@example.com'); // still grace, not a new user
      await accounts(page).getByText('grace.hub@example.com').waitFor();
      await accounts(page).getByRole('button', { name: 'Unlink GitHub' }).waitFor();
      await shot(page, 'linked');

      await accounts(page).getByRole('button', { name: 'Unlink GitHub' }).click();
      await accounts(page).getByRole('status').filter({ hasText: 'GitHub is unlinked.' }).waitFor();
      await accounts(page).getByText('No linked account.').waitFor();
      await accounts(page).getByRole('button', { name: 'Link GitHub' }).waitFor();
      await shot(page, 'unlinked');
      const list = await page.evaluate(async () => (await fetch('/users/me/accounts', { credentials: 'include' })).json());
      assert.deepEqual(list, []);
      assert.deepEqual(tab.errors, []);
    } finally {
      await tab.close();
    }
  });

  test('a social login of a user with a second factor goes through the second step, only in the browser that started it', { timeout: TIMEOUT }, async () => {
    const tab = await openTab(browser, origin);
    const other = await openTab(browser, origin);
    const { page } = tab;
    const viaGithub = async () => {
      await page.goto('/login');
      await page.getByRole('button', { name: 'Sign in with GitHub' }).click();
      await page.getByPlaceholder('GitHub username').fill('hedy');
      await page.getByRole('button', { name: 'Authorize' }).click();
    };
    try {
      await viaGithub();
      await heading(page, 'Your profile');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security' }).click();
      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      const app = new AuthenticatorApp(await page.getByTestId('totp-secret').textContent() ?? '');
      await page.getByLabel('Code from the app').fill(await app.code());
      await page.getByRole('button', { name: 'Turn on' }).click();
      await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
      await heading(page, 'Sign in');

      // Gatehouse's callback opens no session: it sends the browser to the app's second-step page with a token.
      // The address as Gatehouse sent it, kept from the navigation itself: the page takes the token out of the address
      // bar as soon as it renders, so page.url() read afterwards may already lack it (under load it did).
      let address = '';
      const redirected = page.waitForURL((url) => {
        const arrived = url.pathname.endsWith('/mfa') && url.searchParams.has('token');
        if (arrived) address = url.href;
        return arrived;
      });
      await viaGithub();
      await redirected;
      await heading(page, 'Second step');
      await page.getByText('Your provider let you in.').waitFor();
      assert.equal(new URL(page.url()).searchParams.has('token'), false, 'the token is taken out of the address bar');
      assert.equal(await page.evaluate(async () => (await fetch('/users/me')).status), 401, 'no session before the second step');

      // The same address in another browser: the challenge is bound to the first one by an HttpOnly cookie.
      await other.page.goto(address);
      await heading(other.page, 'Second step');
      await other.page.getByLabel('Code from your authenticator app').fill(await app.code());
      await other.page.getByRole('button', { name: 'Verify' }).click();
      assert.match(await other.page.getByRole('alert').textContent() ?? '', /started in another browser/);

      await page.getByLabel('Code from your authenticator app').fill(await app.code());
      await page.getByRole('button', { name: 'Verify' }).click();
      await heading(page, 'Your profile');
      await showsEmail(page, 'hedy@example.com');
      await assertSignedInWithCookie(tab);
      assert.deepEqual([...tab.errors, ...other.errors], []);
    } finally {
      await other.close();
      await tab.close();
    }
  });
});
