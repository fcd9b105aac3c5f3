// The Gatehouse server under test, as `npm start` and the image run it — the built server (scripts/build-server.ts),
// built once per benchmark process into dist/bench-server/ (not dist/server/: a server started with `npm start` keeps
// its files) — on SQLite in a temporary folder, OWASP argon2 defaults.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { VARIABLES } from '../../src/config/variables.ts';
import { SERVER_MALLOC } from '../../src/cli/malloc-env.ts';
import { ServerStartError, startServer, type ServerProcess } from './server.ts';
import { buildServer, ROOT } from '../../scripts/build-server.ts';

export interface Gatehouse {
  server: ServerProcess;
  /** The configuration the server computes from the same environment: argon2 parameters, hash worker count. */
  config: Config;
}

let built: Promise<string> | undefined;
/** The built server's entry, built on first use (two folders below the project, like dist/server/). */
export const builtServer = (): Promise<string> => (built ??= buildServer(join(ROOT, 'dist', 'bench-server')).then((b) => b.entry));
/** The server run from src/, as `npm run dev` and `npx gatehouse` run it. */
export const SOURCE_SERVER = join(ROOT, 'src', 'bin.mjs');
/** What the server benchmarks start: the built server, or with BENCH_SERVER=source SOURCE_SERVER (to compare). */
const serverScript = (): Promise<string> => {
  if (process.env.BENCH_SERVER === 'source') return Promise.resolve(SOURCE_SERVER);
  if (process.env.BENCH_SERVER && process.env.BENCH_SERVER !== 'built') throw new Error('BENCH_SERVER is "built" (the default) or "source"');
  return builtServer();
};

/**
 * The server's environment: defaults for everything (argon2id included), except what a load test needs. Nothing of
 * Gatehouse's settings is inherited from the caller (a developer's DATABASE_URL or ARGON2_* must not change what is
 * measured) but HASH_WORKERS, which may be set to compare pool sizes (`HASH_WORKERS=1 npm run bench`); unset, the
 * server uses one thread per core, its default. It runs in `dir`, so no ./.env is read either.
 */
function serverEnv(dir: string, host: string, port: number, databaseUrl?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(VARIABLES)) delete env[name];
  // As `npm start` and `serve --workers` run it (src/cli/malloc-env.ts).
  Object.assign(env, SERVER_MALLOC, {
    NODE_ENV: 'production',
    HOST: host,
    PORT: String(port),
    PUBLIC_URL: `http://${host}:${port}`,
    DATABASE_URL: databaseUrl ?? `sqlite:///${join(dir, 'bench.db')}`,
    APP_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    // 50 connections logging in as one account from one IP are a benchmark, not an attack: without this the
    // login and register loads would measure 429s (RATE_LIMITS' own doc: "Off only for benchmarks and tests").
    RATE_LIMITS: 'false',
    ARGON2_MEMORY_KIB: VARIABLES.ARGON2_MEMORY_KIB.default,
    ARGON2_ITERATIONS: VARIABLES.ARGON2_ITERATIONS.default,
    ARGON2_PARALLELISM: VARIABLES.ARGON2_PARALLELISM.default,
  });
  if (process.env.HASH_WORKERS) env.HASH_WORKERS = process.env.HASH_WORKERS;
  return env;
}

/**
 * Where the server stores its data (default: SQLite in `dir`), how many processes serve (`--workers N`, default 1),
 * and settings to set on top of the defaults (e.g. { SESSION_CACHE_MS: '0' }).
 */
export interface GatehouseOptions { databaseUrl?: string; workers?: number; env?: Record<string, string> }

/** Starts the server (it applies the migrations itself) and resolves once /healthz answers. */
export async function startGatehouse(dir: string, host: string, port: number, opts: GatehouseOptions = {}): Promise<Gatehouse> {
  const env = { ...serverEnv(dir, host, port, opts.databaseUrl), ...opts.env };
  let config: Config;
  try {
    config = loadConfig(env, { cwd: dir, dotenv: false });
  } catch (err) {
    throw new ServerStartError('gatehouse', `configuration refused: ${(err as Error).message}`, '');
  }
  const server = await startServer({ name: 'gatehouse', script: await serverScript(), args: ['serve', ...(opts.workers && opts.workers > 1 ? ['--workers', String(opts.workers)] : [])], env, cwd: dir, host, port, readyPath: '/healthz' });
  return { server, config };
}
