// Child-process body of startPhaseLoad() (phase-load.ts): holds keep-alive connections to the server and loads it
// in phases on command, idle in between. A minimal HTTP/1.1 client over node:net: each connection writes a prepared
// request and reads one response (status line, Content-Length, body) before the next. It costs a fraction of
// autocannon's CPU per request, which matters when the load generator shares the two cores with what it measures.
import { connect, type Socket } from 'node:net';
import type { PhaseRequest, PhaseResult, PhaseSpec } from './phase-load.ts';

process.once('disconnect', () => process.exit(1)); // the orchestrator is gone: stop loading its server

const HEAD_END = Buffer.from('\r\n\r\n');

interface Phase {
  /** Answers that arrive from here … */
  measureFrom: number;
  /** … to here are counted in the rate; no request is sent after it. */
  stopAt: number;
  /** Answers in the window, and of those the 2xx ones. */
  completed: number;
  ok: number;
  /** Every answer, error and timeout of the phase, warm-up and drain included: a failure anywhere is a failure. */
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  inFlight: number;
  /** Resolves the phase once, when it has stopped issuing and nothing is in flight. */
  done: () => void;
}

let spec: PhaseSpec;
let sent = 0;
let phase: Phase | undefined;

function requestBytes(): Buffer {
  const n = sent++;
  const r: PhaseRequest = spec.request;
  const body = r.uniqueEmail ? JSON.stringify({ email: `${r.uniqueEmail.prefix}-${n}@bench.example.com`, password: r.uniqueEmail.password }) : r.body ?? '';
  const head = `${r.method} ${r.path} HTTP/1.1\r\nhost: ${spec.host}:${spec.port}\r\n${
    Object.entries(r.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}content-length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return Buffer.from(head + body);
}

/** One keep-alive connection: sends a request whenever the current phase wants one and it has none in flight. */
class Connection {
  private socket: Socket | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private pending: { phase: Phase; timer: NodeJS.Timeout } | undefined;

  private open(): Socket {
    const s = connect({ host: spec.host, port: spec.port, noDelay: true });
    s.on('data', (chunk) => this.onData(chunk));
    s.on('error', () => { /* 'close' follows */ });
    s.on('close', () => {
      if (this.socket !== s) return; // one this connection already replaced
      this.socket = undefined;
      this.buf = Buffer.alloc(0);
      this.finish(undefined, 'error');
    });
    return s;
  }

  /** Sends the next request if the phase is still issuing (opening the connection first if it is closed). */
  next(): void {
    const p = phase;
    if (!p || this.pending) return;
    if (performance.now() >= p.stopAt) {
      endIfDone(p); // e.g. a retry that came too late: the phase may have been waiting for it
      return;
    }
    p.inFlight++;
    this.pending = { phase: p, timer: setTimeout(() => this.finish(undefined, 'timeout'), spec.timeoutMs) };
    this.socket ??= this.open();
    this.socket.write(requestBytes());
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const end = this.buf.indexOf(HEAD_END);
    if (end < 0) return;
    const head = this.buf.subarray(0, end).toString('latin1');
    const status = /^HTTP\/1\.[01] \d{3} /.test(head) ? Number(head.slice(9, 12)) : NaN;
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? (status === 204 || status === 304 ? '0' : undefined);
    if (length === undefined || Number.isNaN(status)) {
      // Chunked or malformed: this client reads only Content-Length bodies. Counted as an error, connection replaced.
      this.finish(undefined, 'error');
      return;
    }
    const total = end + HEAD_END.length + Number(length);
    if (this.buf.length < total) return;
    this.buf = this.buf.subarray(total);
    this.finish(status);
  }

  private finish(status: number | undefined, failure?: 'error' | 'timeout'): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    const p = pending.phase;
    const now = performance.now();
    if (status !== undefined) {
      p.statusCodes[status] = (p.statusCodes[status] ?? 0) + 1;
      if (now >= p.measureFrom && now <= p.stopAt) {
        p.completed++;
        if (status >= 200 && status < 300) p.ok++;
      }
    } else if (failure === 'timeout') {
      p.timeouts++;
    } else {
      p.errors++;
    }
    p.inFlight--;
    if (failure) {
      this.buf = Buffer.alloc(0);
      this.socket?.destroy();
      this.socket = undefined;
      setTimeout(() => this.next(), 50).unref(); // a fresh connection, after a pause (the server may be down)
    } else {
      this.next();
    }
    endIfDone(p);
  }
}

/** Ends the phase once it has stopped issuing and nothing is in flight. */
function endIfDone(p: Phase): void {
  if (p.inFlight === 0 && performance.now() >= p.stopAt) p.done();
}

let connections: Connection[] = [];

function runPhase(warmup: number, seconds: number): Promise<PhaseResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const p: Phase = {
      measureFrom: t0 + warmup * 1000, stopAt: t0 + (warmup + seconds) * 1000,
      completed: 0, ok: 0, statusCodes: {}, errors: 0, timeouts: 0, inFlight: 0,
      done: () => {
        if (phase !== p) return;
        phase = undefined;
        const used = process.cpuUsage(cpu0);
        const wall = (performance.now() - t0) / 1000;
        const answers = Object.entries(p.statusCodes);
        resolve({
          seconds, completed: p.completed, ok: p.ok, rps: p.ok / seconds, statusCodes: p.statusCodes, errors: p.errors, timeouts: p.timeouts,
          non2xx: answers.reduce((n, [code, c]) => n + (code.startsWith('2') ? 0 : c), 0),
          cpuPercent: Math.round(((used.user + used.system) / 1e6 / wall) * 100),
        });
      },
    };
    phase = p;
    for (const c of connections) c.next();
    // A phase whose connections are all idle at its end (none could send) ends on time. The timer's clock may run a
    // millisecond ahead of performance.now(): it re-arms until the end has truly passed.
    const atEnd = () => {
      if (performance.now() < p.stopAt) setTimeout(atEnd, 1);
      else endIfDone(p);
    };
    setTimeout(atEnd, p.stopAt - t0);
  });
}

process.on('message', (msg: { start?: PhaseSpec; run?: { warmup: number; seconds: number } }) => {
  if (msg.start) {
    spec = msg.start;
    connections = Array.from({ length: spec.connections }, () => new Connection());
    process.send!({ ready: true });
  } else if (msg.run) {
    runPhase(msg.run.warmup, msg.run.seconds).then((result) => process.send!({ result }));
  }
});
