// Swagger UI at /docs, in a real browser: the page comes from the server itself (no CDN), and its Authorize
// button logs in with the OAuth2 password flow, so "Try it out" on a secured route answers 200.
// Needs Debian's Chromium at /usr/bin/chromium (apt-get install -y chromium); Playwright cannot download one here.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Gatehouse } from '../src/gatehouse.ts';
import { PASSWORD } from '../test/support/harness.ts';
import { ARTIFACTS, launchBrowser, startGatehouse } from './support/browser.ts';

const STEP_TIMEOUT_MS = 15_000; // loading /docs parses a 1.5 MB bundle: ~3 s here, twice that under `npm test`
const TEST_TIMEOUT_MS = 30_000;
const EMAIL = 'swagger@example.com';

/** A fresh page that records every request it makes and every script error it hits. */
async function openPage(browser: Browser): Promise<{ page: Page; requests: URL[]; errors: string[]; close(): Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  const requests: URL[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(new URL(r.url())));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  // Every console error counts, CSP violations included (the one inline style Swagger UI sets is allowed by its hash in
  // src/http/docs.ts; Chromium's message names the hash of any other).
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  return { page, requests, errors, close: () => context.close() };
}

/** Every http(s) request went to the server itself; the only other scheme allowed is inline data. */
function assertOnlyLocal(requests: URL[], origin: string): void {
  assert.ok(requests.length > 0, 'the page made no request at all');
  const foreign = requests.filter((u) => (u.protocol === 'data:' ? false : u.origin !== origin)).map((u) => u.href);
  assert.deepEqual(foreign, [], `requests to other origins than ${origin}`);
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `swagger-${name}.png`), fullPage: false });

describe('Swagger UI at /docs, in Chromium', () => {
  let dir: string | undefined;
  let g: Gatehouse | undefined;
  let browser: Browser | undefined;
  let origin = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-'));
    ({ g, origin } = await startGatehouse(`sqlite:///${join(dir, 'e2e.db')}`));
    const r = await fetch(`${origin}/auth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    });
    assert.equal(r.status, 201, await r.text());
    browser = await launchBrowser();
  }, { timeout: TEST_TIMEOUT_MS });

  after(async () => {
    await browser?.close().catch(() => {});
    await g?.close().catch(() => {});
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, { timeout: TEST_TIMEOUT_MS });

  test('loads every resource from the server itself, none from a CDN, without script errors', { timeout: TEST_TIMEOUT_MS }, async () => {
    const p = await openPage(browser!);
    try {
      await p.page.goto(`${origin}/docs`);
      await p.page.locator('.information-container .title').filter({ hasText: 'Gatehouse' }).waitFor();
      await p.page.locator('.opblock-summary-path[data-path="/users/me"]').first().waitFor();
      await p.page.waitForLoadState('networkidle');
      await shot(p.page, '1-loaded');
      assertOnlyLocal(p.requests, origin);
      assert.ok(p.requests.some((u) => u.pathname.endsWith('/swagger-ui-bundle.js')), 'the bundle was not loaded from the server');
      assert.deepEqual(p.errors, []);
    } finally {
      await p.close();
    }
  });

  test('shows the error shapes of the API description as text, not as HTML', { timeout: TEST_TIMEOUT_MS }, async () => {
    const p = await openPage(browser!);
    try {
      await p.page.goto(`${origin}/docs`);
      const description = p.page.locator('.information-container .description');
      await description.waitFor();
      assert.match(await description.innerText(), /\{"detail": "<code>"\}/);
    } finally {
      await p.close();
    }
  });

  test('Authorize logs in with the OAuth2 password flow, and "Try it out" on GET /users/me then answers 200 with the user', { timeout: TEST_TIMEOUT_MS }, async () => {
    const p = await openPage(browser!);
    const { page } = p;
    try {
      await page.goto(`${origin}/docs`);
      await page.locator('button.authorize').first().click();

      const dialog = page.locator('.dialog-ux .modal-ux');
      await dialog.waitFor();
      const oauth = dialog.locator('.auth-container').filter({ has: page.locator('h4', { hasText: 'OAuth2PasswordBearer' }) });
      await oauth.locator('#oauth_username').fill(EMAIL);
      await oauth.locator('#oauth_password').fill(PASSWORD);
      await shot(page, '2-authorize-dialog');
      const [loginResponse] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/jwt/login'),
        oauth.locator('button.authorize', { hasText: 'Authorize' }).click(), // its accessible name is "Apply given OAuth2 credentials"
      ]);
      assert.equal(loginResponse.status(), 200, await loginResponse.text());
      const form = new URLSearchParams(loginResponse.request().postData() ?? '');
      assert.equal(form.get('grant_type'), 'password');
      assert.equal(form.get('username'), EMAIL);

      await oauth.locator('button', { hasText: 'Logout' }).waitFor(); // shown once authorized
      await shot(page, '3-authorized');
      await oauth.locator('button.btn-done', { hasText: 'Close' }).click();
      await dialog.waitFor({ state: 'detached' });

      const op = page.locator('.opblock-get').filter({ has: page.locator('.opblock-summary-path[data-path="/users/me"]') });
      await op.locator('.opblock-summary-control').click();
      await op.locator('button.try-out__btn', { hasText: 'Try it out' }).click();
      const [meResponse] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/users/me'),
        op.locator('button.execute', { hasText: 'Execute' }).click(),
      ]);
      assert.match(meResponse.request().headers()['authorization'] ?? '', /^Bearer \S+$/);
      assert.equal(meResponse.status(), 200);

      const live = op.locator('.live-responses-table .response').first();
      await live.locator('.response-col_status').filter({ hasText: '200' }).waitFor();
      await live.scrollIntoViewIfNeeded();
      await shot(page, '4-users-me-200');
      assert.equal((await live.locator('.response-col_status').innerText()).trim(), '200');
      const body = await live.locator('.response-col_description pre').first().innerText();
      assert.equal(JSON.parse(body).email, EMAIL);
      assert.match(await op.locator('.curl-command').innerText(), /Authorization: Bearer /);

      assertOnlyLocal(p.requests, origin);
      assert.deepEqual(p.errors, []);
    } catch (err) {
      await shot(page, 'failure').catch(() => {});
      throw err;
    } finally {
      await p.close();
    }
  });
});
