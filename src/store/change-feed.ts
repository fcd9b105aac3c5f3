import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { loadPg } from './drivers.ts';

/**
 * What changed in the store, for caches of its data: a session that ended, a user whose row changed or is gone.
 * `everything` means "changes may have been missed" (the feed reconnected): drop whatever is cached.
 */
export type Change = { kind: 'session'; id: string } | { kind: 'user'; id: string } | { kind: 'everything' };
export type ChangeListener = (c: Change) => void;

/**
 * Tells caches what the stores changed. Listeners in this process hear a change synchronously, before the store
 * method that made it returns, so the instance that ended a session refuses its token at once. Other instances
 * hear it through PostgreSQL (`PgChangeFeed`) or not at all (`LocalChangeFeed`, for SQLite: a cache must then
 * bound its staleness by time alone).
 */
export interface ChangeFeed {
  publish(c: Change): void;
  subscribe(fn: ChangeListener): void;
  close(): Promise<void>;
}

export class LocalChangeFeed implements ChangeFeed {
  private readonly listeners: ChangeListener[] = [];

  publish(c: Change): void {
    this.deliver(c);
  }

  subscribe(fn: ChangeListener): void {
    this.listeners.push(fn);
  }

  protected deliver(c: Change): void {
    for (const fn of this.listeners) fn(c);
  }

  async close(): Promise<void> {}
}

/** NOTIFY channels are per database, so the name carries the schema: deployments in other schemas stay apart. */
export const channelOf = (schema: string) => `gatehouse_changes_${createHash('sha256').update(schema).digest('hex').slice(0, 16)}`;
const RECONNECT_MS = [250, 1000, 5000];
const KINDS: Record<string, 'session' | 'user'> = { s: 'session', u: 'user' };

/**
 * Changes shared by every instance on one PostgreSQL database with LISTEN/NOTIFY: a dedicated connection
 * listens; `publish` delivers locally, then NOTIFYs through the pool. Payload: "<instance>|s:<id>" or "…|u:<id>"
 * (an instance skips its own). NOTIFY is fire-and-forget: a lost one (database down, listener reconnecting) is
 * covered by the listener announcing `everything` when it reconnects, and by the cache's own time bound.
 */
export class PgChangeFeed extends LocalChangeFeed {
  private readonly pool: pg.Pool;
  private readonly url: string;
  private readonly instance = randomUUID();
  private client: pg.Client | undefined;
  /** Known once the first connection read the schema; until then only local listeners hear changes. */
  private channel: string | undefined;
  private closed = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Problems with the listening connection or a NOTIFY; the feed keeps going. */
  onError: (err: Error) => void = () => {};

  constructor(pool: pg.Pool, url: string) {
    super();
    this.pool = pool;
    this.url = url;
  }

  /** Resolves once the first LISTEN is in place, or the first attempt failed (it keeps retrying). */
  async start(): Promise<void> {
    await this.connect();
  }

  override publish(c: Change): void {
    this.deliver(c);
    if (c.kind === 'everything' || !this.channel) return;
    this.pool.query('select pg_notify($1, $2)', [this.channel, `${this.instance}|${c.kind[0]}:${c.id}`]).catch((err: Error) => this.onError(err));
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new (loadPg().Client)({ connectionString: this.url, connectionTimeoutMillis: 5000 });
    client.on('notification', (m) => this.heard(m.payload ?? ''));
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      if (err) this.onError(err);
      client.end().catch(() => {});
      this.deliver({ kind: 'everything' });
      this.retry();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      const { rows: [row] } = await client.query<{ schema: string }>('select current_schema() as schema');
      this.channel = channelOf(row?.schema ?? '');
      await client.query(`LISTEN ${this.channel}`);
      if (this.closed) { await client.end(); return; }
      this.client = client;
      if (this.attempt > 0) this.deliver({ kind: 'everything' }); // what was missed while away
      this.attempt = 0;
    } catch (err) {
      client.end().catch(() => {});
      this.onError(err as Error);
      this.retry();
    }
  }

  private retry(): void {
    if (this.closed) return;
    const wait = RECONNECT_MS[Math.min(this.attempt++, RECONNECT_MS.length - 1)]!;
    this.timer = setTimeout(() => { void this.connect(); }, wait);
    this.timer.unref();
  }

  private heard(payload: string): void {
    const bar = payload.indexOf('|');
    if (bar < 0 || payload.slice(0, bar) === this.instance) return;
    const kind = KINDS[payload[bar + 1]!];
    const id = payload.slice(bar + 3);
    if (kind && payload[bar + 2] === ':' && id) this.deliver({ kind, id });
  }

  override async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => {});
  }
}
