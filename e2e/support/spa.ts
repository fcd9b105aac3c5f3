// Helpers for driving the web app (web/) in Chromium: the build, pages that record script errors, sign-in.
import { after, before } from 'node:test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Gatehouse } from '../../src/gatehouse.ts';
import { ARTIFACTS, launchBrowser, startGatehouse } from './browser.ts';

const ROOT = join(import.meta.dirname, '..', '..');
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

/** `npm test` builds the web app first; a lone `node --test e2e/spa.e2e.ts` builds it here if it is missing. */
export function ensureWebBuilt(): void {
  if (existsSync(join(ROOT, 'web', 'dist', 'index.html'))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'web', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
}

/**
 * Chromium logs every answer with an error status ("Failed to load resource: … 401"): for an SPA that asks
 * GET /users/me to learn whether anyone is signed in, those are expected, not script errors.
 */
const EXPECTED_CONSOLE = /^Failed to load resource: the server responded with a status of (400|401|403|404|422)/;

/** What a web-app suite runs against, set by the suite's before(): Gatehouse serving the built web app, and Chromium. */
export interface SpaStage { g: Gatehouse; origin: string; browser: Browser }

/**
 * Registers the suite's before() and after(): the web app built if it is not, Gatehouse on SQLite in a temp folder
 * (`env` on top of the test settings; `localhost` for passkeys, see launchBrowser) and Chromium; both closed and the
 * folder removed after. The fields are read inside the tests.
 */
export function spaStage(name: string, o: { env?: Record<string, string>; localhost?: boolean; timeout: number }): SpaStage {
  const stage = {} as SpaStage;
  let dir: string | undefined;
  before(async () => {
    ensureWebBuilt();
    dir = mkdtempSync(join(tmpdir(), `gatehouse-${name}-`));
    Object.assign(stage, await startGatehouse(`sqlite:///${join(dir, `${name}.db`)}`, o.env, o.localhost ? { host: 'localhost' } : {}));
    stage.browser = await launchBrowser({ localhost: o.localhost });
  }, { timeout: o.timeout });
  after(async () => {
    await stage.browser?.close().catch(() => {});
    await stage.g?.close().catch(() => {});
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, { timeout: o.timeout });
  return stage;
}

export interface Tab { page: Page; context: BrowserContext; errors: string[]; close(): Promise<void> }

/** A fresh browser context (its own cookies: another browser, as far as the server can tell) with one page. */
export async function openTab(browser: Browser, origin: string, viewport = DESKTOP): Promise<Tab> {
  const context = await browser.newContext({ viewport, baseURL: origin });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !EXPECTED_CONSOLE.test(m.text())) errors.push(`console: ${m.text()}`); });
  return { page, context, errors, close: () => context.close() };
}

export const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `spa-${name}.png`) });

/** Signs in through the login form and waits for the profile. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email or username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Your profile' }).waitFor();
}


/** Waits for the page's one h1 (each page of the app has one, named after it). */
export const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name }).waitFor();

/** "Sign out" in the banner, then the sign-in page. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await heading(page, 'Sign in');
}

/** The Security page (passkeys, authenticator app, recovery codes), from the main navigation. */
export async function openSecurity(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security' }).click();
  await heading(page, 'Security');
}

/** A user made through the API; Node talks to 127.0.0.1, the browser may use localhost (the same server). */
export async function registerThroughApi(origin: string, email: string, password: string): Promise<void> {
  const r = await fetch(`${origin.replace('localhost', '127.0.0.1')}/auth/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
  });
  if (r.status !== 201) throw new Error(`register ${email}: ${r.status} ${await r.text()}`);
}
