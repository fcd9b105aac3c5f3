// The Better Auth server that `npm run bench:compare` measures Gatehouse against (bench/compare/better-auth/): its
// packages are installed there (lib/install-peer.ts).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type ServerProcess } from '../lib/server.ts';
import { installPeer as installInto, peerVersion as versionIn } from '../lib/install-peer.ts';
import { VARIABLES } from '../../src/config/variables.ts';

/** Answers 200 (null: no cookie, so no database read) as soon as the server is up. */
export const BETTER_AUTH_READY_PATH = '/api/auth/get-session';
export const PEER_DIR = fileURLToPath(new URL('./better-auth/', import.meta.url));

/** `npm ci` in the peer's folder when its node_modules is missing or stale. Throws if npm fails. */
export function installPeer(say: (line: string) => void): void {
  installInto(PEER_DIR, 'the Better Auth peer', say);
}

/** The installed version of a package of the peer's, for the report. */
export function peerVersion(name: string): string {
  return versionIn(PEER_DIR, name);
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
