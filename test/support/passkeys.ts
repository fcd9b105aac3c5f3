// Passkey helpers for HTTP tests: register a passkey through the API with a soft authenticator, sign in with one.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { Harness } from './harness.ts';
import { SoftAuthenticator, type Bend, type SoftAuthenticatorOptions } from './soft-authenticator.ts';

/** PUBLIC_URL's origin in the test configuration: the default WEBAUTHN_ORIGINS (and its host the RP ID). */
export const ORIGIN = 'http://127.0.0.1:8000';

export const authenticator = (o: Partial<SoftAuthenticatorOptions> = {}) => new SoftAuthenticator({ origin: ORIGIN, ...o });

/** Registers a passkey for the token's user; returns the 201 body. */
export async function addPasskey(h: Harness, token: string, auth: SoftAuthenticator, name = 'My key', bend: Bend = {}): Promise<{ id: string; name: string }> {
  const r = await tryAddPasskey(h, token, auth, name, bend);
  assert.equal(r.statusCode, 201, r.body);
  return r.json();
}

export async function tryAddPasskey(h: Harness, token: string, auth: SoftAuthenticator, name = 'My key', bend: Bend = {}): Promise<LightMyRequestResponse> {
  const o = await h.req({ method: 'POST', url: '/users/me/passkeys/options', token });
  assert.equal(o.statusCode, 200, o.body);
  return h.req({ method: 'POST', url: '/users/me/passkeys', token, json: { name, response: auth.create(o.json(), bend) } });
}

/** POST /auth/passkey/options: the attempt, the options, and the browser-binding cookie it set. */
export async function loginOptions(h: Harness): Promise<{ attempt: string; options: Record<string, any>; binding: Record<string, string> }> {
  const r = await h.req({ method: 'POST', url: '/auth/passkey/options' });
  assert.equal(r.statusCode, 200, r.body);
  const binding = Object.fromEntries((r.cookies as { name: string; value: string }[]).map((c) => [c.name, c.value]));
  return { ...r.json(), binding };
}

export const passkeyLogin = (h: Harness, attempt: string, response: unknown) => h.req({ method: 'POST', url: '/auth/jwt/passkey', json: { attempt, response } });

/** Options, the authenticator's answer (bent as asked), and the bearer sign-in. */
export async function signInWith(h: Harness, auth: SoftAuthenticator, bend: Bend = {}): Promise<LightMyRequestResponse> {
  const { attempt, options } = await loginOptions(h);
  return passkeyLogin(h, attempt, auth.get(options, bend));
}

export const auditOf = (h: Harness, type: string, userId?: string) => {
  let q = h.g.db.kysely.selectFrom('audit_events').selectAll().where('type', '=', type);
  if (userId) q = q.where('user_id', '=', userId);
  return q.execute();
};
