import { AppError } from '../errors.ts';
import type { OAuthAccountStore } from '../store/oauth-account-store.ts';
import type { ProviderRegistry } from './registry.ts';

/** Refresh a provider access token this long before it expires, so a call made with it does not fail midway. */
const EARLY_SECONDS = 60;

/**
 * The provider tokens kept for each linked account (sealed at rest), for the back end to call the provider's API
 * on the user's behalf — the reason for the code flow in seed 001. An expired access token is refreshed with the
 * refresh token (RFC 6749 §6); concurrent callers in this process share one refresh.
 */
export class ProviderTokenService {
  private readonly accounts: OAuthAccountStore;
  private readonly providers: ProviderRegistry;
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(accounts: OAuthAccountStore, providers: ProviderRegistry) {
    this.accounts = accounts;
    this.providers = providers;
  }

  /** A live access token for the user's account at `provider`. 404 without such an account; OAUTH_INVALID_TOKEN when none can be had. */
  async accessToken(userId: string, provider: string, now = Date.now()): Promise<string> {
    const account = (await this.accounts.ofUser(userId)).find((a) => a.provider === provider);
    if (!account) throw new AppError('Not Found');
    const running = this.inFlight.get(account.id);
    if (running) return running;
    const work = this.fresh(account.id, provider, now).finally(() => this.inFlight.delete(account.id));
    this.inFlight.set(account.id, work);
    return work;
  }

  private async fresh(accountId: string, provider: string, now: number): Promise<string> {
    const t = await this.accounts.tokens(accountId);
    if (!t) throw new AppError('Not Found');
    const live = t.accessToken !== null && (t.expiresAt === null || Date.parse(t.expiresAt) - EARLY_SECONDS * 1000 > now);
    if (live) return t.accessToken!;
    if (t.refreshToken === null) throw new AppError('OAUTH_INVALID_TOKEN', { reason: `${provider}: the stored token expired and there is no refresh token: log in with ${provider} again` });
    const next = await this.providers.get(provider).refresh(t.refreshToken);
    await this.accounts.refreshed(accountId, undefined, next);
    return next.accessToken!;
  }
}
