import type { TOTP } from 'otpauth';
import type { Sealer } from '../crypto/sealer.ts';
import type { TotpStore } from '../store/totp-store.ts';

/** RFC 6238 with the parameters every authenticator app understands: HMAC-SHA-1, 6 digits, 30-second steps. */
const PERIOD = 30;
const DIGITS = 6;
/** RFC 6238 §5.2: accept codes one step either side of now (clock skew and the time to type). */
const WINDOW = 1;
/** RFC 4226 §4 R6: a shared secret of at least 128 bits; 160 is the HMAC-SHA-1 block size recommended there. */
const SECRET_BYTES = 20;

/**
 * otpauth, imported on the first TOTP operation rather than at start: it holds ~3 MiB resident for a factor most
 * deployments' requests never touch (issue #17; bench/footprint).
 */
let loaded: Promise<typeof import('otpauth')> | undefined;
const otpauth = (): Promise<typeof import('otpauth')> => (loaded ??= import('otpauth'));

export interface TotpEnrolment { secret: string; otpauthUri: string }
export interface TotpStatus { enabled: boolean; createdAt: string | null }

/**
 * An authenticator app as a second factor (TOTP, RFC 6238). The secret is sealed at rest (AES-GCM, bound to the user
 * id, so a row copied to another user does not open). An enrolment is pending until a first code confirms it. A code is
 * accepted once: the last time step accepted is stored and only a later one passes, in one atomic statement, so a
 * code seen over a shoulder or replayed in parallel is worthless (RFC 6238 §5.2).
 */
export class Totp {
  private readonly store: TotpStore;
  private readonly sealer: Sealer;
  private readonly issuer: string;

  constructor(store: TotpStore, sealer: Sealer, issuer: string) {
    this.store = store;
    this.sealer = sealer;
    this.issuer = issuer;
  }

  /** A new pending enrolment (replacing a pending one); null when the user already has a confirmed one. */
  async enrol(userId: string, label: string, now = Date.now()): Promise<TotpEnrolment | null> {
    const { Secret } = await otpauth();
    const secret = new Secret({ size: SECRET_BYTES }).base32;
    if (!(await this.store.putPending(userId, this.sealer.seal(secret, userId), iso(now)))) return null;
    return { secret, otpauthUri: (await this.totp(secret, label)).toString() };
  }

  /** Confirms the pending enrolment with its first code; false when there is none or the code is wrong. */
  async confirm(userId: string, code: string, now = Date.now()): Promise<'confirmed' | 'wrong' | 'none'> {
    const row = await this.store.get(userId);
    if (!row || row.confirmedAt !== null) return 'none';
    const step = await this.stepOf(this.sealer.open(row.secretSealed, userId), code, now);
    if (step === null) return 'wrong';
    return (await this.store.confirm(userId, row.secretSealed, step, iso(now))) ? 'confirmed' : 'none';
  }

  /**
   * True when `code` is a current code of the user's confirmed enrolment not accepted before (and, with
   * `confirmedBefore`, that enrolment was confirmed by then: a factor added during a login cannot finish it).
   */
  async verify(userId: string, code: string, confirmedBefore?: string, now = Date.now()): Promise<boolean> {
    const row = await this.store.get(userId);
    if (!row || row.confirmedAt === null) return false;
    const step = await this.stepOf(this.sealer.open(row.secretSealed, userId), code, now);
    return step !== null && this.store.claimStep(userId, step, confirmedBefore);
  }

  async status(userId: string): Promise<TotpStatus> {
    const row = await this.store.get(userId);
    return row?.confirmedAt ? { enabled: true, createdAt: row.confirmedAt } : { enabled: false, createdAt: null };
  }

  remove(userId: string): Promise<boolean> {
    return this.store.remove(userId);
  }

  /** The time step a code belongs to (within the window), or null. otpauth compares in constant time. */
  private async stepOf(secret: string, code: string, now: number): Promise<number | null> {
    const token = code.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(token)) return null;
    const delta = (await this.totp(secret, '')).validate({ token, timestamp: now, window: WINDOW });
    return delta === null ? null : Math.floor(now / 1000 / PERIOD) + delta;
  }

  private async totp(secret: string, label: string): Promise<TOTP> {
    const { Secret, TOTP } = await otpauth();
    return new TOTP({ issuer: this.issuer, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD, secret: Secret.fromBase32(secret), issuerInLabel: true });
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
