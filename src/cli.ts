#!/usr/bin/env node
// The `gatehouse` command: serve | migrate | create-superuser. Run with Node 24 (`. scripts/node24.sh`).
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config/config.ts';
import { VARIABLES } from './config/variables.ts';
import { createGatehouse, createKeyRing, createLogger } from './gatehouse.ts';
import { StoredKeyRing } from './auth/keys/key-ring.ts';
import { NoSuchDatabaseError, openDatabase } from './store/database.ts';
import { explainDatabaseError } from './store/database-errors.ts';
import { migrateToLatest, migrationNames, pendingMigrations } from './store/migrate.ts';
import { AppError } from './errors.ts';
import { readPassword } from './cli/read-password.ts';
import { normalizeEmail } from './model/email.ts';
import { serve } from './cli/serve.ts';
import { servePrimary } from './cli/cluster.ts';
import { backup } from './cli/backup.ts';
import cluster from 'node:cluster';

const HELP: Record<string, string> = {
  main: `Usage: gatehouse <command> [options]

Commands:
  serve              Start the HTTP server (applies migrations first)
  migrate            Apply database migrations and exit
  create-superuser   Create a super admin, or promote an existing user
  keys               List or rotate the JWT signing keys (EdDSA/ES256/RS256)
  backup             Copy the SQLite database while the server runs (PostgreSQL: pg_dump)
  config             List the configuration variables

Run "gatehouse <command> --help" for a command's options. Settings come from the environment and ./.env.`,
  serve: `Usage: gatehouse serve [--host HOST] [--port PORT] [--workers N] [--no-migrate]

Starts the API on HOST:PORT (default 127.0.0.1:8000). Stops cleanly on SIGTERM/SIGINT.
  --host HOST     Overrides HOST
  --port PORT     Overrides PORT
  --workers N     Run N processes sharing the port (node:cluster); use PostgreSQL, and REDIS_URL for shared rate limits
  --no-migrate    Do not apply migrations; refuse to start if any are pending`,
  migrate: `Usage: gatehouse migrate [--check]

Applies pending migrations to DATABASE_URL. Safe to run from several processes at once.
  --check   Apply nothing; list pending migrations and exit 1 if there are any`,
  'create-superuser': `Usage: gatehouse create-superuser --email EMAIL [--password-stdin]

Creates a verified super admin with EMAIL, or promotes the existing user with that email (and sets the password).
The password is asked for twice on a terminal, or read from the first line of standard input. With the default
MFA_REQUIRED_ROLES, the super admin must set up a second factor at the first sign-in before anything else works.
  --email EMAIL       The super admin's email
  --password-stdin    Read the password from standard input even on a terminal`,
  keys: `Usage: gatehouse keys list | rotate

With an asymmetric JWT_ALGORITHM (EdDSA, ES256, RS256), keys live in the database, shared by every instance.
  list     Each key: kid, algorithm, created, and whether it signs, still verifies, or has expired
  rotate   A new key signs from now on; the old ones keep verifying (and stay in the JWKS) until every
           token they signed has expired. Instances pick the new key up within a minute.`,
  backup: `Usage: gatehouse backup --to FILE

Copies the SQLite database at DATABASE_URL to FILE, consistently, while servers keep using it (SQLite's online
backup), and checks the copy's integrity. FILE must not exist. To restore, stop the servers and put FILE in the
database's place (remove its -wal and -shm files). For PostgreSQL use pg_dump.
  --to FILE   Where the copy goes`,
  config: 'Usage: gatehouse config\n\nLists every configuration variable with its default and meaning.',
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command) {
    console.error(HELP.main);
    return 2;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP.main);
    return 0;
  }
  if (!(command in HELP) || command === 'main') {
    console.error(`gatehouse: unknown command "${command}"\n\n${HELP.main}`);
    return 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: command === 'keys',
    options: {
      help: { type: 'boolean', short: 'h' },
      host: { type: 'string' }, port: { type: 'string' }, 'no-migrate': { type: 'boolean' }, workers: { type: 'string' },
      check: { type: 'boolean' },
      email: { type: 'string' }, 'password-stdin': { type: 'boolean' }, to: { type: 'string' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP[command]);
    return 0;
  }
  switch (command) {
    case 'config':
      for (const [name, v] of Object.entries(VARIABLES)) console.log(`${name}=${v.default ?? ''}\n    ${v.doc}`);
      return 0;
    case 'serve': {
      const env = { ...process.env };
      if (values.host) env.HOST = values.host;
      if (values.port) env.PORT = values.port;
      const config = loadConfig(env);
      const workers = values.workers === undefined ? 1 : Number(values.workers);
      if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
        console.error('gatehouse serve: --workers must be a whole number from 1 to 64');
        return 2;
      }
      if (cluster.isPrimary && workers > 1) return servePrimary(config, workers, { migrate: !values['no-migrate'] });
      // A cluster worker: the primary has migrated already.
      return serve(config, { migrate: !cluster.isWorker && !values['no-migrate'] });
    }
    case 'migrate':
      return migrate(loadConfig(), values.check ?? false);
    case 'create-superuser':
      return createSuperuser(loadConfig(), values.email, values['password-stdin'] ?? false);
    case 'keys':
      return keys(loadConfig(), positionals[0]);
    case 'backup':
      return backup(loadConfig(), values.to);
  }
  return 2;
}

async function migrate(config: Config, check: boolean): Promise<number> {
  if (check) return migrateCheck(config);
  const db = openDatabase(config.databaseUrl);
  try {
    const { applied } = await migrateToLatest(db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : `${db.describe}: up to date`);
    return 0;
  } finally {
    await db.close();
  }
}

/** `migrate --check`: reads, never writes; a SQLite file that does not exist yet has every migration pending. */
async function migrateCheck(config: Config): Promise<number> {
  let db;
  try {
    db = openDatabase(config.databaseUrl, { readOnly: true });
  } catch (err) {
    if (!(err instanceof NoSuchDatabaseError)) throw err;
    console.log(`pending: ${migrationNames('sqlite').join(', ')} (${err.message})`);
    return 1;
  }
  try {
    const pending = await pendingMigrations(db);
    console.log(pending.length ? `pending: ${pending.join(', ')}` : 'up to date');
    return pending.length ? 1 : 0;
  } finally {
    await db.close();
  }
}

async function createSuperuser(config: Config, typed: string | undefined, fromStdin: boolean): Promise<number> {
  if (!typed) {
    console.error('gatehouse create-superuser: --email is required');
    return 2;
  }
  // The one email rule (model/email.ts), checked before the password is asked for.
  const checked = normalizeEmail(typed);
  if (!checked.ok) {
    console.error(`gatehouse create-superuser: --email ${JSON.stringify(typed)} is not a valid email address: ${checked.reason}`);
    return 2;
  }
  const password = await readPassword({ prompt: `Password for ${checked.email}: `, confirm: true, fromStdin });
  const g = await createGatehouse(config, { logger: createLogger({ logLevel: 'warn' }), mailWorker: false });
  try {
    const { user, created } = await g.users.createSuperuser(typed, password); // which normalises it (the one rule)
    console.log(`${created ? 'created' : 'promoted'} super admin ${user.email} (${user.id})`);
    if (config.mfa.requiredRoles.includes('super_admin') && !user.mfaEnabled) {
      console.log('MFA_REQUIRED_ROLES includes super_admin: at the first sign-in, set up a second factor (an authenticator app or a passkey)'
        + ' before anything else works (the web app leads you; API: POST /users/me/totp, then POST /users/me/totp/confirm).');
    }
    return 0;
  } finally {
    await g.close();
  }
}

const isUsageError = (err: unknown): boolean => String((err as { code?: string })?.code ?? '').startsWith('ERR_PARSE_ARGS_');

async function keys(config: Config, action: string | undefined): Promise<number> {
  if (action !== 'list' && action !== 'rotate') {
    console.error(HELP.keys);
    return 2;
  }
  const db = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(db);
    const ring = createKeyRing(config, db);
    if (!(ring instanceof StoredKeyRing)) {
      console.error(`gatehouse keys: JWT_ALGORITHM is ${config.jwt.algorithm}: tokens are signed with APP_SECRET, there are no keys to ${action}`);
      return 2;
    }
    if (action === 'rotate') console.log(`new signing key ${await ring.rotate()} (${ring.algorithm})`);
    const all = await ring.list();
    if (all.length === 0) console.log('no keys yet: "gatehouse serve" creates the first one at start (or run "gatehouse keys rotate")');
    for (const k of all) {
      console.log(`${k.kid}  ${k.alg.padEnd(5)}  created ${k.createdAt}  ${k.retiredAt === null ? 'signing' : `retired ${k.retiredAt}`}`);
    }
    return 0;
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  if (cluster.isWorker) process.disconnect(); // the IPC channel would keep a stopped worker alive
}, (err: unknown) => {
  if (err instanceof ConfigError) console.error(`gatehouse: configuration error: ${err.message}`);
  else if (err instanceof AppError) console.error(`gatehouse: ${err.reason ?? err.code}`);
  else if (isUsageError(err)) console.error(`gatehouse: ${(err as Error).message}\n\n${HELP[process.argv[2] ?? 'main'] ?? HELP.main}`);
  else console.error(`gatehouse: ${explainDatabaseError(err) ?? (err as Error)?.message ?? String(err)}`);
  process.exitCode = err instanceof ConfigError || err instanceof AppError || isUsageError(err) ? 2 : 1;
});
