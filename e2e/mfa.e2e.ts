// The second factor in the web app, in Chromium, against a real Gatehouse on SQLite at http://localhost:<port> (#15):
// - the authenticator app set up in the Security page (the QR code and the key; the test computes the codes from the
//   key with otpauth, like a phone would), recovery codes shown once and downloaded, then a password sign-in that
//   asks for a code on /mfa (a wrong one is refused, the right one signs in);
// - a passkey as the second factor after the password;
// - the step-up dialog: an action refused for want of a recent proof asks for the strongest factor (not the password),
//   then carries on by itself; cancelled, the action says why it did not happen; a password-only user's proof is the
//   password, and the passkey being added when the dialog opened is then made;
// - an admin whose role requires a second factor is led to enrol one, then removes a user's factors (lost device),
//   after which that user signs in with the password alone.
// Screenshots go to test-artifacts/.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { heading, openSecurity, openTab, registerThroughApi, shot, signIn, signOut, spaStage, type Tab } from './support/spa.ts';
import { AuthenticatorApp } from './support/totp.ts';
import { addVirtualAuthenticator, withoutAutofill } from './support/webauthn.ts';

const TIMEOUT = 120_000;
const PASSWORD = 'a long and unusual passphrase 42';

describe('the second factor in the web app', () => {
  const stage = spaStage('mfa', { env: { MFA_REQUIRED_ROLES: 'admin,super_admin' }, localhost: true, timeout: TIMEOUT });

  const register = (email: string) => registerThroughApi(stage.origin, email, PASSWORD);
  const userId = async (email: string) => (await stage.g.db.kysely.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  const status = (page: Page, text: string | RegExp) => page.getByRole('status').filter({ hasText: text }).waitFor();
  /** Password sign-in of a user with a second factor: lands on /mfa. */
  const passwordStep = async (page: Page, email: string) => {
    await page.goto('/login');
    await page.getByLabel('Email or username').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading(page, 'Second step');
  };
  /** Sets up the authenticator app on the Security page; returns the app and the recovery codes shown. */
  const enrolTotp = async (page: Page, screenshots = false) => {
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('img', { name: /QR code to add .* to an authenticator app/ }).waitFor();
    const app = new AuthenticatorApp(await page.getByTestId('totp-secret').textContent() ?? '');
    if (screenshots) await shot(page, 'security-totp-setup');
    await page.getByLabel('Code from the app').fill(await app.code());
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    const codes = await page.getByTestId('recovery-codes').locator('li').allTextContents();
    return { app, codes };
  };
  /** Makes the session's last proof an hour old, as if the user had been away; the next request refreshes its token. */
  const ageSession = async (tab: Tab, email: string) => {
    await stage.g.db.kysely.updateTable('sessions').set({ auth_time: new Date(Date.now() - 3_600_000).toISOString() }).where('user_id', '=', await userId(email)).execute();
    await tab.context.clearCookies({ name: 'gatehouse_access' });
  };
  const dialog = (page: Page) => page.getByRole('dialog', { name: 'Confirm it is you' });

  test('authenticator app: set up with the QR code\'s key, recovery codes shown once, then password + code', { timeout: TIMEOUT }, async () => {
    await register('ada@example.com');
    const tab = await openTab(stage.browser, stage.origin);
    const { page } = tab;
    try {
      await signIn(page, 'ada@example.com', PASSWORD);
      await openSecurity(page);
      assert.match(await page.getByTestId('mfa-status').textContent() ?? '', /off/);
      const { app, codes } = await enrolTotp(page, true);
      assert.equal(codes.length, 10);
      assert.equal(new Set(codes).size, 10);
      await shot(page, 'security-recovery-codes');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
      assert.equal(download.suggestedFilename(), 'gatehouse-recovery-codes.txt');
      const saved = readFileSync((await download.path())!, 'utf8');
      for (const c of codes) assert.ok(saved.includes(c), 'the file holds every code');
      await page.getByRole('button', { name: 'I have saved them' }).click();
      assert.equal(await page.getByTestId('recovery-codes').count(), 0, 'shown once');
      assert.match(await page.getByTestId('mfa-status').textContent() ?? '', /on/);
      assert.match(await page.getByTestId('recovery-remaining').textContent() ?? '', /10 unused codes left/);

      await signOut(page);
      await passwordStep(page, 'ada@example.com');
      assert.equal(await page.evaluate(async () => (await fetch('/users/me')).status), 401, 'the password alone opened no session');
      await shot(page, 'mfa-second-step');
      await page.getByLabel('Code from your authenticator app').fill(app.stale());
      await page.getByRole('button', { name: 'Verify' }).click();
      assert.match(await page.getByRole('alert').textContent() ?? '', /That code or passkey was not accepted/);
      await page.getByLabel('Code from your authenticator app').fill(await app.code());
      await page.getByRole('button', { name: 'Verify' }).click();
      await heading(page, 'Your profile');

      // A recovery code works once instead of the app.
      await signOut(page);
      await passwordStep(page, 'ada@example.com');
      await page.getByRole('button', { name: 'Use a recovery code' }).click();
      await page.getByLabel('Recovery code', { exact: true }).fill(codes[0]!);
      await page.getByRole('button', { name: 'Verify' }).click();
      await heading(page, 'Your profile');
      await signOut(page);
      await passwordStep(page, 'ada@example.com');
      await page.getByRole('button', { name: 'Use a recovery code' }).click();
      await page.getByLabel('Recovery code', { exact: true }).fill(codes[0]!);
      await page.getByRole('button', { name: 'Verify' }).click();
      assert.match(await page.getByRole('alert').textContent() ?? '', /not accepted/, 'a recovery code works once');
      assert.deepEqual(tab.errors, []);
    } finally {
      await tab.close();
    }
  });

  test('a passkey as the second factor after the password', { timeout: TIMEOUT }, async () => {
    await register('grace@example.com');
    const tab = await openTab(stage.browser, stage.origin);
    const { page, context } = tab;
    try {
      await withoutAutofill(context); // else the virtual authenticator would answer the sign-in page's autofill at once
      await addVirtualAuthenticator(page);
      await signIn(page, 'grace@example.com', PASSWORD);
      await openSecurity(page);
      await page.getByLabel('Name of the new passkey').fill('Laptop');
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await status(page, 'Passkey “Laptop” added.');
      await page.getByTestId('mfa-status').filter({ hasText: 'on' }).waitFor();

      await signOut(page);
      await passwordStep(page, 'grace@example.com');
      await page.getByRole('button', { name: 'Use a passkey' }).click();
      await heading(page, 'Your profile');
      const sessions = await stage.g.db.kysely.selectFrom('sessions').select(['amr']).where('user_id', '=', await userId('grace@example.com'))
        .orderBy('created_at', 'desc').execute();
      const amr = JSON.parse(sessions[0]!.amr ?? '[]') as string[];
      assert.ok(amr.includes('pwd') && amr.includes('mfa') && (amr.includes('hwk') || amr.includes('swk')), `amr of the session: ${amr.join()}`);
      assert.deepEqual(tab.errors, []);
    } finally {
      await tab.close();
    }
  });

  test('the step-up dialog asks for the strongest factor, then the action carries on; cancelled, it says why', { timeout: TIMEOUT }, async () => {
    await register('hopper@example.com');
    const tab = await openTab(stage.browser, stage.origin);
    const { page } = tab;
    try {
      await signIn(page, 'hopper@example.com', PASSWORD);
      await openSecurity(page);
      const { app, codes } = await enrolTotp(page);
      await page.getByRole('button', { name: 'I have saved them' }).click();

      await ageSession(tab, 'hopper@example.com');
      await page.getByRole('button', { name: 'Get new codes…' }).click();
      await page.getByRole('button', { name: 'Yes, new codes' }).click();
      await dialog(page).waitFor();
      await dialog(page).getByLabel('Code from your authenticator app').waitFor();
      assert.equal(await dialog(page).getByLabel('Your password').count(), 0, 'with a second factor, the password alone is not offered');
      await shot(page, 'step-up-dialog');
      await dialog(page).getByLabel('Code from your authenticator app').fill(await app.code());
      await dialog(page).getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor(); // the refused request was sent again
      assert.equal(await dialog(page).isVisible(), false);
      const fresh = await page.getByTestId('recovery-codes').locator('li').allTextContents();
      assert.equal(fresh.length, 10);
      assert.equal(fresh.filter((c) => codes.includes(c)).length, 0, 'new codes');
      await page.getByRole('button', { name: 'I have saved them' }).click();

      await ageSession(tab, 'hopper@example.com');
      await page.getByRole('button', { name: 'Turn off…' }).click();
      await page.getByRole('button', { name: 'Yes, turn it off' }).click();
      await dialog(page).waitFor();
      await dialog(page).getByRole('button', { name: 'Cancel' }).click();
      assert.match(await page.getByRole('alert').textContent() ?? '', /For your security, confirm it is you/);
      assert.match(await page.getByRole('heading', { name: /Authenticator app/ }).textContent() ?? '', /on/, 'still on');
      assert.deepEqual(tab.errors, []);
    } finally {
      await tab.close();
    }
  });

  test('a password-only user steps up with the password, and the passkey being added is then made', { timeout: TIMEOUT }, async () => {
    await register('lin@example.com');
    const tab = await openTab(stage.browser, stage.origin);
    const { page, context } = tab;
    try {
      await withoutAutofill(context);
      await addVirtualAuthenticator(page);
      await signIn(page, 'lin@example.com', PASSWORD);
      await openSecurity(page);
      await ageSession(tab, 'lin@example.com');
      await page.getByLabel('Name of the new passkey').fill('Phone');
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await dialog(page).getByLabel('Your password').fill('not my password');
      await dialog(page).getByRole('button', { name: 'Confirm' }).click();
      assert.match(await dialog(page).getByRole('alert').textContent() ?? '', /did not confirm it is you/);
      await dialog(page).getByLabel('Your password').fill(PASSWORD);
      await dialog(page).getByRole('button', { name: 'Confirm' }).click();
      await status(page, 'Passkey “Phone” added.');
      assert.deepEqual(tab.errors, []);
    } finally {
      await tab.close();
    }
  });

  test('an admin must enrol first, then removes a user\'s factors for a lost device', { timeout: TIMEOUT }, async () => {
    await register('boss@example.com');
    await stage.g.db.kysely.updateTable('users').set({ role: 'admin' }).where('email', '=', 'boss@example.com').execute();
    await register('lost@example.com');
    const user = await openTab(stage.browser, stage.origin);
    const admin = await openTab(stage.browser, stage.origin);
    try {
      await signIn(user.page, 'lost@example.com', PASSWORD);
      await openSecurity(user.page);
      await enrolTotp(user.page);

      await admin.page.goto('/login');
      await admin.page.getByLabel('Email or username').fill('boss@example.com');
      await admin.page.getByLabel('Password').fill(PASSWORD);
      await admin.page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await heading(admin.page, 'Security'); // led here: nothing else works until a second factor is set up
      await status(admin.page, 'Your role requires a second factor.');
      await admin.page.goto('/manage/users'); // every other route says so too, and leads back
      await heading(admin.page, 'Security');
      await enrolTotp(admin.page);
      await admin.page.getByRole('button', { name: 'I have saved them' }).click();
      await admin.page.goto(`/manage/users/${await userId('lost@example.com')}`);
      await heading(admin.page, 'lost@example.com');
      const factors = admin.page.getByTestId('user-factors');
      assert.match(await factors.textContent() ?? '', /Authenticator appon since/);
      await admin.page.getByRole('button', { name: 'Remove factors…' }).click();
      await admin.page.getByRole('button', { name: 'Yes, remove them' }).click();
      await status(admin.page, 'Every second factor of lost@example.com was removed');
      await shot(admin.page, 'admin-user-factors');
      assert.match(await factors.textContent() ?? '', /Authenticator appoff/);

      await user.page.goto('/profile');
      await signOut(user.page);
      await signIn(user.page, 'lost@example.com', PASSWORD); // the password alone again: no second step
      assert.deepEqual([...user.errors, ...admin.errors], []);
    } finally {
      await user.close();
      await admin.close();
    }
  });

  test('an admin required to enrol can do it with a passkey, and then works as usual', { timeout: TIMEOUT }, async () => {
    await register('chief@example.com');
    await stage.g.db.kysely.updateTable('users').set({ role: 'admin' }).where('email', '=', 'chief@example.com').execute();
    const tab = await openTab(stage.browser, stage.origin);
    const { page, context } = tab;
    try {
      await withoutAutofill(context);
      await addVirtualAuthenticator(page);
      await page.goto('/login');
      await page.getByLabel('Email or username').fill('chief@example.com');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await heading(page, 'Security');
      await page.getByText('No passkey yet.').waitFor(); // the passkey list is open to a user who must enrol
      await page.getByLabel('Name of the new passkey').fill('Admin key');
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await status(page, 'Passkey “Admin key” added.');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
      await heading(page, 'Users');
      await page.getByRole('table').waitFor();
      assert.deepEqual(tab.errors, []);
    } finally {
      await tab.close();
    }
  });
});
