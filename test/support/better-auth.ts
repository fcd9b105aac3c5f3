// The real Better Auth package (bench/compare/better-auth, installed outside the product's dependencies: `.ci/run` runs
// `npm ci` there) makes the schema and the users of the import tests: its own migrations, its own scrypt hashes.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PEER = fileURLToPath(new URL('../../bench/compare/better-auth/', import.meta.url));

/** Why Better Auth cannot be used here (not installed), or undefined. In CI its absence is a failure, not a skip. */
export function betterAuthMissing(): string | undefined {
  if (existsSync(`${PEER}node_modules/better-auth/package.json`)) return undefined;
  const why = `Better Auth is not installed in ${PEER} (run: cd bench/compare/better-auth && npm ci)`;
  if (process.env.CI) throw new Error(`${why}: CI requires it (.ci/run installs it)`);
  process.stderr.write(`\n!!! ${why}: the Better Auth import tests are SKIPPED.\n\n`);
  return why;
}

/** A Better Auth instance on `database` (a better-sqlite3 Database or a pg Pool), its tables created by its own migrations. */
export async function betterAuth(database: unknown): Promise<{ api: any; context: any; version: string }> {
  const req = createRequire(`${PEER}package.json`);
  const { betterAuth: create } = await import(pathToFileURL(req.resolve('better-auth')).href);
  const { getMigrations } = await import(pathToFileURL(req.resolve('better-auth/db/migration')).href);
  const options = {
    database, secret: 'import-test-better-auth-secret-0123456789abcdef', baseURL: 'http://127.0.0.1:9',
    emailAndPassword: { enabled: true, autoSignIn: false }, telemetry: { enabled: false }, logger: { level: 'error' },
  };
  const { runMigrations } = await getMigrations(options);
  await runMigrations();
  const auth = create(options);
  const version = (JSON.parse(readFileSync(`${PEER}node_modules/better-auth/package.json`, 'utf8')) as { version: string }).version;
  return { api: auth.api, context: await auth.$context, version };
}
