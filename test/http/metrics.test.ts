import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onEveryDatabase, PASSWORD } from '../support/harness.ts';

const TOKEN = 'metrics-scrape-token-0123456789';

onEveryDatabase('/metrics', (h) => {
  test('needs the configured bearer token', async () => {
    assert.equal((await h.req({ url: '/metrics' })).statusCode, 401);
    assert.equal((await h.req({ url: '/metrics', headers: { authorization: 'Bearer wrong-token-wrong-token-00' } })).statusCode, 401);
    assert.equal((await h.req({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode, 200);
  });

  test('counts requests by route pattern and status, logins by result, rate-limited requests, and the pool', async () => {
    const { id, token } = await h.user('metrics@example.com');
    await h.req({ url: `/users/${id}`, token });
    await h.req({ method: 'POST', url: '/auth/jwt/login', form: { username: 'metrics@example.com', password: 'wrong password' } });
    for (let i = 0; i < 4; i++) await h.req({ method: 'POST', url: '/auth/register', json: { email: `m${i}@example.com`, password: PASSWORD } });
    const r = await h.req({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.match(r.headers['content-type'] as string, /^text\/plain/);
    const body = r.body;
    assert.match(body, /gatehouse_http_requests_total\{method="GET",route="\/users\/:id",status="403"\} 1/);
    assert.match(body, /gatehouse_logins_total\{result="ok"\} 1/);
    assert.match(body, /gatehouse_logins_total\{result="failed"\} 1/);
    assert.match(body, /gatehouse_rate_limited_total\{rule="register_ip"\} 1/);
    assert.match(body, /gatehouse_http_request_duration_seconds_bucket\{le="0.1",method="POST",route="\/auth\/register"\}/);
    assert.match(body, /gatehouse_hash_queue 0/);
    if (h.db === 'postgres') assert.match(body, /gatehouse_db_pool_connections\{state="total"\} \d+/);
    assert.doesNotMatch(body, /metrics@example\.com|\/users\/[0-9a-f]{8}-/, 'no user data, no raw URLs');
    assert.match(body, /^gatehouse_process_cpu_user_seconds_total \d/m, 'Node\'s process metrics, named once');
    assert.match(body, /^gatehouse_nodejs_heap_size_used_bytes \d/m);
    assert.doesNotMatch(body, /process_process|gatehouse_process_nodejs/);
  });
}, { METRICS: 'true', METRICS_TOKEN: TOKEN, RATE_LIMITS: 'true', RATE_LIMIT_REGISTER_IP: '4/1h' });

onEveryDatabase('/metrics when METRICS is off', (h) => {
  test('does not exist', async () => {
    assert.equal((await h.req({ url: '/metrics' })).statusCode, 404);
  });
});
