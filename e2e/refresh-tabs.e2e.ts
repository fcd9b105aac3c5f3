// Two tabs of one origin (one browser context: shared cookies, shared Web Locks) signed in to the web app with the
// cookie transport, both finding their access token gone at the same moment, so both need a refresh at once. The
// refresh requests are held at the browser's network layer until both tabs have had their 401, which makes the race
// certain rather than likely. Afterwards both tabs must still be signed in, and the session must have rotated once.
// Run alone: node --test e2e/refresh-tabs.e2e.ts (builds web/dist if it is missing; `npm run -s build:web` after a
// change to client/ or web/).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { PASSWORD } from '../test/support/harness.ts';
import { openTab, shot, signIn, spaStage } from './support/spa.ts';

const TIMEOUT = 60_000;

describe('two tabs refreshing one session at once, in Chromium', () => {
  const stage = spaStage('refresh-tabs', { timeout: TIMEOUT });

  const register = async (email: string) => {
    const r = await fetch(`${stage.origin}/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
    const body = await r.text();
    assert.equal(r.status, 201, body);
    return JSON.parse(body) as { id: string };
  };

  /**
   * Signs in in one tab, opens a second on the profile, removes the (HttpOnly) access cookie the tabs share, and
   * reloads both: each asks GET /auth/cookie/session, hears that only a refresh cookie came, and wants to refresh. A POST /auth/cookie/refresh is held
   * until `release` says the race is on: with Web Locks, until one tab is queued for the lock the other holds
   * (navigator.locks.query()); without, until both tabs' refreshes have arrived.
   */
  async function raceTwoTabs(email: string, context: BrowserContext, first: Page, release: 'a tab waits for the lock' | 'both refreshes arrived') {
    await signIn(first, email, PASSWORD);
    const second = await context.newPage();
    await second.goto('/');
    await second.getByRole('heading', { level: 1, name: 'Your profile' }).waitFor();

    let refused = 0;
    context.on('response', (r) => { if (r.url() === `${stage.origin}/users/me` && r.status() === 401) refused++; });
    const refreshes: { status: number; refreshCookie: string | undefined }[] = [];
    context.on('response', async (r) => {
      if (r.url() !== `${stage.origin}/auth/cookie/refresh`) return;
      const cookie = (await r.headersArray()).find((h) => h.name.toLowerCase() === 'set-cookie' && h.value.startsWith('gatehouse_refresh='));
      refreshes.push({ status: r.status(), refreshCookie: cookie?.value.split(';')[0] });
    });
    // Both held refreshes are let go in the same tick: Chromium attaches the cookies when a request goes on, so one
    // let go later could already carry the other's successor.
    let arrived = 0;
    let bothArrived!: () => void;
    const together = new Promise<void>((resolve) => { bothArrived = resolve; });
    const aTabWaits = async () => (await first.evaluate(async () => (await navigator.locks.query()).pending ?? [])).some((l) => l.name === 'gatehouse-refresh');
    await context.route(`${stage.origin}/auth/cookie/refresh`, async (route) => {
      if (++arrived === 2) bothArrived();
      if (release === 'both refreshes arrived') await together;
      else for (const deadline = Date.now() + 20_000; !(await aTabWaits()) && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
      await route.continue();
    });

    await context.clearCookies({ name: 'gatehouse_access' });
    await Promise.all([first.reload(), second.reload()]);
    await Promise.all([first, second].map((p) => p.getByRole('heading', { level: 1, name: /Your profile|Sign in/ }).waitFor()));
    const status = (p: Page) => p.evaluate(async () => (await fetch('/users/me')).status);
    return { second, refused, refreshes, statuses: [await status(first), await status(second)] };
  }

  /** How many times the user's sessions rotated (refresh tokens beyond each session's first), and live sessions. */
  async function serverSide(userId: string) {
    const tokens = await stage.g.db.kysely.selectFrom('refresh_tokens').innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
      .select('token_hash').where('sessions.user_id', '=', userId).execute();
    const sessions = await stage.g.db.kysely.selectFrom('sessions').select('id').where('user_id', '=', userId).execute();
    const live = await stage.g.sessions.list(userId);
    const reuse = await stage.g.db.kysely.selectFrom('audit_events').select('id').where('user_id', '=', userId).where('type', '=', 'refresh.reuse').execute();
    return { rotations: tokens.length - sessions.length, live: live.length, reuse: reuse.length };
  }

  test('with Web Locks, one tab refreshes and the other, having waited, just retries: both stay signed in', { timeout: TIMEOUT }, async () => {
    const { id } = await register('tabs-locks@example.com');
    const tab = await openTab(stage.browser, stage.origin);
    try {
      await tab.page.goto('/login');
      assert.equal(await tab.page.evaluate(() => typeof navigator.locks?.request), 'function', 'Chromium has Web Locks');
      const race = await raceTwoTabs('tabs-locks@example.com', tab.context, tab.page, 'a tab waits for the lock');
      await shot(race.second, 'refresh-tabs-locks');
      assert.deepEqual(race.statuses, [200, 200], 'both tabs are still signed in');
      assert.equal(race.refused, 0, 'no tab met a 401: a page load asks GET /auth/cookie/session, which said "refresh"');
      assert.equal(race.refreshes.length, 1, 'one refresh reached the server');
      assert.equal(race.refreshes[0]!.status, 204);
      assert.deepEqual(await serverSide(id), { rotations: 1, live: 1, reuse: 0 });
      assert.deepEqual(tab.errors, []);
    } finally {
      await tab.close();
    }
  });

  test('without Web Locks (an older browser), both tabs refresh and the server answers both with the same successor', { timeout: TIMEOUT }, async () => {
    const { id } = await register('tabs-nolocks@example.com');
    const tab = await openTab(stage.browser, stage.origin);
    try {
      // Before any script of the page runs: this browser has no navigator.locks.
      await tab.context.addInitScript(() => { Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined, configurable: true }); });
      await tab.page.goto('/login');
      assert.equal(await tab.page.evaluate(() => navigator.locks), undefined);
      const race = await raceTwoTabs('tabs-nolocks@example.com', tab.context, tab.page, 'both refreshes arrived');
      await shot(race.second, 'refresh-tabs-no-locks');
      assert.deepEqual(race.statuses, [200, 200], 'both tabs are still signed in');
      assert.equal(race.refused, 0, 'no tab met a 401: a page load asks GET /auth/cookie/session, which said "refresh"');
      const ok = race.refreshes.filter((r) => r.status === 204);
      assert.equal(ok.length, race.refreshes.length, JSON.stringify(race.refreshes));
      assert.ok(ok.length >= 2, `both tabs refreshed (${ok.length})`);
      assert.equal(new Set(ok.map((r) => r.refreshCookie)).size, 1, 'with the same successor');
      assert.deepEqual(await serverSide(id), { rotations: 1, live: 1, reuse: 0 });
      assert.deepEqual(tab.errors, []);
    } finally {
      await tab.close();
    }
  });
});
