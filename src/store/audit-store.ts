import type { Kysely } from 'kysely';
import type { AuditEntry, AuditEvent, AuditType } from '../model/audit.ts';
import { toIso, type Database } from './schema.ts';
import { compileOnce, execute } from './compiled-sql.ts';

export interface AuditQuery { userId?: string; type?: AuditType; since?: string; until?: string; limit: number; offset: number }

const compiledInsert = (db: Kysely<Database>) => compileOnce(db.insertInto('audit_events').values({
  type: '?', user_id: '?', actor_id: '?', ip: '?', user_agent: '?', detail: '?', created_at: '?',
}), 7);

/** SQL for the audit trail: append and read, never update. */
export class AuditStore {
  private readonly db: Kysely<Database>;
  /** Compiled once (compileOnce): every login and logout appends a row. */
  private readonly insert: ReturnType<typeof compiledInsert>;

  constructor(db: Kysely<Database>) {
    this.db = db;
    this.insert = compiledInsert(db);
  }

  async append(e: Omit<AuditEvent, 'id'>): Promise<void> {
    await execute(this.db, this.insert, [
      e.type, e.userId, e.actorId, e.ip, e.userAgent, e.detail === null ? null : JSON.stringify(e.detail), e.createdAt,
    ]);
  }

  /** A page of events, newest first, each with its user's and actor's current email (an admin reads emails, not ids). */
  async find(q: AuditQuery): Promise<{ items: AuditEntry[]; total: number }> {
    let base = this.db.selectFrom('audit_events');
    if (q.userId) base = base.where('audit_events.user_id', '=', q.userId);
    if (q.type) base = base.where('audit_events.type', '=', q.type);
    if (q.since) base = base.where('audit_events.created_at', '>=', q.since);
    if (q.until) base = base.where('audit_events.created_at', '<', q.until);
    const [rows, count] = await Promise.all([
      base.leftJoin('users as u', 'u.id', 'audit_events.user_id').leftJoin('users as a', 'a.id', 'audit_events.actor_id')
        .selectAll('audit_events').select(['u.email as user_email', 'a.email as actor_email'])
        .orderBy('audit_events.created_at', 'desc').orderBy('audit_events.id', 'desc').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map((r) => ({
        id: String(r.id), type: r.type as AuditType, userId: r.user_id, actorId: r.actor_id, ip: r.ip, userAgent: r.user_agent,
        detail: r.detail === null ? null : JSON.parse(r.detail) as Record<string, unknown>, createdAt: toIso(r.created_at),
        userEmail: r.user_email ?? null, actorEmail: r.actor_email ?? null,
      })),
      total: Number(count.n),
    };
  }
}
