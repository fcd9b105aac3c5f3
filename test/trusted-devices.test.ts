import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEVICE_COOKIE_TTL_SECONDS, TrustedDevices } from '../src/manager/trusted-devices.ts';

const devices = new TrustedDevices('s'.repeat(40));

test('a device cookie counts for its login until its lifetime ends, and not after', () => {
  const now = Date.parse('2026-12-07T00:00:00Z');
  const cookie = devices.issue('owner@example.com', now);
  const key = devices.keyOf('owner@example.com', cookie, now);
  assert.match(key!, /^DEVICE:[A-Za-z0-9_-]{22}$/);
  assert.equal(devices.keyOf('owner@example.com', cookie, now + (DEVICE_COOKIE_TTL_SECONDS - 1) * 1000), key);
  assert.equal(devices.keyOf('owner@example.com', cookie, now + DEVICE_COOKIE_TTL_SECONDS * 1000), undefined);
  // Its end is under the MAC: pushed later, the cookie counts as none.
  const [until, rest] = [cookie.slice(0, 10), cookie.slice(10)];
  assert.equal(devices.keyOf('owner@example.com', `${Number(until) + 86_400}${rest}`, now), undefined);
});

test('a cookie made under another APP_SECRET, or for another login, counts as none', () => {
  const cookie = new TrustedDevices('t'.repeat(40)).issue('owner@example.com');
  assert.equal(devices.keyOf('owner@example.com', cookie), undefined);
  assert.equal(devices.keyOf('other@example.com', devices.issue('owner@example.com')), undefined);
});
