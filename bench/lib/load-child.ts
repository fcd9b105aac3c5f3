// Child-process body of runLoad() (load.ts): receives a LoadSpec, runs autocannon, sends back a LoadResult.
import autocannon, { type Options, type RawRequest, type Result } from 'autocannon';
import type { LoadResult, LoadSpec } from './load.ts';
import { cpuWindow, settle } from './cpu.ts';
import { tokenPool } from './token-pool.ts';

process.once('disconnect', () => process.exit(1)); // the orchestrator is gone: stop loading its server

/** Counts registrations across the warm-up and the measured run, so no address is sent twice. */
let registered = 0;
/** LoadSpec.tokenPool's credentials, shared by the warm-up and the measured run. */
let pooled: ReturnType<typeof tokenPool> | undefined;

function options(spec: LoadSpec, duration: number): Options {
  const o: Options = {
    url: `${spec.origin}${spec.path}`,
    title: spec.title,
    connections: spec.connections,
    duration,
    pipelining: 1,
    timeout: 10,
    method: spec.method ?? 'GET',
    headers: spec.headers ?? {},
  };
  if (spec.body !== undefined) o.body = spec.body;
  if (spec.connectionRate !== undefined) {
    o.connectionRate = spec.connectionRate;
    // autocannon corrects for coordinated omission with an expected interval of ceil(1 / rate) = 1 ms whatever the
    // rate, which back-fills a 20 ms answer with 19 invented ones; record what was measured instead.
    o.ignoreCoordinatedOmission = true;
  }
  const reg = spec.uniqueRegistration;
  if (reg) {
    o.headers = { ...o.headers, 'content-type': 'application/json' };
    o.requests = [{
      setupRequest: (req: RawRequest): RawRequest => ({
        ...req,
        body: JSON.stringify({ email: `${reg.prefix}-${registered++}@bench.example.com`, password: reg.password, ...reg.extra }),
      }),
    }];
  }
  const login = spec.randomLogin;
  if (login) {
    o.headers = { ...o.headers, 'content-type': 'application/x-www-form-urlencoded' };
    o.requests = [{
      setupRequest: (req: RawRequest): RawRequest => ({
        ...req,
        body: new URLSearchParams({
          username: login.template.replace('{n}', String(Math.floor(Math.random() * login.count))), password: login.password,
        }).toString(),
      }),
    }];
  }
  if (spec.tokenPool) {
    if (spec.tokenPool.header === undefined) o.headers = { ...o.headers, 'content-type': 'application/json' };
    pooled ??= tokenPool(spec.tokenPool);
    o.requests = [pooled()];
  }
  return o;
}

function summarize(spec: LoadSpec, r: Result, cpu: LoadResult['cpu']): LoadResult {
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = Number(count);
  return {
    title: spec.title,
    connections: r.connections,
    duration: r.duration,
    rps: r.requests.average,
    latency: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, mean: r.latency.mean },
    requests: r.requests.total,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    cpu,
  };
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  if (spec.warmup > 0) {
    await autocannon(options(spec, spec.warmup));
    // autocannon ends a run by closing its connections; the server still finishes what was in flight (for logins, up
    // to one hash per connection: ~0.3 s of both hash threads at 50 connections), which would eat into the measured run.
    if (spec.serverPid !== undefined) await settle(spec.serverPid);
  }
  const window = cpuWindow(spec.serverPid);
  const result = await autocannon(options(spec, spec.duration));
  return summarize(spec, result, window());
}

process.once('message', (spec: LoadSpec) => {
  run(spec).then(
    (result) => process.send!({ result }, () => process.exit(0)),
    (err: unknown) => process.send!({ error: (err as Error)?.message ?? String(err) }, () => process.exit(1)),
  );
});
