// Builds a real Gatehouse on a real database for a test suite, and speaks HTTP to it (in process, via inject).
import { after, before } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { createGatehouse, type Gatehouse, type GatehouseOptions } from '../../src/gatehouse.ts';
import { describeOn, testDatabases, type TestDatabase } from './databases.ts';

export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

/**
 * Test settings: cheap argon2 parameters (the hashing code is the same), silent logs. MFA_REQUIRED_ROLES is empty:
 * most suites make admins without a second factor to test other things; test/http/mfa-policy.test.ts tests the
 * default (admin,super_admin).
 */
export function testConfig(databaseUrl: string, env: Record<string, string> = {}): Config {
  return loadConfig(testEnv(databaseUrl, env), { dotenv: false });
}

/** The settings testConfig reads (for a Gatehouse started in another process). */
export function testEnv(databaseUrl: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test', APP_SECRET: TEST_SECRET, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent',
    ARGON2_MEMORY_KIB: '256', ARGON2_ITERATIONS: '1', HASH_WORKERS: '2', MAIL_FOLDER: join(tmpdir(), 'gatehouse-test-mail'), RATE_LIMITS: 'false', MFA_REQUIRED_ROLES: '', ...env,
  };
}

export interface Harness {
  g: Gatehouse;
  config: Config;
  db: TestDatabase['name'];
  req(opts: { method?: string; url: string; token?: string; json?: unknown; form?: Record<string, string>; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  register(email: string, password?: string, extra?: Record<string, unknown>): Promise<{ id: string; email: string }>;
  login(username: string, password?: string): Promise<string>;
  /** Registers and logs in; returns the user and an access token. */
  user(email: string, password?: string): Promise<{ id: string; token: string }>;
  /** A user of the given role (set in the database via the manager), logged in. */
  withRole(email: string, role: 'user' | 'admin' | 'super_admin'): Promise<{ id: string; token: string }>;
}

export const PASSWORD = 'correct horse battery';

const toDb = await testDatabases();

/**
 * Runs `body` once per database (SQLite, PostgreSQL), each against a fresh Gatehouse on an empty database.
 * `env` adds settings (e.g. REQUIRE_VERIFIED_LOGIN).
 */
export function onEveryDatabase(title: string, body: (h: Harness) => void, env: Record<string, string> = {}, opts: GatehouseOptions = {}): void {
  for (const database of toDb) {
    describeOn(database, `${title} [${database.name}]`, {}, () => {
      const h = {} as Harness;
      let drop: () => Promise<void>;
      before(async () => {
        const created = await database.create();
        drop = created.drop;
        h.config = testConfig(created.url, env);
        h.g = await createGatehouse(h.config, opts);
        h.db = database.name;
      });
      after(async () => {
        await h.g?.close();
        await drop?.();
      });
      h.req = ({ method = 'GET', url, token, json, form, headers = {} }) => h.g.app.inject({
        method: method as 'GET', url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
        ...(json !== undefined ? { payload: json as object } : {}),
        ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
      });
      h.register = async (email, password = PASSWORD, extra = {}) => {
        const r = await h.req({ method: 'POST', url: '/auth/register', json: { email, password, ...extra } });
        assert.equal(r.statusCode, 201, r.body);
        return r.json();
      };
      h.login = async (username, password = PASSWORD) => {
        const r = await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username, password } });
        assert.equal(r.statusCode, 200, r.body);
        return r.json().access_token;
      };
      h.user = async (email, password = PASSWORD) => {
        const { id } = await h.register(email, password);
        return { id, token: await h.login(email, password) };
      };
      h.withRole = async (email, role) => {
        const { id } = await h.register(email);
        if (role !== 'user') await h.g.db.kysely.updateTable('users').set({ role }).where('id', '=', id).execute();
        return { id, token: await h.login(email) };
      };
      body(h);
    });
  }
}
