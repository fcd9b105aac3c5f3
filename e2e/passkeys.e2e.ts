// Real passkeys in Chromium (#15): the web app makes and uses them through @simplewebauthn/browser, answered by the
// DevTools protocol's virtual authenticator, against a real Gatehouse on SQLite at http://localhost:<port> (WebAuthn
// refuses an IP address as the relying party). Register a passkey in the Security page, sign out, sign in with it and
// no username (the button; then the username field's autofill, conditional mediation); a cloned authenticator whose
// signature counter went back is refused, and audited. Screenshots go to test-artifacts/.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { heading, openSecurity, openTab, registerThroughApi, shot, signIn, signOut, spaStage, type Tab } from './support/spa.ts';
import { addVirtualAuthenticator, credentialsOf, mediationsOf, recordMediation, withoutAutofill } from './support/webauthn.ts';

const TIMEOUT = 90_000;
const PASSWORD = 'a long and unusual passphrase 42';

describe('passkeys in Chromium', () => {
  const stage = spaStage('passkeys', { localhost: true, timeout: TIMEOUT });

  const register = (email: string) => registerThroughApi(stage.origin, email, PASSWORD);
  /** Signs in with the password, opens the Security page and adds a passkey named `name`. */
  const addPasskey = async (page: Page, email: string, name: string) => {
    await signIn(page, email, PASSWORD);
    await openSecurity(page);
    await page.getByLabel('Name of the new passkey').fill(name);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByRole('status').filter({ hasText: `Passkey “${name}” added.` }).waitFor();
  };
  const passkeyRows = (page: Page) => page.getByRole('list', { name: 'Your passkeys' }).locator('li.passkey');
  const audited = async (type: string) =>
    (await stage.g.db.kysely.selectFrom('audit_events').select(['type', 'user_id']).where('type', '=', type).execute()).length;

  test('register a passkey in the SPA, rename it, sign out, sign in with it and no username, then remove it', { timeout: TIMEOUT }, async () => {
    await register('ada@example.com');
    const tab = await openTab(stage.browser, stage.origin);
    const { page, context } = tab;
    try {
      await withoutAutofill(context); // this browser has the button only: the autofill has its own test
      const authenticator = await addVirtualAuthenticator(page);
      await addPasskey(page, 'ada@example.com', 'Work laptop');
      assert.equal(await passkeyRows(page).count(), 1);
      assert.match(await passkeyRows(page).first().textContent() ?? '', /Work laptop.*never used/);
      const [held] = await credentialsOf(authenticator);
      assert.ok(held, 'the authenticator holds the new passkey');
      assert.ok(held.userHandle, 'a discoverable credential (it holds the user handle): it can sign in without a username');
      await shot(page, 'security-passkey');

      await passkeyRows(page).first().getByRole('button', { name: 'Rename Work laptop' }).click();
      await page.getByLabel('New name for “Work laptop”').fill('Laptop');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').filter({ hasText: 'Renamed to “Laptop”.' }).waitFor();

      await signOut(page);
      await shot(page, 'login-passkey');
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await heading(page, 'Your profile');
      assert.equal(await page.getByTestId('signed-in-as').textContent(), 'ada@example.com');
      const me = await page.evaluate(async () => (await fetch('/users/me')).status);
      assert.equal(me, 200, 'a real session');

      await page.goto('/profile/security');
      await heading(page, 'Security');
      assert.match(await passkeyRows(page).first().textContent() ?? '', /Laptop.*last used/);
      // Some time later (the session's proof is an hour old): removing it asks for a fresh proof, with the passkey
      // itself (the strongest factor), then the removal carries on.
      await stage.g.db.kysely.updateTable('sessions').set({ auth_time: new Date(Date.now() - 3_600_000).toISOString() })
        .where('user_id', '=', (await stage.g.db.kysely.selectFrom('users').select('id').where('email', '=', 'ada@example.com').executeTakeFirstOrThrow()).id).execute();
      await context.clearCookies({ name: 'gatehouse_access' }); // the next request refreshes: its token carries the old proof
      await passkeyRows(page).first().getByRole('button', { name: 'Remove…' }).click();
      await page.getByRole('button', { name: 'Yes, remove' }).click();
      const stepUp = page.getByRole('dialog', { name: 'Confirm it is you' });
      await stepUp.getByRole('button', { name: 'Confirm with a passkey' }).click();
      await page.getByRole('status').filter({ hasText: 'Passkey “Laptop” removed.' }).waitFor();
      assert.equal(await stepUp.isVisible(), false);
      assert.equal(await audited('reauth'), 1, 'the step-up is in the audit log');
      await page.getByText('No passkey yet.').waitFor();
      assert.equal(await audited('passkey.added'), 1);
      assert.equal(await audited('passkey.removed'), 1);

      // The authenticator still holds it, but the server no longer knows it: one answer, no hint which.
      await signOut(page);
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      assert.match(await page.getByRole('alert').textContent() ?? '', /This passkey was not accepted/);
      assert.deepEqual(tab.errors, []);
    } finally {
      await tab.close();
    }
  });

  test('autofill: the username field offers the passkey (conditional mediation), and picking it signs in', { timeout: TIMEOUT }, async () => {
    await register('grace@example.com');
    const tab = await openTab(stage.browser, stage.origin);
    const { page, context } = tab;
    try {
      await recordMediation(context);
      // Before this browser holds a passkey: the sign-in page's username field takes part in passkey autofill. (Read
      // now: once the authenticator holds one, the autofill may sign in before the field could be read.)
      await page.goto('/login');
      const field = page.getByLabel('Email or username');
      assert.equal(await field.getAttribute('autocomplete'), 'username webauthn', 'the field takes part in passkey autofill');
      await addVirtualAuthenticator(page);
      await addPasskey(page, 'grace@example.com', 'Phone');
      await signOut(page);
      // The virtual authenticator picks the one passkey it holds as soon as the page asks: no button is pressed.
      await heading(page, 'Your profile');
      assert.equal(await page.getByTestId('signed-in-as').textContent(), 'grace@example.com');
      assert.equal(await field.count(), 0);
      const mediations = await mediationsOf(page); // since the first page load: the sign-in page asked twice (before and after)
      assert.ok(mediations.length >= 1 && mediations.every((m) => m === 'conditional'), `only autofill requests, no prompt: ${mediations.join()}`);
      assert.deepEqual(tab.errors, []);
    } finally {
      await tab.close();
    }
  });

  test('a cloned passkey (its signature counter went back) is refused with one answer, and audited', { timeout: TIMEOUT }, async () => {
    await register('eve@example.com');
    const original = await openTab(stage.browser, stage.origin);
    let clone: Tab | undefined;
    try {
      await withoutAutofill(original.context);
      const a = await addVirtualAuthenticator(original.page);
      await addPasskey(original.page, 'eve@example.com', 'Security key');
      await signOut(original.page);
      await original.page.getByRole('button', { name: 'Sign in with a passkey' }).click(); // the counter moves on
      await heading(original.page, 'Your profile');
      const [credential] = await credentialsOf(a);
      assert.ok(credential && credential.signCount >= 2, `the authenticator counted its signatures (${credential?.signCount})`);

      // Another browser, another authenticator, holding a copy of the key with an older counter: a cloned device.
      clone = await openTab(stage.browser, stage.origin);
      await withoutAutofill(clone.context);
      const b = await addVirtualAuthenticator(clone.page);
      await b.cdp.send('WebAuthn.addCredential', { authenticatorId: b.id, credential: { ...credential, signCount: credential.signCount - 2 } });
      const before = await audited('passkey.counter_regression');
      await clone.page.goto('/login');
      await clone.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      assert.match(await clone.page.getByRole('alert').textContent() ?? '', /This passkey was not accepted/);
      assert.equal(await clone.page.evaluate(async () => (await fetch('/users/me')).status), 401, 'no session');
      assert.equal(await audited('passkey.counter_regression'), before + 1, 'the regression is in the audit log');
      await shot(clone.page, 'passkey-clone-refused');

      // The genuine authenticator still signs in (its counter is ahead of the server's).
      await signOut(original.page);
      await original.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await heading(original.page, 'Your profile');
      assert.deepEqual([...original.errors, ...clone.errors], []);
    } finally {
      await clone?.close();
      await original.close();
    }
  });
});
