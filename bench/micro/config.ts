// `node bench/micro/config.ts`: reading the configuration at start, in a fresh process each time (what a cold start
// pays), Gatehouse's own (src/config/: import the module, loadConfig) against env-schema (ajv). env-schema gets the
// easier task: a schema with the same variables, their defaults and only JSON-schema checks (types, enums, ranges,
// patterns; none of the URL, duration or rate parsing), compiled and run with ajv already loaded (the server loads
// ajv anyway, for Fastify's route schemas). Median of alternated runs; milliseconds of CPU (and wall-clock) in the process.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { contender } from './contenders.ts';

const env = { APP_SECRET: 'b'.repeat(64) };
/** Prints "CPU ms, wall ms" of the timed part, for the parent. */
function report(c0: NodeJS.CpuUsage, t0: number): void {
  const c = process.cpuUsage(c0);
  process.stdout.write(`${(c.user + c.system) / 1000} ${performance.now() - t0}`);
}
const mode = process.argv[2];

if (mode === 'ours') {
  const [c0, t0] = [process.cpuUsage(), performance.now()];
  const { loadConfig } = await import('../../src/config/config.ts');
  loadConfig(env, { dotenv: false, warn: () => {} });
  report(c0, t0);
} else if (mode === 'env-schema') {
  const { module } = await contender('env-schema');
  const envSchema = (module as { default: (o: { schema: object; data: object; dotenv: boolean }) => Record<string, unknown> }).default;
  const { VARIABLES } = await import('../../src/config/variables.ts'); // for the names and defaults only, outside the timing
  const properties = Object.fromEntries(Object.entries(VARIABLES).map(([name, v]) => [name, { type: 'string', ...(v.default === undefined ? {} : { default: v.default }) }]));
  const schema = JSON.parse(JSON.stringify({ type: 'object', properties: {
    ...properties,
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8000 },
    DB_POOL_SIZE: { type: 'integer', minimum: 1, maximum: 200, default: 10 },
    SESSION_CACHE_MS: { type: 'integer', minimum: 0, maximum: 60000, default: 500 },
    REQUIRE_VERIFIED_LOGIN: { type: 'boolean', default: false },
    NODE_ENV: { type: 'string', enum: ['development', 'production', 'test'], default: 'development' },
    JWT_ALGORITHM: { type: 'string', enum: ['HS256', 'HS384', 'HS512', 'EdDSA', 'ES256', 'RS256'], default: 'HS256' },
    ACCESS_TOKEN_TTL: { type: 'string', pattern: '^\\d+\\s*[smhd]?$', default: '15m' },
  } }));
  const [c0, t0] = [process.cpuUsage(), performance.now()];
  envSchema({ schema, data: env, dotenv: false });
  report(c0, t0);
} else {
  await contender('env-schema'); // installed before the timing
  const self = fileURLToPath(import.meta.url);
  const RUNS = Number(process.env.RUNS ?? 9);
  const times: Record<string, { cpu: number; wall: number }[]> = { ours: [], 'env-schema': [] };
  for (let i = 0; i < RUNS; i++) {
    for (const m of ['ours', 'env-schema'] as const) {
      const r = spawnSync(process.execPath, [self, m], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${m}: ${r.stderr}`);
      const [cpu, wall] = r.stdout.split(' ').map(Number);
      times[m]!.push({ cpu: cpu!, wall: wall! });
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`\nthe configuration read once in a fresh process (median of ${RUNS} alternated runs)`);
  for (const [name, m] of [['Gatehouse: import src/config/config.ts + loadConfig', 'ours'], ['env-schema: compile + validate (ajv loaded, schema built)', 'env-schema']] as const) {
    const t = times[m]!;
    console.log(`  ${name.padEnd(60)} CPU ${median(t.map((x) => x.cpu)).toFixed(1).padStart(6)} ms  wall ${median(t.map((x) => x.wall)).toFixed(1).padStart(6)} ms`);
  }
}
