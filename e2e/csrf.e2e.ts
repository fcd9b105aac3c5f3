// CSRF in a real browser: a page on another origin of the same host (same *site*, so SameSite=Lax lets the
// cookies through) auto-submits a login form and a profile change to Gatehouse. Both must be refused, and the
// browser must end up with no session cookie. The same flow from Gatehouse's own origin, with the token, works.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { Gatehouse } from '../src/gatehouse.ts';
import { PASSWORD } from '../test/support/harness.ts';
import { ARTIFACTS, launchBrowser, startGatehouse } from './support/browser.ts';

const EMAIL = 'csrf-victim@example.com';
const TIMEOUT = 30_000;

/** The attacker's site: one page whose form posts to Gatehouse as soon as it loads. */
function attackerSite(target: string, form: Record<string, string>): Promise<{ server: Server; url: string }> {
  const fields = Object.entries(form).map(([k, v]) => `<input name="${k}" value="${v}">`).join('');
  const html = `<!doctype html><title>Win a prize</title><form id="f" method="POST" action="${target}">${fields}</form>
<script>document.getElementById('f').submit()</script>`;
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })));
}

describe('CSRF defence in Chromium', () => {
  let dir: string;
  let g: Gatehouse;
  let origin: string;
  let browser: Browser;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-csrf-'));
    ({ g, origin } = await startGatehouse(`sqlite:///${join(dir, 'csrf.db')}`));
    const r = await fetch(`${origin}/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: EMAIL, password: PASSWORD }) });
    assert.equal(r.status, 201);
    browser = await launchBrowser();
  }, { timeout: TIMEOUT });

  after(async () => {
    await browser?.close().catch(() => {});
    await g?.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  test('a cross-origin form that logs the victim into the attacker\'s account is refused, and no cookie is set', { timeout: TIMEOUT }, async () => {
    const site = await attackerSite(`${origin}/auth/cookie/login`, { username: EMAIL, password: PASSWORD });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const answer = page.waitForResponse(`${origin}/auth/cookie/login`);
      await page.goto(site.url);
      const r = await answer;
      assert.equal(r.status(), 403);
      assert.equal((await r.json()).detail.code, 'CSRF_FAILED');
      assert.equal(r.request().headers().origin, new URL(site.url).origin, 'Chromium said where the form came from');
      await page.screenshot({ path: join(ARTIFACTS, 'csrf-refused.png') });
      assert.deepEqual((await context.cookies(origin)).filter((c) => c.name.includes('access')), []);
    } finally {
      await context.close();
      site.server.close();
    }
  });

  test('a signed-in user\'s session is not usable by a cross-origin form, while the SPA\'s own requests work', { timeout: TIMEOUT }, async () => {
    // The scripts below run in /healthz, a JSON answer whose CSP (default-src 'none') forbids a page's fetch: CSP off
    // here, as it is what a page of the SPA's own (connect-src 'self') allows. The CSRF defence is what is under test.
    const context = await browser.newContext({ bypassCSP: true });
    const site = await attackerSite(`${origin}/auth/cookie/logout`, {});
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/healthz`); // any page of Gatehouse's own origin
      const loggedIn = await page.evaluate(async (email) => {
        const { csrf_token } = await (await fetch('/auth/csrf')).json();
        const login = await fetch('/auth/cookie/login', { method: 'POST', headers: { 'x-csrf-token': csrf_token, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: email, password: 'correct horse battery' }) });
        const me = await fetch('/users/me');
        return { login: login.status, me: me.status, email: (await me.json()).email as string, preLogin: csrf_token as string };
      }, EMAIL);
      assert.deepEqual([loggedIn.login, loggedIn.me, loggedIn.email], [204, 200, EMAIL]);
      assert.equal(await page.evaluate(() => document.cookie.includes('gatehouse_access')), false, 'the access cookie is HttpOnly');

      const answer = page.waitForResponse(`${origin}/auth/cookie/logout`);
      await page.goto(site.url);
      assert.equal((await answer).status(), 403, 'the attacker\'s form cannot log the user out');

      await page.goto(`${origin}/healthz`);
      const after = await page.evaluate(async (preLogin) => {
        const me = await fetch('/users/me');
        // The CSRF token is bound to the session: the one taken before login is refused even in both places…
        document.cookie = `gatehouse_csrf=${preLogin}; path=/`;
        const stale = await fetch('/auth/cookie/logout', { method: 'POST', headers: { 'x-csrf-token': preLogin } });
        // …and GET /auth/csrf, in the session, gives one bound to it.
        const { csrf_token } = await (await fetch('/auth/csrf')).json();
        const out = await fetch('/auth/cookie/logout', { method: 'POST', headers: { 'x-csrf-token': csrf_token } });
        const again = await fetch('/users/me');
        return [me.status, stale.status, out.status, again.status];
      }, loggedIn.preLogin);
      assert.deepEqual(after, [200, 403, 204, 401]);
    } finally {
      await context.close();
      site.server.close();
    }
  });
});
