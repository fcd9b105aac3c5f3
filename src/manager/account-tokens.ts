import { createHash, randomBytes } from 'node:crypto';
import { lookupKey, type User } from '../model/user.ts';
import type { AccountTokenStore, TokenPurpose } from '../store/account-token-store.ts';
import type { UserStore } from '../store/user-store.ts';

/**
 * Email-verification and password-reset tokens: opaque (256 random bits), one purpose each, short-lived, single-use,
 * and stored only as SHA-256. A token also remembers the email it was sent to and a fingerprint of the password
 * hash at that moment, so it stops working when the user changes email or password.
 */
export class AccountTokens {
  private readonly store: AccountTokenStore;
  private readonly users: UserStore;
  private readonly ttl: Record<TokenPurpose, number>;

  constructor(store: AccountTokenStore, users: UserStore, ttlSeconds: Record<TokenPurpose, number>) {
    this.store = store;
    this.users = users;
    this.ttl = ttlSeconds;
  }

  ttlSeconds(purpose: TokenPurpose): number {
    return this.ttl[purpose];
  }

  async issue(user: User, purpose: TokenPurpose, now = Date.now()): Promise<{ token: string; hash: string }> {
    const token = randomBytes(32).toString('base64url');
    const hash = sha256(token);
    await this.store.insert(hash, {
      purpose, userId: user.id, emailKey: lookupKey(user.email), passwordFingerprint: fingerprint(user),
      expiresAt: new Date(now + this.ttl[purpose] * 1000).toISOString(),
    }, new Date(now).toISOString());
    return { token, hash };
  }

  /** The user a token is good for right now (without using it up), or undefined. */
  async check(token: string, purpose: TokenPurpose, now = Date.now()): Promise<User | undefined> {
    const found = await this.lookup(token, purpose, now);
    return found && !found.used ? found.user : undefined;
  }

  /**
   * The user of a token that was already used but is otherwise still good (unexpired, same email and password), and
   * when it was used; or undefined: so a verification link opened twice can say "already verified", as fastapi-users' did.
   */
  async usedBy(token: string, purpose: TokenPurpose, now = Date.now()): Promise<{ user: User; usedAt: string } | undefined> {
    const found = await this.lookup(token, purpose, now);
    return found?.usedAt ? { user: found.user, usedAt: found.usedAt } : undefined;
  }

  private async lookup(token: string, purpose: TokenPurpose, now: number): Promise<{ user: User; used: boolean; usedAt: string | null } | undefined> {
    if (!/^[\w-]{43}$/.test(token)) return undefined;
    const row = await this.store.byHash(sha256(token));
    if (!row || row.purpose !== purpose || Date.parse(row.expiresAt) <= now) return undefined;
    const user = await this.users.byId(row.userId);
    if (!user?.isActive || lookupKey(user.email) !== row.emailKey || fingerprint(user) !== row.passwordFingerprint) return undefined;
    return { user, used: row.usedAt !== null, usedAt: row.usedAt };
  }

  /** Uses the token up; false if another request did first. */
  consume(token: string, now = Date.now()): Promise<boolean> {
    return this.store.consume(sha256(token), new Date(now).toISOString());
  }

  discard(hash: string): Promise<void> {
    return this.store.delete(hash);
  }

  purge(now = Date.now()): Promise<number> {
    return this.store.purge(new Date(now - 86_400_000).toISOString());
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const fingerprint = (u: User) => sha256(`gatehouse-password:${u.hashedPassword ?? ''}`);
