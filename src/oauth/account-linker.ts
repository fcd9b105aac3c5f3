import { AppError } from '../errors.ts';
import { newId } from '../model/ids.ts';
import type { User } from '../model/user.ts';
import type { OAuthAccount, ProviderTokens } from '../model/oauth-account.ts';
import type { ClientInfo } from '../model/client-info.ts';
import type { UserStore } from '../store/user-store.ts';
import type { OAuthAccountStore } from '../store/oauth-account-store.ts';
import { DuplicateKeyError } from '../store/errors.ts';
import type { AuditLog } from '../manager/audit-log.ts';
import type { ProviderProfile } from './provider.ts';

export interface LinkerOptions { requireVerifiedLogin: boolean }

/**
 * Who a provider login is, and which accounts a user has. The rules (README, "Social login"):
 * - the key is the provider's subject, never the email: a known subject logs in as its user;
 * - an unknown subject whose email belongs to a user is linked only when the provider says the email is verified
 *   AND that user's email is verified; otherwise OAUTH_USER_ALREADY_EXISTS (log in, then associate). So whoever
 *   pre-registers someone's email with a password never receives that person's later Google login, and an
 *   unverified provider email never logs into or links to an existing account;
 * - otherwise a new user is created, verified only if the provider verified the email.
 */
export class AccountLinker {
  private readonly users: UserStore;
  private readonly accounts: OAuthAccountStore;
  private readonly audit: AuditLog;
  private readonly o: LinkerOptions;

  constructor(users: UserStore, accounts: OAuthAccountStore, audit: AuditLog, o: LinkerOptions) {
    this.users = users;
    this.accounts = accounts;
    this.audit = audit;
    this.o = o;
  }

  /** The user a provider login stands for (created if need be), ready for a session. `tokens` null = keep the stored ones. */
  async login(provider: string, profile: ProviderProfile, tokens: ProviderTokens | null, client: ClientInfo, retried = false): Promise<User> {
    const known = await this.accounts.byAccount(provider, profile.accountId);
    if (known) {
      const user = this.mayLogIn(await this.users.byId(known.userId));
      await this.accounts.refreshed(known.id, profile.email ?? undefined, tokens);
      await this.audit.record('login.success', { userId: user.id, client, detail: { provider } });
      return user;
    }
    if (!profile.email) throw new AppError('OAUTH_NOT_AVAILABLE_EMAIL');
    const local = await this.users.byEmail(profile.email);
    try {
      if (local) {
        if (!profile.emailVerified || !local.isVerified) throw new AppError('OAUTH_USER_ALREADY_EXISTS');
        const user = this.mayLogIn(local);
        await this.accounts.insert(this.newAccount(user.id, provider, profile), tokens ?? NO_TOKENS);
        await this.audit.record('oauth.link', { userId: user.id, client, detail: { provider, by: 'verified email' } });
        await this.audit.record('login.success', { userId: user.id, client, detail: { provider } });
        return user;
      }
      const { user } = await this.accounts.insertWithUser({
        id: newId(), email: profile.email, username: null, fullName: profile.name?.slice(0, 200) ?? null, hashedPassword: null,
        isActive: true, isVerified: profile.emailVerified, role: 'user',
      }, this.newAccount('', provider, profile), tokens ?? NO_TOKENS);
      await this.audit.record('register', { userId: user.id, client, detail: { provider } });
      return this.mayLogIn(user);
    } catch (err) {
      if (!(err instanceof DuplicateKeyError)) throw err;
      // A concurrent first login of the same subject (or the same email) won the race: answer as if we came second.
      if (!retried) return this.login(provider, profile, tokens, client, true);
      throw new AppError('OAUTH_USER_ALREADY_EXISTS');
    }
  }

  /** Links a provider account to the logged-in user (explicit association, fastapi-users' /auth/associate). */
  async associate(user: User, provider: string, profile: ProviderProfile, tokens: ProviderTokens, client: ClientInfo): Promise<OAuthAccount> {
    if (!profile.email) throw new AppError('OAUTH_NOT_AVAILABLE_EMAIL');
    if (!profile.emailVerified) throw new AppError('OAUTH_EMAIL_NOT_VERIFIED');
    const known = await this.accounts.byAccount(provider, profile.accountId);
    if (known && known.userId !== user.id) throw new AppError('OAUTH_ACCOUNT_ALREADY_LINKED', { reason: 'this provider account belongs to another user' });
    if (known) {
      await this.accounts.refreshed(known.id, profile.email, tokens);
      return known;
    }
    if ((await this.accounts.ofUser(user.id)).some((a) => a.provider === provider)) {
      throw new AppError('OAUTH_ACCOUNT_ALREADY_LINKED', { reason: `another ${provider} account is linked: unlink it first` });
    }
    try {
      const account = await this.accounts.insert(this.newAccount(user.id, provider, profile), tokens);
      await this.audit.record('oauth.link', { userId: user.id, client, detail: { provider } });
      return account;
    } catch (err) {
      if (err instanceof DuplicateKeyError) throw new AppError('OAUTH_ACCOUNT_ALREADY_LINKED');
      throw err;
    }
  }

  list(userId: string): Promise<OAuthAccount[]> {
    return this.accounts.ofUser(userId);
  }

  async unlink(user: User, provider: string, client: ClientInfo): Promise<void> {
    const outcome = await this.accounts.deleteUnlessLast(user.id, provider);
    if (outcome === 'missing') throw new AppError('Not Found');
    if (outcome === 'last') throw new AppError('OAUTH_LAST_LOGIN_METHOD');
    await this.audit.record('oauth.unlink', { userId: user.id, client, detail: { provider } });
  }

  /** fastapi-users' rules for a login: an inactive user is refused like bad credentials. */
  private mayLogIn(user: User | undefined): User {
    if (!user?.isActive) throw new AppError('LOGIN_BAD_CREDENTIALS');
    if (this.o.requireVerifiedLogin && !user.isVerified) throw new AppError('LOGIN_USER_NOT_VERIFIED');
    return user;
  }

  private newAccount(userId: string, provider: string, p: ProviderProfile) {
    return { id: newId(), userId, provider, accountId: p.accountId, accountEmail: p.email };
  }
}

const NO_TOKENS: ProviderTokens = { accessToken: null, refreshToken: null, expiresAt: null, scope: null };
