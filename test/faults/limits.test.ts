// Request size and time limits on a real listening server: a body over BODY_LIMIT is refused with 413, and a
// client that trickles its request (slow-loris) is cut off after REQUEST_TIMEOUT.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { testDatabases, type TestDatabase } from '../support/databases.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';

const REQUEST_TIMEOUT_S = 2;
/** REQUEST_TIMEOUT plus Node's check interval (half the timeout) plus slack for a loaded machine. */
const CUT_OFF_WITHIN_MS = REQUEST_TIMEOUT_S * 1000 * 2 + 2000;

/** Opens a raw connection; resolves with what the server sent and when it closed, or 'still open' at `giveUpMs`. */
function rawClient(port: number, giveUpMs: number): { socket: Socket; closed: Promise<{ after: number; received: string } | 'still open'> } {
  const socket = connect({ host: '127.0.0.1', port });
  const start = Date.now();
  let received = '';
  socket.on('data', (d) => { received += d; });
  socket.on('error', () => {});
  const closed = new Promise<{ after: number; received: string } | 'still open'>((resolve) => {
    const timer = setTimeout(() => { socket.destroy(); resolve('still open'); }, giveUpMs);
    socket.once('close', () => { clearTimeout(timer); resolve({ after: Date.now() - start, received }); });
  });
  return { socket, closed };
}

const sqlite = (await testDatabases()).find((d) => d.name === 'sqlite')!;

describe(`request limits on a real server (REQUEST_TIMEOUT=${REQUEST_TIMEOUT_S}s, BODY_LIMIT=4096)`, { timeout: 60_000 }, () => {
  let db: Awaited<ReturnType<TestDatabase['create']>>;
  let server: ServerProcess;
  let port: number;
  const timers: NodeJS.Timeout[] = [];

  before(async () => {
    db = await sqlite.create();
    server = await startServerProcess({ DATABASE_URL: db.url, REQUEST_TIMEOUT: `${REQUEST_TIMEOUT_S}s`, BODY_LIMIT: '4096' });
    port = Number(new URL(server.url).port);
  }, { timeout: 30_000 });

  after(async () => {
    for (const t of timers) clearInterval(t);
    await server?.stop();
    await db?.drop();
  });

  test('a JSON body over BODY_LIMIT is answered 413 PAYLOAD_TOO_LARGE', async () => {
    const r = await fetch(`${server.url}/auth/register`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'big@example.com', password: 'x'.repeat(5000) }), signal: AbortSignal.timeout(10_000),
    });
    assert.equal(r.status, 413);
    assert.deepEqual(await r.json(), { detail: 'PAYLOAD_TOO_LARGE' });
  });

  test('a body announced larger than BODY_LIMIT is refused before it is sent', async () => {
    const { socket, closed } = rawClient(port, 10_000);
    socket.write(`POST /auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{`);
    const r = await closed;
    assert.notEqual(r, 'still open');
    assert.match((r as { received: string }).received, /^HTTP\/1\.1 413 /);
  });

  test('headers sent, then the body trickled a byte a second: cut off (408 or closed) within the bound', { timeout: 30_000 }, async () => {
    const { socket, closed } = rawClient(port, CUT_OFF_WITHIN_MS + 5000);
    socket.write(`POST /auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`);
    const trickle = setInterval(() => socket.writable && socket.write('{'), 1000);
    timers.push(trickle);
    const r = await closed;
    clearInterval(trickle);
    assert.notEqual(r, 'still open', 'the connection was never closed');
    const { after: ms, received } = r as { after: number; received: string };
    assert.ok(ms >= REQUEST_TIMEOUT_S * 1000 - 100 && ms <= CUT_OFF_WITHIN_MS, `closed after ${ms} ms`);
    assert.ok(received === '' || /^HTTP\/1\.1 408 /.test(received), received);
  });

  test('headers never finished: cut off within the bound', { timeout: 30_000 }, async () => {
    const { socket, closed } = rawClient(port, CUT_OFF_WITHIN_MS + 5000);
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('X-A: b\r\n'), 500);
    timers.push(trickle);
    const r = await closed;
    clearInterval(trickle);
    assert.notEqual(r, 'still open', 'the connection was never closed');
    assert.ok((r as { after: number }).after <= CUT_OFF_WITHIN_MS, `closed after ${(r as { after: number }).after} ms`);
  });

  test('a connection that sends nothing at all is closed within the bound', { timeout: 30_000 }, async () => {
    const { closed } = rawClient(port, CUT_OFF_WITHIN_MS + 5000);
    const r = await closed;
    assert.notEqual(r, 'still open', 'the idle connection was never closed');
    assert.ok((r as { after: number }).after <= CUT_OFF_WITHIN_MS, `closed after ${(r as { after: number }).after} ms`);
  });

  test('after all that the server still answers', async () => {
    assert.equal((await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) })).status, 200);
  });
});
