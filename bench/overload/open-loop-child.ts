// Child-process body of runOpenLoop() (open-loop.ts): a minimal HTTP/1.1 client over node:net that sends a request
// every 1/rate seconds on an idle keep-alive connection (opening one when none is idle, up to maxConnections), and
// reads Content-Length answers. Kept lean: it shares the two cores with the server it measures.
import { connect, type Socket } from 'node:net';
import type { OpenLoopResult, OpenLoopSpec } from './open-loop.ts';

process.once('disconnect', () => process.exit(1));

const HEAD_END = Buffer.from('\r\n\r\n');

function run(spec: OpenLoopSpec): Promise<OpenLoopResult> {
  const head = `${spec.method} ${spec.path} HTTP/1.1\r\nhost: ${spec.host}:${spec.port}\r\n${Object.entries(spec.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}`;
  const requests = spec.bodies.map((body) => Buffer.from(`${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`));
  let nth = 0;
  const result: OpenLoopResult = {
    sent: 0, unsent: 0, latencies: {}, retryAfter: {}, refusedAs: { arrival: 0, deadline: 0, other: 0 }, errors: 0, timeouts: 0, seconds: spec.seconds, okInWindow: 0,
  };
  let t0 = 0;
  const idle: Conn[] = [];
  let open = 0;
  let inFlight = 0;
  let stopped = false;
  let finish: () => void = () => {};

  class Conn {
    private readonly socket: Socket;
    private buf: Buffer = Buffer.alloc(0);
    private sentAt = 0;
    private timer: NodeJS.Timeout | undefined;
    private busy = false;

    constructor() {
      open++;
      this.socket = connect({ host: spec.host, port: spec.port, noDelay: true });
      this.socket.on('data', (c) => this.onData(c));
      this.socket.on('error', () => {});
      this.socket.on('close', () => {
        open--;
        const at = idle.indexOf(this);
        if (at >= 0) idle.splice(at, 1);
        if (this.busy) this.done(undefined, 'error');
      });
    }

    close(): void {
      this.socket.destroy();
    }

    send(): void {
      this.busy = true;
      inFlight++;
      this.sentAt = performance.now();
      this.timer = setTimeout(() => this.done(undefined, 'timeout'), spec.timeoutMs);
      this.socket.write(requests[nth++ % requests.length]!);
    }

    private onData(chunk: Buffer): void {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      const end = this.buf.indexOf(HEAD_END);
      if (end < 0) return;
      const head = this.buf.subarray(0, end).toString('latin1');
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
      if (length === undefined) return this.done(undefined, 'error');
      const total = end + HEAD_END.length + Number(length);
      if (this.buf.length < total) return;
      const body = this.buf.subarray(end + HEAD_END.length, total).toString('utf8');
      this.buf = this.buf.subarray(total);
      const status = Number(head.slice(9, 12));
      if (status === 503) {
        const ra = /\r\nretry-after:\s*([^\r]*)/i.exec(head)?.[1] ?? 'none';
        result.retryAfter[ra] = (result.retryAfter[ra] ?? 0) + 1;
        // The reasons of HashQueueBusy (src/crypto/hash-pool.ts).
        if (body.includes('queue is full')) result.refusedAs.arrival++;
        else if (body.includes('could not start in time')) result.refusedAs.deadline++;
        else result.refusedAs.other++;
      }
      this.done(status);
    }

    private done(status: number | undefined, failure?: 'error' | 'timeout'): void {
      if (!this.busy) return;
      this.busy = false;
      clearTimeout(this.timer);
      inFlight--;
      const now = performance.now();
      if (status !== undefined) {
        if (this.sentAt - t0 >= spec.warmupSeconds * 1000) (result.latencies[status] ??= []).push(now - this.sentAt);
        if (status >= 200 && status < 300 && now - t0 >= 1000 && now - t0 <= spec.seconds * 1000) result.okInWindow++;
      } else if (failure === 'timeout') {
        result.timeouts++;
      } else {
        result.errors++;
      }
      if (failure) this.socket.destroy();
      else idle.push(this);
      if (stopped && inFlight === 0) finish();
    }
  }

  return new Promise((resolve) => {
    finish = () => {
      for (const c of idle.splice(0)) c.close();
      resolve(result);
    };
    t0 = performance.now();
    const interval = 1000 / spec.rate;
    let next = 0;
    const tick = () => {
      const now = performance.now() - t0;
      // Every request due by now goes out (a late timer sends the ones it owes at once: the rate holds).
      while (next * interval <= now && next * interval < spec.seconds * 1000) {
        next++;
        const c = idle.pop() ?? (open < spec.maxConnections ? new Conn() : undefined);
        if (!c) { result.unsent++; continue; }
        result.sent++;
        c.send();
      }
      if (next * interval >= spec.seconds * 1000) {
        stopped = true;
        if (inFlight === 0) finish();
        return;
      }
      setTimeout(tick, Math.max(0, next * interval - (performance.now() - t0)));
    };
    tick();
  });
}

process.once('message', (spec: OpenLoopSpec) => {
  run(spec).then((result) => process.send!({ result }, () => process.exit(0)));
});
