// The benchmark's lean load client (bench/phase-load.ts) decides the login and register bars: it must count what
// the server answered, tell failures apart, and never leave a phase hanging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startPhaseLoad, type PhaseRequest } from '../bench/phase-load.ts';

/** A server on 127.0.0.1 that answers each request after `delayMs` through `answer`, and records the bodies it got. */
async function withServer(answer: (req: IncomingMessage, body: string, res: ServerResponse) => void, run: (port: number, bodies: string[]) => Promise<void>, delayMs = 5) {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { bodies.push(body); setTimeout(() => answer(req, body, res), delayMs); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await run((server.address() as AddressInfo).port, bodies);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

const post = (body: string): PhaseRequest => ({ method: 'POST', path: '/x', headers: { 'content-type': 'text/plain' }, body });

test('a phase counts the answers that arrive in its measured window, and nothing is in flight when it ends', async () => {
  await withServer((_req, body, res) => res.end(body.toUpperCase()), async (port, bodies) => {
    const load = await startPhaseLoad({ host: '127.0.0.1', port, connections: 4, request: post('hello') });
    try {
      const r = await load.run(0.1, 0.5);
      assert.ok(r.completed > 20, `4 connections × 0.5 s at ~5 ms per answer: ${r.completed}`);
      assert.equal(r.ok, r.completed);
      assert.deepEqual(r.statusCodes, { 200: r.completed });
      assert.equal(r.errors + r.timeouts, 0);
      assert.ok(Math.abs(r.rps - r.completed / 0.5) < 1e-9);
      // The warm-up's answers are not counted; everything the server received was answered before run() resolved; a
      // second phase reuses the connections.
      const seen = bodies.length;
      assert.ok(seen > r.completed + 4, `the server got ${seen} requests, ${r.completed} counted`);
      assert.ok(bodies.every((b) => b === 'hello'));
      const again = await load.run(0, 0.2);
      assert.ok(again.completed > 0 && bodies.length > seen);
    } finally {
      load.close();
    }
  });
});

test('non-2xx answers are counted apart, and each registration gets an address of its own', async () => {
  await withServer((_req, body, res) => {
    res.statusCode = JSON.parse(body).email.endsWith('3@bench.example.com') ? 400 : 201;
    res.end('{}');
  }, async (port, bodies) => {
    const load = await startPhaseLoad({
      host: '127.0.0.1', port, connections: 3,
      request: { method: 'POST', path: '/auth/register', headers: { 'content-type': 'application/json' }, uniqueEmail: { prefix: 'p', password: 'pw' } },
    });
    try {
      const r = await load.run(0, 0.4);
      assert.ok((r.statusCodes[400] ?? 0) > 0 && (r.statusCodes[201] ?? 0) > 0, JSON.stringify(r.statusCodes));
      assert.equal(r.ok, r.statusCodes[201]);
      const emails = bodies.map((b) => JSON.parse(b).email as string);
      assert.equal(new Set(emails).size, emails.length, 'no address is sent twice');
      assert.ok(emails.every((e) => /^p-\d+@bench\.example\.com$/.test(e)));
    } finally {
      load.close();
    }
  });
});

test('a connection the server drops, or a chunked answer it cannot read, counts as an error and the phase still ends', async () => {
  let n = 0;
  await withServer((_req, _body, res) => {
    n++;
    if (n % 3 === 0) res.socket?.destroy();
    else if (n % 3 === 1) { res.write('chunk'); res.end(); } // no Content-Length: chunked
    else res.end('ok');
  }, async (port) => {
    const load = await startPhaseLoad({ host: '127.0.0.1', port, connections: 2, request: post('x') });
    try {
      const r = await load.run(0, 0.5);
      assert.ok(r.errors > 0, `errors: ${r.errors}`);
      assert.ok(r.ok > 0, `the connections were replaced and went on: ${r.ok} answers`);
    } finally {
      load.close();
    }
  });
});

test('a phase against a port where nothing listens reports errors instead of hanging', async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  const load = await startPhaseLoad({ host: '127.0.0.1', port, connections: 2, request: post('x') });
  try {
    const r = await load.run(0, 0.3);
    assert.equal(r.completed, 0);
    assert.ok(r.errors > 0);
  } finally {
    load.close();
  }
});
