// The web app (web/, built to web/dist and served by Gatehouse at /) in Chromium, against a real Gatehouse on SQLite:
// the user's flows, an admin's, sessions across two browsers, email verification and password reset through the
// mails, a phone-sized viewport, and what a reload or an unknown path gets; then a standalone build on its own
// origin against Gatehouse's API. Screenshots go to test-artifacts/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { Gatehouse } from '../src/gatehouse.ts';
import { launchBrowser, startGatehouse } from './support/browser.ts';
import { PHONE, ensureWebBuilt, heading, openTab, shot, signIn } from './support/spa.ts';
import { startSmtp, type TestSmtp } from '../test/support/smtp.ts';

const TIMEOUT = 60_000;
const PASSWORD = 'a long and unusual passphrase 42';

/** How long the server may answer from its session cache a change made behind its back (see the role test). */
const SESSION_CACHE_MS = 300;

describe('the web app in Chromium', () => {
  let dir: string;
  let smtp: TestSmtp;
  let g: Gatehouse;
  let origin: string;
  let browser: Browser;

  /** A user made through the API (the UI's own registration is tested once, below). */
  const register = async (email: string, extra: Record<string, unknown> = {}) => {
    const r = await fetch(`${origin}/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD, ...extra }) });
    const body = await r.text();
    assert.equal(r.status, 201, body);
    return JSON.parse(body) as { id: string; email: string };
  };
  const makeAdmin = async (email: string) => {
    const { id } = await register(email);
    await g.db.kysely.updateTable('users').set({ role: 'admin' }).where('id', '=', id).execute();
    return id;
  };
  const assertNoScriptErrors = (errors: string[]) => assert.deepEqual(errors, []);

  before(async () => {
    ensureWebBuilt();
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-spa-'));
    smtp = await startSmtp(); // the mails travel over real SMTP to a server in this process
    ({ g, origin } = await startGatehouse(`sqlite:///${join(dir, 'spa.db')}`, { SMTP_URL: smtp.url, SESSION_CACHE_MS: String(SESSION_CACHE_MS) }));
    browser = await launchBrowser();
  }, { timeout: TIMEOUT });

  after(async () => {
    await browser?.close().catch(() => {});
    await g?.close().catch(() => {});
    await smtp?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, { timeout: TIMEOUT });

  test('register → sign in with the username → edit the profile → sign out', { timeout: TIMEOUT }, async () => {
    const tab = await openTab(browser, origin);
    const { page } = tab;
    try {
      await page.goto('/');
      await heading(page, 'Sign in');
      assert.equal(new URL(page.url()).pathname, '/login');
      await shot(page, 'login');

      await page.getByRole('link', { name: 'Create an account' }).click();
      await heading(page, 'Create an account');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'page-title', 'focus moves to the new page\'s title');
      await page.getByLabel('Email').fill('ada@example.com');
      await page.getByLabel('Username').fill('ada');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Repeat the password').fill(PASSWORD);
      await shot(page, 'register');
      await page.getByRole('button', { name: 'Create account' }).click();
      await heading(page, 'Your profile');
      await page.getByRole('status').filter({ hasText: 'Welcome!' }).waitFor();
      assert.equal(await page.getByTestId('my-role').textContent(), 'User');
      assert.equal(await page.evaluate(() => document.cookie.includes('gatehouse_access')), false, 'the session cookie is not readable by the page');

      await page.getByRole('button', { name: 'Sign out', exact: true }).first().click();
      await heading(page, 'Sign in');
      await page.getByRole('status').filter({ hasText: 'You are signed out.' }).waitFor();

      await signIn(page, 'ada', PASSWORD); // the username works as well as the email
      await page.getByLabel('Full name').fill('Ada Lovelace');
      await page.getByLabel('Username').fill('countess');
      await page.getByRole('button', { name: 'Save details' }).click();
      await page.getByRole('status').filter({ hasText: /^Saved\.$/ }).waitFor();
      assert.equal(await page.getByTestId('signed-in-as').textContent(), 'countess');
      await shot(page, 'profile');

      await page.reload(); // from the server, not from the page's memory
      await heading(page, 'Your profile');
      assert.equal(await page.getByLabel('Full name').inputValue(), 'Ada Lovelace');
      assert.equal(await page.getByLabel('Username').inputValue(), 'countess');

      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
      await heading(page, 'Sign in');
      assert.equal(await page.evaluate(async () => (await fetch('/users/me')).status), 401, 'the session really ended');
      assertNoScriptErrors(tab.errors);
    } finally {
      await tab.close();
    }
  });

  test('errors are announced and focused; a page that needs a session sends to sign in and back', { timeout: TIMEOUT }, async () => {
    await register('focus@example.com');
    const tab = await openTab(browser, origin);
    const { page } = tab;
    try {
      await page.goto('/profile');
      await heading(page, 'Sign in');
      assert.equal(new URL(page.url()).search, `?next=${encodeURIComponent('/profile')}`);
      await page.getByLabel('Email or username').fill('focus@example.com');
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert.match(await alert.textContent() ?? '', /Wrong email, username or password/);
      assert.equal(await alert.evaluate((el) => el === document.activeElement), true, 'focus moves to the error');
      await shot(page, 'login-error');

      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await heading(page, 'Your profile'); // back where the user wanted to go

      // The profile form says which field the server refused, next to the field.
      await register('taken@example.com');
      // A new email address needs the current password, asked for once the email is edited.
      const details = page.locator('form', { has: page.getByRole('heading', { name: 'Account details' }) });
      await details.getByLabel('Email').fill('taken@example.com');
      await details.getByLabel('Current password').fill(PASSWORD);
      await details.getByRole('button', { name: 'Save details' }).click();
      assert.match(await details.getByRole('alert').textContent() ?? '', /Another account already uses this email/);
      await details.getByLabel('Email').fill('ada@example.com');

      // A new password too: a wrong current password is refused, the right one works.
      const password = page.locator('form', { has: page.getByRole('heading', { name: 'Password', exact: true }) });
      await password.getByLabel('Current password').fill('not my password');
      await password.getByLabel('New password', { exact: true }).fill('a new password for ada');
      await password.getByLabel('Repeat the new password').fill('a new password for ada');
      await password.getByRole('button', { name: 'Change password' }).click();
      assert.match(await password.getByRole('alert').textContent() ?? '', /current password/);
      await password.getByLabel('Current password').fill(PASSWORD);
      await password.getByRole('button', { name: 'Change password' }).click();
      await password.getByRole('status').filter({ hasText: 'Password changed.' }).waitFor();
      assertNoScriptErrors(tab.errors);
    } finally {
      await tab.close();
    }
  });

  test('an admin changes a user\'s role, and the user\'s next request sees it', { timeout: TIMEOUT }, async () => {
    await makeAdmin('boss@example.com');
    const { id: userId } = await register('grace@example.com', { full_name: 'Grace Hopper' });
    for (let i = 0; i < 3; i++) await register(`filler-${i}@example.com`);
    const user = await openTab(browser, origin);
    const admin = await openTab(browser, origin);
    try {
      await signIn(user.page, 'grace@example.com', PASSWORD);
      assert.equal(await user.page.getByTestId('my-role').textContent(), 'User');
      assert.equal(await user.page.getByRole('link', { name: 'Users' }).count(), 0, 'no admin menu for a user');

      await signIn(admin.page, 'boss@example.com', PASSWORD);
      await admin.page.getByRole('link', { name: 'Users' }).click();
      await heading(admin.page, 'Users');
      await admin.page.getByRole('table').waitFor();
      await shot(admin.page, 'admin-users');
      await admin.page.getByLabel('Search', { exact: true }).fill('grace');
      await admin.page.getByRole('button', { name: 'Search' }).click();
      await admin.page.getByText('1 user matching “grace”').waitFor();
      assert.match(admin.page.url(), /\/manage\/users\?q=grace$/);
      await admin.page.getByRole('link', { name: 'grace@example.com' }).click();
      await heading(admin.page, 'grace@example.com');
      assert.equal(new URL(admin.page.url()).pathname, `/manage/users/${userId}`);
      // The policy: an admin may grant user or admin, never super admin.
      assert.deepEqual(await admin.page.getByLabel('Role of grace@example.com').locator('option').allTextContents(), ['User', 'Admin']);
      await shot(admin.page, 'admin-user');
      await admin.page.getByLabel('Role of grace@example.com').selectOption('admin');
      await admin.page.getByRole('button', { name: 'Change role' }).click();
      await admin.page.getByRole('status').filter({ hasText: 'grace@example.com is now admin' }).waitFor();
      assert.equal(await admin.page.getByTestId('user-role').textContent(), 'Admin');
      // The policy: an admin manages users only, so the new admin is now out of this admin's hands.
      await admin.page.getByText('Your role may view this user but not change them.').waitFor();
      assert.equal(await admin.page.getByRole('button', { name: 'Change role' }).count(), 0);
      await shot(admin.page, 'admin-user-promoted');

      // The user's very next request sees it: a role change ends their sessions, and the next sign-in has the new role.
      await user.page.getByRole('link', { name: 'Profile' }).click();
      await heading(user.page, 'Sign in');
      await user.page.getByRole('status').filter({ hasText: 'Your session has ended' }).waitFor();
      await signIn(user.page, 'grace@example.com', PASSWORD);
      assert.equal(await user.page.getByTestId('my-role').textContent(), 'Admin');
      await user.page.getByRole('link', { name: 'Users' }).click();
      await heading(user.page, 'Users');
      await user.page.getByRole('table').waitFor();

      // …and back, straight in the database (no session ended, nobody told the server): the role is read again once
      // the session cache's entry is out of date (SESSION_CACHE_MS), and the page refuses.
      await g.db.kysely.updateTable('users').set({ role: 'user' }).where('id', '=', userId).execute();
      await new Promise((r) => setTimeout(r, SESSION_CACHE_MS + 50));
      await user.page.reload();
      await heading(user.page, 'Not allowed');
      assert.equal(await user.page.getByRole('link', { name: 'Users' }).count(), 0);
      assertNoScriptErrors(user.errors);
      assertNoScriptErrors(admin.errors);
    } finally {
      await user.close();
      await admin.close();
    }
  });

  test('an admin sees a user\'s sessions, signs them out, deactivates, verifies and deletes; the audit log shows it', { timeout: TIMEOUT }, async () => {
    await makeAdmin('warden@example.com');
    const { id } = await register('mallory@example.com');
    const user = await openTab(browser, origin);
    const admin = await openTab(browser, origin);
    try {
      await signIn(user.page, 'mallory@example.com', PASSWORD);
      await signIn(admin.page, 'warden@example.com', PASSWORD);
      await admin.page.goto(`/manage/users/${id}`);
      await heading(admin.page, 'mallory@example.com');
      const sessions = admin.page.locator('section', { has: admin.page.getByRole('heading', { name: 'Sessions' }) });
      await sessions.getByText('Chrome on Linux').waitFor();
      await admin.page.getByRole('button', { name: 'Sign this user out everywhere' }).click();
      await admin.page.getByRole('status').filter({ hasText: '1 session ended.' }).waitFor();
      await user.page.getByRole('link', { name: 'Profile' }).click();
      await heading(user.page, 'Sign in');
      await user.page.getByRole('status').filter({ hasText: 'Your session has ended' }).waitFor();

      await admin.page.getByRole('button', { name: 'Mark email verified' }).click();
      await admin.page.getByTestId('user-verified').filter({ hasText: 'Verified' }).waitFor();
      await admin.page.getByRole('button', { name: 'Deactivate' }).click();
      await admin.page.getByTestId('user-active').filter({ hasText: 'Deactivated' }).waitFor();
      await user.page.getByLabel('Email or username').fill('mallory@example.com');
      await user.page.getByLabel('Password').fill(PASSWORD);
      await user.page.getByRole('button', { name: 'Sign in', exact: true }).click();
      assert.match(await user.page.getByRole('alert').textContent() ?? '', /deactivated/);

      await admin.page.getByRole('button', { name: 'Delete this user…' }).click();
      const confirm = admin.page.getByRole('button', { name: 'Yes, delete' });
      assert.equal(await confirm.evaluate((el) => el === document.activeElement), true, 'focus moves to the confirmation');
      await confirm.click();
      await heading(admin.page, 'Users');
      await admin.page.getByRole('status').filter({ hasText: 'mallory@example.com was deleted.' }).waitFor();

      await admin.page.getByRole('link', { name: 'Audit log' }).click();
      await heading(admin.page, 'Audit log');
      await admin.page.getByRole('table').waitFor();
      for (const type of ['user.delete', 'user.deactivate', 'session.revoke', 'login.success']) {
        assert.ok(await admin.page.getByRole('rowheader', { name: type, exact: true }).count() > 0, `the audit log shows ${type}`);
      }
      // The admin reads emails, not ids: the acting admin by email, linked; the deleted user marked as deleted.
      assert.ok(await admin.page.getByRole('link', { name: 'warden@example.com', exact: true }).count() > 0, 'the actor by email');
      assert.ok(await admin.page.getByText(`${id.slice(0, 8)} (deleted)`).count() > 0, 'a deleted user is said to be deleted');
      await admin.page.getByLabel('Event type').selectOption('user.delete');
      await admin.page.getByRole('button', { name: 'Filter' }).click();
      await admin.page.waitForURL(/type=user\.delete/);
      // The unfiltered rows were on the page already: wait until the filtered list has replaced them.
      await admin.page.getByRole('rowheader', { name: 'login.success' }).first().waitFor({ state: 'detached' });
      await admin.page.getByRole('rowheader', { name: 'user.delete' }).first().waitFor();
      assert.equal(await admin.page.getByRole('rowheader', { name: 'login.success' }).count(), 0);
      await shot(admin.page, 'audit');
      assertNoScriptErrors(admin.errors);
    } finally {
      await user.close();
      await admin.close();
    }
  });

  test('a session revoked in one browser is signed out in the other; "sign out everywhere" ends them all', { timeout: TIMEOUT }, async () => {
    await register('two@example.com');
    const laptop = await openTab(browser, origin);
    const phone = await openTab(browser, origin, PHONE);
    const tablet = await openTab(browser, origin);
    try {
      await signIn(laptop.page, 'two@example.com', PASSWORD);
      await signIn(phone.page, 'two@example.com', PASSWORD);
      await laptop.page.reload();
      const devices = laptop.page.locator('.session');
      await devices.nth(1).waitFor();
      assert.equal(await devices.count(), 2);
      assert.equal(await laptop.page.locator('.session', { hasText: 'This device' }).count(), 1);
      await laptop.page.locator('.session', { hasNotText: 'This device' }).getByRole('button', { name: /^Sign out/ }).click();
      await laptop.page.getByRole('status').filter({ hasText: 'That device is signed out.' }).waitFor();
      await laptop.page.locator('.session').nth(1).waitFor({ state: 'detached' });

      // The other browser finds out at its next request (its refresh is refused too).
      await phone.page.getByRole('link', { name: 'Profile' }).click();
      await heading(phone.page, 'Sign in');
      await phone.page.getByRole('status').filter({ hasText: 'Your session has ended' }).waitFor();
      assert.equal(await phone.page.evaluate(async () => (await fetch('/users/me')).status), 401);

      await signIn(tablet.page, 'two@example.com', PASSWORD);
      await laptop.page.getByRole('button', { name: 'Sign out everywhere' }).click();
      await heading(laptop.page, 'Sign in');
      await laptop.page.getByRole('status').filter({ hasText: 'signed out on every device' }).waitFor();
      await tablet.page.reload();
      await heading(tablet.page, 'Sign in');
      for (const t of [laptop, phone, tablet]) assertNoScriptErrors(t.errors);
    } finally {
      await laptop.close();
      await phone.close();
      await tablet.close();
    }
  });

  test('email verification and password reset, through the links in the mails', { timeout: TIMEOUT }, async () => {
    await register('mailer@example.com');
    const tab = await openTab(browser, origin);
    const { page } = tab;
    try {
      await signIn(page, 'mailer@example.com', PASSWORD);
      await page.getByText('not verified').waitFor();
      let since = smtp.messages.length;
      await page.getByRole('button', { name: 'Send a new verification link' }).click();
      await page.getByRole('status').filter({ hasText: 'We sent a new verification link' }).waitFor();
      const verify = smtp.linkIn(await smtp.waitFor('mailer@example.com', /Confirm your email/, since));
      assert.equal(verify.origin + verify.pathname, `${origin}/verify`);
      await page.goto(verify.pathname + verify.search);
      await page.getByRole('status').filter({ hasText: 'Your email address is verified.' }).waitFor();
      assert.equal(new URL(page.url()).search, '', 'the token is taken out of the address bar');
      await shot(page, 'verified');
      await page.getByRole('link', { name: 'Go to your profile' }).click();
      await page.getByText('verified', { exact: true }).waitFor();
      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
      await heading(page, 'Sign in');

      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await heading(page, 'Reset your password');
      since = smtp.messages.length;
      await page.getByLabel('Email').fill('mailer@example.com');
      await page.getByRole('button', { name: 'Send the link' }).click();
      await page.getByRole('status').filter({ hasText: 'we sent it a link' }).waitFor();
      const reset = smtp.linkIn(await smtp.waitFor('mailer@example.com', /Reset your/, since));
      assert.equal(reset.origin + reset.pathname, `${origin}/reset-password`);
      await page.goto(reset.pathname + reset.search);
      await heading(page, 'Choose a new password');
      const NEW = 'another long passphrase for testing';
      await page.getByLabel('New password', { exact: true }).fill(NEW);
      await page.getByLabel('Repeat the new password').fill(NEW);
      await page.getByRole('button', { name: 'Save the new password' }).click();
      await heading(page, 'Sign in');
      await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
      await signIn(page, 'mailer@example.com', NEW);

      await page.goto(reset.pathname + reset.search); // the link works once
      await page.getByLabel('New password', { exact: true }).fill(NEW);
      await page.getByLabel('Repeat the new password').fill(NEW);
      await page.getByRole('button', { name: 'Save the new password' }).click();
      assert.match(await page.getByRole('alert').textContent() ?? '', /invalid, expired or already used/);
      await page.getByRole('link', { name: 'Ask for a new link' }).waitFor();
      assertNoScriptErrors(tab.errors);
    } finally {
      await tab.close();
    }
  });

  test('on a phone-sized screen (390×844) every main page fits without sideways scrolling', { timeout: TIMEOUT }, async () => {
    await makeAdmin('pocket@example.com');
    const tab = await openTab(browser, origin, PHONE);
    const { page } = tab;
    const fits = async (name: string) => {
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= PHONE.width, `${name}: the page is ${width}px wide`);
      await shot(page, `phone-${name}`);
    };
    try {
      await page.goto('/login');
      await heading(page, 'Sign in');
      await fits('login');
      await page.goto('/register');
      await heading(page, 'Create an account');
      await fits('register');
      await signIn(page, 'pocket@example.com', PASSWORD);
      await fits('profile');
      await page.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('table').waitFor();
      await fits('users');
      await page.getByRole('link', { name: 'Audit log' }).click();
      await page.getByRole('table').waitFor();
      await fits('audit');
      await page.getByRole('link', { name: 'Security' }).click();
      await heading(page, 'Security');
      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      await page.getByRole('img', { name: /QR code/ }).waitFor();
      await fits('security');
      assertNoScriptErrors(tab.errors);
    } finally {
      await tab.close();
    }
  });

  test('a signed-out visitor costs one API request (and the sign-in page two more, for passkey autofill) and no console error at all; a returning one whose access cookie expired is signed in again', { timeout: TIMEOUT }, async () => {
    const context = await browser.newContext({ baseURL: origin });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      const api: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); }); // every one, 401s included
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => {
        const url = new URL(r.url());
        if (r.resourceType() === 'fetch' || r.resourceType() === 'xhr') api.push(`${r.method()} ${url.pathname}`);
      });
      const options = page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/passkey/options');
      await page.goto('/');
      await heading(page, 'Sign in');
      // The sign-in page asks for passkey request options at once (with the CSRF token any sign-in needs next): the
      // browser offers passkeys in the username field's autofill only while a conditional request is pending.
      await options;
      assert.deepEqual(api.sort(), ['GET /auth/cookie/session', 'GET /auth/csrf', 'POST /auth/passkey/options']);
      assert.deepEqual(errors, []);

      await register('returning@example.com');
      await signIn(page, 'returning@example.com', PASSWORD);
      await context.clearCookies({ name: 'gatehouse_access' }); // as the browser does when the cookie's 15 minutes are over
      api.length = 0;
      await page.goto('/');
      await heading(page, 'Your profile');
      // The CSRF token comes from its cookie (same origin), so no GET /auth/csrf is needed before the refresh.
      assert.deepEqual(api.slice(0, 3), ['GET /auth/cookie/session', 'POST /auth/cookie/refresh', 'GET /users/me']);
      assert.deepEqual(errors, [], 'no 401 on the way either');
    } finally {
      await context.close();
    }
  });

  test('served with a strict CSP; reloads of app pages get the app, unknown API paths the JSON 404', { timeout: TIMEOUT }, async () => {
    const page = await fetch(`${origin}/manage/users`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await page.text(), /<div id="root">/);
    const api = await fetch(`${origin}/users/me/nope`, { headers: { accept: 'text/html' } });
    assert.deepEqual([api.status, await api.json()], [404, { detail: 'Not Found' }]);
    const json = await fetch(`${origin}/profile`);
    assert.deepEqual([json.status, await json.json()], [404, { detail: 'Not Found' }]);

    const tab = await openTab(browser, origin);
    try {
      await tab.page.goto('/no/such/page');
      await heading(tab.page, 'Page not found');
      assertNoScriptErrors(tab.errors); // no CSP violation either: Chromium reports them as console errors
    } finally {
      await tab.close();
    }
  });
});

describe('the web app standalone, on its own origin, against Gatehouse\'s API', () => {
  let dir: string;
  let g: Gatehouse;
  let api: string;
  let site: { server: Server; origin: string };
  let browser: Browser;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-spa-alone-'));
    site = await staticSite(join(dir, 'dist'));
    ({ g, origin: api } = await startGatehouse(`sqlite:///${join(dir, 'spa.db')}`, { CORS_ORIGINS: site.origin }));
    await buildWeb(join(dir, 'dist'), { VITE_API_URL: api });
    browser = await launchBrowser();
  }, { timeout: TIMEOUT });

  after(async () => {
    await browser?.close().catch(() => {});
    await g?.close().catch(() => {});
    site?.server.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, { timeout: TIMEOUT });

  test('register, sign in and edit the profile across origins (CORS with credentials, CSRF token from the API)', { timeout: TIMEOUT }, async () => {
    const tab = await openTab(browser, site.origin);
    const { page } = tab;
    const calls: string[] = [];
    page.on('request', (r) => { if (r.url().startsWith(api)) calls.push(`${r.method()} ${new URL(r.url()).pathname}`); });
    try {
      await page.goto('/register');
      await page.getByLabel('Email').fill('far@example.com');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Repeat the password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { level: 1, name: 'Your profile' }).waitFor();
      await page.getByLabel('Full name').fill('Far Away');
      await page.getByRole('button', { name: 'Save details' }).click();
      await page.getByRole('status').filter({ hasText: /^Saved\.$/ }).waitFor();
      assert.ok(calls.includes('POST /auth/cookie/login') && calls.includes('PATCH /users/me'), calls.join(', '));
      const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      assert.match(csp ?? '', new RegExp(`connect-src 'self' ${api.replace(/[.:/]/g, '\\$&')}`));
      assert.deepEqual(tab.errors, []);
    } finally {
      await tab.close();
    }
  });
});

/** Builds the web app into `outDir` with the given VITE_* settings (a standalone build). */
async function buildWeb(outDir: string, env: Record<string, string>): Promise<void> {
  const { build } = await import('vite');
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    await build({ root: join(import.meta.dirname, '..', 'web'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}

/** A plain static host for a built SPA: its files, else index.html. */
function staticSite(root: string): Promise<{ server: Server; origin: string }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let file = join(root, path.split('/').filter((p) => p && !p.startsWith('.')).join('/'));
    if (!existsSync(file) || !statSync(file).isFile()) file = join(root, 'index.html');
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}
