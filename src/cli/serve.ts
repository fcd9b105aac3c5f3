import type { Config } from '../config/config.ts';
import { createGatehouse, createLogger } from '../gatehouse.ts';
import { pendingMigrations } from '../store/migrate.ts';
import { explainDatabaseError } from '../store/database-errors.ts';

/** How long in-flight requests get to finish after SIGTERM before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

/** `gatehouse serve`: resolves with the exit code once the server has stopped. */
export async function serve(config: Config, opts: { migrate: boolean }): Promise<number> {
  const logger = createLogger(config);
  let g;
  try {
    g = await createGatehouse(config, { logger, migrate: opts.migrate });
  } catch (err) {
    logger.fatal({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, `cannot start: ${explainDatabaseError(err) ?? (err as Error).message}`);
    return 1;
  }
  if (!opts.migrate) {
    const pending = await pendingMigrations(g.db);
    if (pending.length > 0) {
      logger.fatal({ pending }, 'migrations are pending: run "gatehouse migrate" first');
      await g.close();
      return 1;
    }
  }
  try {
    await g.app.listen({ host: config.host, port: config.port });
  } catch (err) {
    const code = (err as { code?: string }).code;
    logger.fatal({ err: { message: (err as Error).message, code } }, `cannot listen on ${config.host}:${config.port}: ${listenProblem(code) ?? (err as Error).message}`);
    await g.close();
    return 1;
  }
  logger.info({ url: config.publicUrl, database: g.db.describe, docs: `${config.publicUrl}/docs` }, 'gatehouse is serving');

  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down: no new connections, finishing requests');
      const timer = setTimeout(() => {
        logger.warn('requests still running after the grace period; exiting');
        resolve(1);
      }, SHUTDOWN_GRACE_MS);
      timer.unref();
      g.close().then(() => { clearTimeout(timer); logger.info('stopped'); resolve(0); }, (err) => {
        clearTimeout(timer);
        logger.error({ err }, 'error while stopping');
        resolve(1);
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

/** What an operator should do when the port cannot be had. */
function listenProblem(code: string | undefined): string | undefined {
  if (code === 'EADDRINUSE') return 'the port is already in use (EADDRINUSE): stop the other server or set another PORT';
  if (code === 'EACCES') return 'not allowed to listen there (EACCES): ports below 1024 need privileges; set PORT to 1024 or above';
  if (code === 'EADDRNOTAVAIL') return 'this machine has no such address (EADDRNOTAVAIL): check HOST';
  return undefined;
}
