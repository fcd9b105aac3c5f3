// A private PostgreSQL cluster for one test: its own temp directory and port, never the machine's shared server.
// Tests that stop and start "the database" use this, so nobody else's tests see the outage.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './net.ts';

const run = promisify(execFile);
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
/** initdb refuses root: as root, the cluster is owned by and run as this user. */
const OS_USER = 'postgres';

export interface PgCluster {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust authentication). */
  url: string;
  port: number;
  dir: string;
  start(): Promise<void>;
  /** pg_ctl stop -m fast: open connections are terminated, new ones refused. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server if it runs and deletes the directory; safe to call twice. */
  destroy(): Promise<void>;
}

/** True when the PostgreSQL binaries are installed (and, as root, the postgres user exists). */
export function pgBinariesAvailable(): boolean {
  return existsSync(join(BIN, 'initdb')) && existsSync(join(BIN, 'pg_ctl'));
}

async function as(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  const asRoot = userInfo().uid === 0;
  const [file, argv] = asRoot ? ['runuser', ['-u', OS_USER, '--', cmd, ...args]] : [cmd, args];
  const { stdout } = await run(file, argv, { timeout: timeoutMs, killSignal: 'SIGKILL' });
  return stdout;
}

/** initdb + pg_ctl start in a fresh temp directory on a free loopback port; resolves once it accepts connections. */
export async function startPgCluster(): Promise<PgCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pg-'));
  if (userInfo().uid === 0) {
    const { stdout } = await run('id', ['-u', OS_USER]);
    const { stdout: gid } = await run('id', ['-g', OS_USER]);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  let running = false;

  const waitReady = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
      try {
        await c.connect();
        await c.query('select 1');
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`private PostgreSQL on port ${port} did not accept connections: ${(err as Error).message}`);
      } finally {
        await c.end().catch(() => {});
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const cluster: PgCluster = {
    url, port, dir,
    async start() {
      await as(join(BIN, 'pg_ctl'), ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '20', 'start'], 30_000);
      running = true;
      await waitReady(20_000);
    },
    async stop() {
      await as(join(BIN, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '20', 'stop'], 30_000);
      running = false;
    },
    async restart() {
      await cluster.stop();
      await cluster.start();
    },
    async destroy() {
      if (running) {
        await as(join(BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', '-t', '20', 'stop'], 30_000).catch(() => {});
        running = false;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await as(join(BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], 60_000);
    await cluster.start();
  } catch (err) {
    await cluster.destroy();
    throw err;
  }
  return cluster;
}
