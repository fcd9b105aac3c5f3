// What the soak's load saw, per kind of request: how many, how many answered as expected, the unexpected statuses,
// socket errors (and a few examples of each), and latency in a log-scale histogram (constant memory: the soak may
// run for hours).

/** Buckets grow by 5 %: a percentile is within 5 % of the truth; from 0.05 ms, 300 buckets reach past 100 s. */
const GROWTH = 1.05;
const FIRST_MS = 0.05;
const BUCKETS = 300;

export class LatencyHistogram {
  readonly counts = new Array<number>(BUCKETS).fill(0);
  max = 0;

  record(ms: number): void {
    const i = ms <= FIRST_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / FIRST_MS) / Math.log(GROWTH)));
    this.counts[i]!++;
    if (ms > this.max) this.max = ms;
  }

  /** The upper bound of the bucket holding the q-quantile (q in 0..1), in ms; 0 when empty. */
  quantile(q: number): number {
    const total = this.counts.reduce((a, b) => a + b, 0);
    if (total === 0) return 0;
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= q * total) return Math.min(FIRST_MS * GROWTH ** i, this.max);
    }
    return this.max;
  }
}

export interface KindSummary {
  /** e.g. "GET /users/me" */
  request: string;
  expectedStatus: number;
  requests: number;
  expected: number;
  /** Answers with any other status, by status. */
  unexpected: Record<string, number>;
  /** No answer: connection refused or reset, timeout. */
  socketErrors: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

export interface TallySummary {
  byKind: Record<string, KindSummary>;
  requests: number;
  errors: number;
  /** Up to 20 examples: kind, status or error, body. */
  examples: string[];
}

interface KindState { request: string; expectedStatus: number; requests: number; expected: number; unexpected: Record<string, number>; socketErrors: number; latency: LatencyHistogram }

const round = (ms: number) => Math.round(ms * 10) / 10;

export class Tally {
  private readonly kinds = new Map<string, KindState>();
  private readonly examples: string[] = [];

  private kind(kind: string, request: string, expectedStatus: number): KindState {
    let k = this.kinds.get(kind);
    if (!k) {
      k = { request, expectedStatus, requests: 0, expected: 0, unexpected: {}, socketErrors: 0, latency: new LatencyHistogram() };
      this.kinds.set(kind, k);
    }
    return k;
  }

  answered(kind: string, request: string, expectedStatus: number, status: number, ms: number, body: string): void {
    const k = this.kind(kind, request, expectedStatus);
    k.requests++;
    k.latency.record(ms);
    if (status === expectedStatus) k.expected++;
    else {
      k.unexpected[status] = (k.unexpected[status] ?? 0) + 1;
      this.example(`${request}: ${status} (expected ${expectedStatus}) ${body.slice(0, 200)}`);
    }
  }

  failed(kind: string, request: string, expectedStatus: number, err: unknown): void {
    const k = this.kind(kind, request, expectedStatus);
    k.requests++;
    k.socketErrors++;
    const e = err as { message?: string; cause?: { code?: string; message?: string } };
    this.example(`${request}: ${e?.message ?? String(err)}${e?.cause ? ` (${e.cause.code ?? e.cause.message})` : ''}`);
  }

  private example(text: string): void {
    if (this.examples.length < 20) this.examples.push(text);
  }

  /** Requests and errors so far (for progress lines). */
  totals(): { requests: number; errors: number } {
    let requests = 0, errors = 0;
    for (const k of this.kinds.values()) {
      requests += k.requests;
      errors += k.requests - k.expected;
    }
    return { requests, errors };
  }

  summary(): TallySummary {
    const byKind: Record<string, KindSummary> = {};
    for (const [name, k] of this.kinds) {
      byKind[name] = {
        request: k.request, expectedStatus: k.expectedStatus, requests: k.requests, expected: k.expected,
        unexpected: k.unexpected, socketErrors: k.socketErrors,
        latencyMs: { p50: round(k.latency.quantile(0.5)), p90: round(k.latency.quantile(0.9)), p99: round(k.latency.quantile(0.99)), max: round(k.latency.max) },
      };
    }
    return { byKind, ...this.totals(), examples: [...this.examples] };
  }
}
