import type { Logger } from 'pino';
import type { Mailer } from '../mail/mailer.ts';
import type { MailTemplates } from '../mail/templates.ts';
import type { MailJob, MailKind, MailOutboxStore } from '../store/mail-outbox-store.ts';
import type { UserStore } from '../store/user-store.ts';
import type { AccountTokens } from './account-tokens.ts';

export interface MailQueueOptions {
  appName: string;
  /** Pages of the SPA the links open; the token is appended as ?token=… . Never derived from a request's Host. */
  links: Record<MailKind, string>;
  /** Log each link (development without SMTP, so a developer can click it). */
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

  async enqueue(kind: MailKind, email: string): Promise<void> {
    await this.store.enqueue(kind, email, new Date().toISOString());
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
    const now = () => new Date().toISOString();
    const user = await this.users.byEmail(job.email);
    const wanted = user?.isActive && (job.kind === 'reset' || !user.isVerified);
    if (!user || !wanted) {
      await this.store.finish(job.id, 'dropped', now()); // nobody to write to: the requester learns nothing
      return;
    }
    if (job.tokenHash) await this.tokens.discard(job.tokenHash); // the link of a failed attempt is never sent
    const { token, hash } = await this.tokens.issue(user, job.kind);
    await this.store.setToken(job.id, hash);
    const link = `${this.o.links[job.kind]}?token=${token}`;
    const mail = this.templates[job.kind]({ appName: this.o.appName, email: user.email, link, expiresInMinutes: Math.round(this.tokens.ttlSeconds(job.kind) / 60) });
    try {
      await this.mailer.send({ to: user.email, ...mail });
      await this.store.finish(job.id, 'sent', now());
      this.log.info({ mail: job.kind, userId: user.id, via: this.mailer.describe, ...(this.o.logLinks ? { link } : {}) }, 'mail sent');
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      if (job.attempts >= MAX_ATTEMPTS) {
        await this.store.finish(job.id, 'failed', now(), message);
        this.log.error({ mail: job.kind, userId: user.id, attempts: job.attempts, err: message }, 'mail given up');
      } else {
        const delay = backoffMs(job.attempts);
        await this.store.retryAt(job.id, new Date(Date.now() + delay).toISOString(), message);
        this.log.warn({ mail: job.kind, userId: user.id, attempts: job.attempts, retryInMs: delay, err: message }, 'mail delivery failed; will retry');
      }
    }
  }
}
