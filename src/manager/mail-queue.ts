import type { Logger } from 'pino';
import type { Mail, Mailer } from '../mail/mailer.ts';
import { SECURITY_EVENTS, maskEmail, type MailTemplates, type SecurityEvent } from '../mail/templates.ts';
import type { LinkMailKind, MailJob, MailKind, MailOutboxStore } from '../store/mail-outbox-store.ts';
import type { UserStore } from '../store/user-store.ts';
import type { AccountTokens } from './account-tokens.ts';

export interface MailQueueOptions {
  appName: string;
  /** Pages of the SPA the links open; the token is appended as ?token=… . Never derived from a request's Host. */
  links: Record<LinkMailKind, string>;
  /** Log each link (MAIL_LOG_LINKS: local development only; a link is a credential). */
  logLinks: boolean;
}

const MAX_ATTEMPTS = 10;
const LOCK_MS = 60_000;
const TICK_MS = 1_000;
/** 5 s, 10 s, 20 s … capped at an hour: about 45 minutes of retries before a message is given up. */
const backoffMs = (attempt: number) => Math.min(5_000 * 2 ** (attempt - 1), 3_600_000);

/**
 * Verification and reset mail, sent after the HTTP response: a request only writes a row, whether or not the
 * email belongs to anyone (same work, same time, no enumeration). A worker in every instance takes due rows,
 * decides whether there is anything to send, mints the token, and sends; failures are retried with backoff and
 * logged. The queue is the table, so a restart loses nothing.
 */
export class MailQueue {
  private readonly store: MailOutboxStore;
  private readonly users: UserStore;
  private readonly tokens: AccountTokens;
  private readonly mailer: Mailer;
  private readonly templates: MailTemplates;
  private readonly o: MailQueueOptions;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(deps: { store: MailOutboxStore; users: UserStore; tokens: AccountTokens; mailer: Mailer; templates: MailTemplates; log: Logger }, o: MailQueueOptions) {
    this.store = deps.store;
    this.users = deps.users;
    this.tokens = deps.tokens;
    this.mailer = deps.mailer;
    this.templates = deps.templates;
    this.log = deps.log;
    this.o = o;
  }

  async enqueue(kind: LinkMailKind, email: string): Promise<void> {
    await this.queue(kind, email, null);
  }

  /** Tells the old address that the account's email is now `newEmail` (stored masked). */
  async emailChanged(oldEmail: string, newEmail: string): Promise<void> {
    await this.queue('email_changed', oldEmail, maskEmail(newEmail));
  }

  /** Tells the user that a passkey named `name` was added to (or removed from) their account. */
  async passkeyChanged(email: string, change: 'added' | 'removed', name: string): Promise<void> {
    await this.queue(change === 'added' ? 'passkey_added' : 'passkey_removed', email, name);
  }

  /** Tells the user that what protects the account changed (a factor added or removed, a recovery code used…). */
  async securityNotice(email: string, event: SecurityEvent): Promise<void> {
    await this.queue('security_notice', email, event);
  }

  private async queue(kind: MailKind, email: string, detail: string | null): Promise<void> {
    await this.store.enqueue(kind, email, new Date().toISOString(), detail);
    if (this.timer) setImmediate(() => void this.drain());
  }

  start(): void {
    this.timer ??= setInterval(() => void this.drain(), TICK_MS).unref();
    void this.drain();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    this.mailer.close();
  }

  /** Sends every due message; concurrent calls share one pass (and ask for another if work arrived meanwhile). */
  drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        for (let job = await this.claim(); job; job = await this.claim()) await this.process(job);
      } while (this.again);
    })().catch((err) => this.log.error({ err }, 'mail queue pass failed')).finally(() => { this.running = undefined; });
    return this.running;
  }

  /** Deletes messages sent, dropped or given up more than 30 days ago (pending ones are never deleted). */
  purge(now = Date.now()): Promise<number> {
    return this.store.purge(new Date(now - 30 * 86_400_000).toISOString());
  }

  private claim(): Promise<MailJob | undefined> {
    const now = Date.now();
    return this.store.claim(new Date(now).toISOString(), new Date(now + LOCK_MS).toISOString());
  }

  private async process(job: MailJob): Promise<void> {
    if (job.kind === 'email_changed') {
      const mail = this.templates.emailChanged({ appName: this.o.appName, email: job.email, newEmail: job.detail ?? '***', changedAt: job.createdAt });
      return this.deliver(job, { to: job.email, ...mail }, {});
    }
    if (job.kind === 'security_notice') {
      const event = SECURITY_EVENTS.find((e) => e === job.detail);
      if (!event) return void (await this.store.finish(job.id, 'dropped', new Date().toISOString()));
      const mail = this.templates.securityNotice({ appName: this.o.appName, email: job.email, event, at: job.createdAt });
      return this.deliver(job, { to: job.email, ...mail }, {});
    }
    if (job.kind === 'passkey_added' || job.kind === 'passkey_removed') {
      const change = job.kind === 'passkey_added' ? 'added' : 'removed';
      const mail = this.templates.passkeyChanged({ appName: this.o.appName, email: job.email, change, name: job.detail ?? '', changedAt: job.createdAt });
      return this.deliver(job, { to: job.email, ...mail }, {});
    }
    const kind = job.kind;
    const user = await this.users.byEmail(job.email);
    const wanted = user?.isActive && (kind === 'reset' || !user.isVerified);
    if (!user || !wanted) {
      await this.store.finish(job.id, 'dropped', new Date().toISOString()); // nobody to write to: the requester learns nothing
      return;
    }
    if (job.tokenHash) await this.tokens.discard(job.tokenHash); // the link of a failed attempt is never sent
    const { token, hash } = await this.tokens.issue(user, kind);
    await this.store.setToken(job.id, hash);
    const link = `${this.o.links[kind]}?token=${token}`;
    const mail = this.templates[kind]({ appName: this.o.appName, email: user.email, link, expiresInMinutes: Math.round(this.tokens.ttlSeconds(kind) / 60) });
    await this.deliver(job, { to: user.email, ...mail }, { userId: user.id, ...(this.o.logLinks ? { link } : {}) });
  }

  /** Sends, and records the outcome: sent, retry later with backoff, or given up. */
  private async deliver(job: MailJob, mail: Mail, logged: { userId?: string; link?: string }): Promise<void> {
    const now = () => new Date().toISOString();
    const { userId } = logged;
    try {
      await this.mailer.send(mail);
      await this.store.finish(job.id, 'sent', now());
      this.log.info({ mail: job.kind, via: this.mailer.describe, ...logged }, 'mail sent');
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      if (job.attempts >= MAX_ATTEMPTS) {
        await this.store.finish(job.id, 'failed', now(), message);
        this.log.error({ mail: job.kind, userId, attempts: job.attempts, err: message }, 'mail given up');
      } else {
        const delay = backoffMs(job.attempts);
        await this.store.retryAt(job.id, new Date(Date.now() + delay).toISOString(), message);
        this.log.warn({ mail: job.kind, userId, attempts: job.attempts, retryInMs: delay, err: message }, 'mail delivery failed; will retry');
      }
    }
  }
}
