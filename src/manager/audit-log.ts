import type { AuditEntry, AuditType } from '../model/audit.ts';
import type { ClientInfo } from '../model/client-info.ts';
import type { AuditQuery, AuditStore } from '../store/audit-store.ts';

export interface AuditContext {
  userId?: string | null;
  actorId?: string | null;
  client?: ClientInfo;
  detail?: Record<string, unknown>;
}

/**
 * The audit trail of security events: who, what, when, from where. Recording never makes the user's request fail:
 * a write that fails is reported to `onError` (the log) and the request goes on.
 */
export class AuditLog {
  private readonly store: AuditStore;
  onError: (err: unknown, type: AuditType) => void = () => {};
  /** Told of every event recorded (metrics count from it). */
  onRecord: (type: AuditType) => void = () => {};

  constructor(store: AuditStore) {
    this.store = store;
  }

  async record(type: AuditType, c: AuditContext = {}): Promise<void> {
    this.onRecord(type);
    try {
      await this.store.append({
        type, userId: c.userId ?? null, actorId: c.actorId ?? null, ip: c.client?.ip ?? null,
        userAgent: c.client?.userAgent?.slice(0, 512) ?? null, detail: c.detail ?? null, createdAt: new Date().toISOString(),
      });
    } catch (err) {
      this.onError(err, type);
    }
  }

  find(q: AuditQuery): Promise<{ items: AuditEntry[]; total: number }> {
    return this.store.find(q);
  }
}
