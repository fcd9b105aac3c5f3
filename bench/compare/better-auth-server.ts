// The Better Auth server that `npm run bench:compare` measures Gatehouse against (bench/compare/better-auth/): its
// packages are installed here, on first use or when its package.json / package-lock.json changed, never by CI
// and never into the repository's own node_modules.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type ServerProcess } from '../lib/server.ts';
import { VARIABLES } from '../../src/config/variables.ts';

/** Answers 200 (null: no cookie, so no database read) as soon as the server is up. */
export const BETTER_AUTH_READY_PATH = '/api/auth/get-session';
export const PEER_DIR = fileURLToPath(new URL('./better-auth/', import.meta.url));
const STAMP = join(PEER_DIR, 'node_modules', '.gatehouse-bench-stamp');

/** Digest of what decides the install: when it differs from the stamp written after the last install, reinstall. */
function manifestDigest(): string {
  const h = createHash('sha256');
  for (const f of ['package.json', 'package-lock.json']) {
    const path = join(PEER_DIR, f);
    h.update(f).update(existsSync(path) ? readFileSync(path) : '');
  }
  return h.digest('hex');
}

/** `npm ci` in the peer's folder when its node_modules is missing or stale. Throws if npm fails. */
export function installPeer(say: (line: string) => void): void {
  const digest = manifestDigest();
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === digest) return;
  const locked = existsSync(join(PEER_DIR, 'package-lock.json'));
  const args = locked ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  say(`installing the Better Auth peer: npm ${args.join(' ')} in ${PEER_DIR}`);
  const r = spawnSync('npm', args, { cwd: PEER_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`npm ${args[0]} in ${PEER_DIR} failed (${r.error?.message ?? `exit ${r.status}`})`);
  writeFileSync(STAMP, digest);
}

/** The installed version of a package of the peer's, for the report. */
export function peerVersion(name: string): string {
  return (JSON.parse(readFileSync(join(PEER_DIR, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Starts bench/compare/better-auth/server.mjs (it creates its schema at start) on `databaseUrl` — sqlite:///<file> or
 * postgres://… — and resolves once BETTER_AUTH_READY_PATH answers 200.
 */
export function startBetterAuth(dir: string, host: string, port: number, databaseUrl: string): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: host,
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
    BETTER_AUTH_URL: `http://${host}:${port}`,
    BETTER_AUTH_TELEMETRY: '0',
    // Equal hash cost: Gatehouse's argon2id defaults.
    ARGON2_MEMORY_KIB: VARIABLES.ARGON2_MEMORY_KIB.default,
    ARGON2_ITERATIONS: VARIABLES.ARGON2_ITERATIONS.default,
    ARGON2_PARALLELISM: VARIABLES.ARGON2_PARALLELISM.default,
  };
  return startServer({
    name: 'better-auth', script: join(PEER_DIR, 'server.mjs'), env, cwd: dir, host, port, readyPath: BETTER_AUTH_READY_PATH,
  });
}
