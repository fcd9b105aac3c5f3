import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config/config.ts';

const SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const load = (env: Record<string, string>) =>
  loadConfig({ APP_SECRET: SECRET, ...env }, { dotenv: false, cwd: mkdtempSync(join(tmpdir(), 'gatehouse-webauthn-')), warn: () => {} });

test('passkeys default to PUBLIC_URL: its host is the RP ID, its origin the one allowed origin; the RP name is "Gatehouse"', () => {
  assert.deepEqual(load({ PUBLIC_URL: 'https://auth.example.com' }).webauthn, { rpId: 'auth.example.com', rpName: 'Gatehouse', origins: ['https://auth.example.com'] });
  assert.deepEqual(load({}).webauthn.origins, ['http://127.0.0.1:8000']);
});

test('an SPA on a sibling subdomain: RP ID the parent domain, both origins allowed', () => {
  const c = load({
    PUBLIC_URL: 'https://auth.example.com', WEBAUTHN_RP_ID: 'Example.com', WEBAUTHN_RP_NAME: 'Example',
    WEBAUTHN_ORIGINS: 'https://app.example.com,https://auth.example.com', NODE_ENV: 'production',
  });
  assert.deepEqual(c.webauthn, { rpId: 'example.com', rpName: 'Example', origins: ['https://app.example.com', 'https://auth.example.com'] });
  assert.equal(load({ PUBLIC_URL: 'http://localhost:8000', WEBAUTHN_ORIGINS: 'http://localhost:5173' }).webauthn.rpId, 'localhost');
});

test('a bad passkey setting stops the server at boot, naming the variable and saying why', () => {
  const bad: [Record<string, string>, string, RegExp][] = [
    [{ WEBAUTHN_RP_ID: 'https://example.com' }, 'WEBAUTHN_RP_ID', /domain name.*without scheme, port or path/],
    [{ WEBAUTHN_RP_ID: 'example.com:443' }, 'WEBAUTHN_RP_ID', /domain name/],
    [{ WEBAUTHN_RP_ID: '10.0.0.1' }, 'WEBAUTHN_RP_ID', /browsers refuse IP addresses/],
    [{ PUBLIC_URL: 'https://auth.example.com', WEBAUTHN_RP_ID: 'other.com' }, 'WEBAUTHN_RP_ID', /https:\/\/auth\.example\.com is not on the RP ID other\.com/],
    [{ PUBLIC_URL: 'https://auth.example.com', WEBAUTHN_ORIGINS: 'https://evil-example.com' }, 'WEBAUTHN_ORIGINS', /not on the RP ID auth\.example\.com/],
    [{ PUBLIC_URL: 'https://example.com', WEBAUTHN_ORIGINS: 'https://notexample.com' }, 'WEBAUTHN_ORIGINS', /not on the RP ID example\.com/],
    [{ PUBLIC_URL: 'http://example.com', WEBAUTHN_ORIGINS: 'http://example.com' }, 'WEBAUTHN_ORIGINS', /plain http/],
    [{ WEBAUTHN_ORIGINS: 'https://a.example/path' }, 'WEBAUTHN_ORIGINS', /is not an origin/],
    [{ WEBAUTHN_RP_NAME: '   ' }, 'WEBAUTHN_RP_NAME', /1 to 64 characters/],
  ];
  for (const [env, variable, why] of bad) {
    assert.throws(() => load(env), (err: unknown) => err instanceof ConfigError && err.variable === variable && why.test(err.message), JSON.stringify(env));
  }
});
