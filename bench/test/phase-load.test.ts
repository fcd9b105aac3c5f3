// The benchmark's lean load client (bench/lib/phase-load.ts) decides the login and register bars: it must count what
// the server answered, tell failures apart, and never leave a phase hanging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startPhaseLoad, type PhaseLoad, type PhaseRequest, type PhaseSpec } from '../lib/phase-load.ts';

/** What the test server saw: the bodies it got, requests not yet answered, connections opened. */
interface Seen { bodies: string[]; unanswered: number; connections: number }

/** A server on 127.0.0.1 that answers each request after `delayMs` through `answer`. */
async function withServer(answer: (req: IncomingMessage, body: string, res: ServerResponse) => void, run: (port: number, seen: Seen) => Promise<void>, delayMs = 5) {
  const seen: Seen = { bodies: [], unanswered: 0, connections: 0 };
  const server = createServer((req, res) => {
    let body = '';
    seen.unanswered++;
    res.on('finish', () => { seen.unanswered--; });
    res.on('close', () => { if (!res.writableFinished) seen.unanswered--; });
    req.on('data', (c) => { body += c; });
    req.on('end', () => { seen.bodies.push(body); setTimeout(() => answer(req, body, res), delayMs); });
  });
  server.on('connection', () => { seen.connections++; });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await run((server.address() as AddressInfo).port, seen);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

const post = (body: string): PhaseRequest => ({ method: 'POST', path: '/x', headers: { 'content-type': 'text/plain' }, body });
const spec = (port: number, connections: number, request: PhaseRequest, timeoutMs = 10_000) => ({ host: '127.0.0.1', port, connections, request, timeoutMs });
/** Starts the phase client with `s`, runs `fn` with it, and stops it. */
async function withLoad(s: PhaseSpec, fn: (load: PhaseLoad) => Promise<void>): Promise<void> {
  const load = await startPhaseLoad(s);
  try {
    await fn(load);
  } finally {
    load.close();
  }
}
const settled = () => new Promise((r) => setTimeout(r, 100));

test('a phase counts the 2xx answers that arrive in its measured window, and leaves nothing in flight', async () => {
  await withServer((_req, body, res) => res.end(body.toUpperCase()), async (port, seen) => {
    await withLoad(spec(port, 4, post('hello')), async (load) => {
      const r = await load.run(0.1, 0.5);
      assert.ok(r.completed > 20, `4 connections × 0.5 s at ~5 ms per answer: ${r.completed}`);
      assert.equal(r.ok, r.completed);
      assert.ok(Math.abs(r.rps - r.ok / 0.5) < 1e-9);
      assert.equal(r.errors + r.timeouts + r.non2xx, 0);
      // Answers of the warm-up are not in the rate, but every answer of the phase is in statusCodes.
      assert.ok(seen.bodies.length > r.completed + 4, `the server got ${seen.bodies.length} requests, ${r.completed} counted`);
      assert.equal(r.statusCodes[200], seen.bodies.length);
      assert.ok(seen.bodies.every((b) => b === 'hello'));
      // When run() resolves every request has been answered, and no request follows.
      assert.equal(seen.unanswered, 0);
      const after = seen.bodies.length;
      await settled();
      assert.equal(seen.bodies.length, after, 'no request after the phase');
      // The next phase reuses the same four connections.
      const again = await load.run(0, 0.2);
      assert.ok(again.ok > 0);
      assert.equal(seen.connections, 4);
    });
  });
});

test('a failure in the warm-up or after the window is a failure of the phase, and a failed answer is not in the rate', async () => {
  let n = 0;
  await withServer((_req, _body, res) => {
    n++;
    res.statusCode = n === 1 ? 500 : 200; // the first request: in the warm-up
    res.end('{}');
  }, async (port) => {
    await withLoad(spec(port, 2, post('x')), async (load) => {
      const r = await load.run(0.2, 0.3);
      assert.equal(r.non2xx, 1);
      assert.equal(r.statusCodes[500], 1);
      assert.equal(r.ok, r.completed, 'the 500 came before the window');
    });
  });
  let m = 0;
  await withServer((_req, _body, res) => {
    res.statusCode = ++m % 2 ? 200 : 400;
    res.end('{}');
  }, async (port) => {
    await withLoad(spec(port, 2, post('x')), async (load) => {
      const r = await load.run(0, 0.3);
      assert.ok(r.non2xx > 0 && r.ok > 0 && r.completed > r.ok, JSON.stringify(r));
      assert.ok(Math.abs(r.rps - r.ok / 0.3) < 1e-9, 'the rate counts 2xx answers only');
    });
  });
});

test('an answer that does not come in time is a timeout, even after the window, and the phase still ends', async () => {
  let n = 0;
  await withServer((_req, _body, res) => {
    if (++n === 3) return; // never answered
    res.end('ok');
  }, async (port) => {
    await withLoad(spec(port, 2, post('x'), 400), async (load) => {
      const r = await load.run(0, 0.2);
      assert.equal(r.timeouts, 1, JSON.stringify(r));
      assert.ok(r.ok > 0);
    });
  });
});

test('non-2xx answers are counted apart, and each registration gets an address of its own', async () => {
  await withServer((_req, body, res) => {
    res.statusCode = JSON.parse(body).email.endsWith('3@bench.example.com') ? 400 : 201;
    res.end('{}');
  }, async (port, seen) => {
    await withLoad(spec(port, 3, {
      method: 'POST', path: '/auth/register', headers: { 'content-type': 'application/json' }, uniqueEmail: { prefix: 'p', password: 'pw' },
    }), async (load) => {
      const r = await load.run(0, 0.4);
      assert.ok((r.statusCodes[400] ?? 0) > 0 && (r.statusCodes[201] ?? 0) > 0, JSON.stringify(r.statusCodes));
      assert.equal(r.non2xx, r.statusCodes[400]);
      const emails = seen.bodies.map((b) => JSON.parse(b).email as string);
      assert.equal(new Set(emails).size, emails.length, 'no address is sent twice');
      assert.ok(emails.every((e) => /^p-\d+@bench\.example\.com$/.test(e)));
    });
  });
});

test('a connection the server drops, or a chunked answer it cannot read, counts as an error and the phase still ends', async () => {
  let n = 0;
  await withServer((_req, _body, res) => {
    n++;
    if (n % 3 === 0) res.socket?.destroy();
    else if (n % 3 === 1) { res.write('chunk'); res.end(); } // no Content-Length: chunked
    else { res.statusCode = 204; res.end(); } // no Content-Length, no body: fine
  }, async (port) => {
    await withLoad(spec(port, 2, post('x')), async (load) => {
      const r = await load.run(0, 0.5);
      assert.ok(r.errors > 0, `errors: ${r.errors}`);
      assert.ok(r.ok > 0, `the connections were replaced and went on: ${r.ok} answers`);
      assert.deepEqual(Object.keys(r.statusCodes), ['204'], 'a 204 without Content-Length is read as an empty answer');
    });
  });
});

test('a phase against a port where nothing listens reports errors instead of hanging', async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  await withLoad(spec(port, 2, post('x')), async (load) => {
    const r = await load.run(0, 0.3);
    assert.equal(r.completed, 0);
    assert.ok(r.errors > 0);
  });
});
