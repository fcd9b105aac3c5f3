// The overload benchmark's open-loop client counts right: every request sent is answered once, by status, with the
// 503s' Retry-After and reason; answers to requests of the warm-up are left out of the latencies only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runOpenLoop } from '../overload/open-loop.ts';

test('an open loop of 40 req/s for 2 s: 80 sent, each answered once, 503s with their Retry-After and reason', async () => {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const refuse = n++ % 2 === 1;
      const body = refuse ? '{"detail":{"code":"SERVICE_UNAVAILABLE","reason":"the password-hashing queue is full"}}' : '{}';
      res.writeHead(refuse ? 503 : 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(refuse ? { 'retry-after': '5' } : {}) });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as AddressInfo;
    const r = await runOpenLoop({
      host: '127.0.0.1', port, rate: 40, seconds: 2, method: 'POST', path: '/login', headers: { 'content-type': 'text/plain' },
      bodies: ['a', 'b'], maxConnections: 50, timeoutMs: 5000, warmupSeconds: 1,
    });
    assert.equal(r.sent, 80);
    assert.equal(r.errors + r.timeouts + r.unsent, 0);
    const answered = (r.latencies['200']?.length ?? 0) + (r.latencies['503']?.length ?? 0);
    assert.ok(answered >= 36 && answered <= 44, `${answered} answers kept: those to the second second's requests`);
    assert.equal(r.refusedAs.arrival, 40, 'every 503 counted, warm-up included');
    assert.deepEqual(r.retryAfter, { 5: 40 });
  } finally {
    server.close();
  }
});
