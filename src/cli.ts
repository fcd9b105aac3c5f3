#!/usr/bin/env node
// The `gatehouse` command: serve | migrate | create-superuser | keys | backup | import | config. Run with Node 24 (`. scripts/node24.sh`).
// Each command's code is imported when that command runs (src/cli/*.ts): `serve` loads none of the import, backup or
// key-management code, and the built server (scripts/build-server.ts) keeps each in a chunk of its own (issue #17).
import { parseArgs } from 'node:util';
import cluster from 'node:cluster';
import { ConfigError, loadConfig } from './config/config.ts';
import { VARIABLES } from './config/variables.ts';
import { explainDatabaseError } from './store/database-errors.ts';
import { AppError } from './errors.ts';
import { HELP } from './cli/help.ts';

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
    allowPositionals: command === 'keys' || command === 'import',
    options: {
      help: { type: 'boolean', short: 'h' },
      host: { type: 'string' }, port: { type: 'string' }, 'no-migrate': { type: 'boolean' }, workers: { type: 'string' },
      check: { type: 'boolean' },
      email: { type: 'string' }, 'password-stdin': { type: 'boolean' }, to: { type: 'string' },
      from: { type: 'string' }, 'dry-run': { type: 'boolean' }, 'skip-conflicts': { type: 'boolean' }, 'batch-size': { type: 'string' },
      'users-table': { type: 'string' }, 'accounts-table': { type: 'string' }, 'username-column': { type: 'string' }, 'full-name-column': { type: 'string' },
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
      if (cluster.isPrimary && workers > 1) return (await import('./cli/cluster.ts')).servePrimary(config, workers, { migrate: !values['no-migrate'] });
      // A cluster worker: the primary has migrated already.
      return (await import('./cli/serve.ts')).serve(config, { migrate: !cluster.isWorker && !values['no-migrate'] });
    }
    case 'migrate':
      return (await import('./cli/migrate.ts')).migrate(loadConfig(), values.check ?? false);
    case 'create-superuser':
      return (await import('./cli/create-superuser.ts')).createSuperuser(loadConfig(), values.email, values['password-stdin'] ?? false);
    case 'keys':
      return (await import('./cli/keys.ts')).keys(loadConfig(), positionals[0]);
    case 'backup':
      return (await import('./cli/backup.ts')).backup(loadConfig(), values.to);
    case 'import':
      return (await import('./cli/import.ts')).importCommand(loadConfig(), positionals[0], values);
  }
  return 2;
}

const isUsageError = (err: unknown): boolean => String((err as { code?: string })?.code ?? '').startsWith('ERR_PARSE_ARGS_');

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
