import { AppError } from '../errors.ts';
import type { User } from '../model/user.ts';
import type { OAuthAccount } from '../model/oauth-account.ts';
import type { ClientInfo } from '../model/client-info.ts';
import type { ProviderRegistry } from './registry.ts';
import type { BeginInput, CallbackInput, OAuthFlow } from './oauth-flow.ts';
import type { AccountLinker } from './account-linker.ts';
import type { ProviderTokenService } from './provider-tokens.ts';
import type { PresentedToken } from './provider.ts';

/**
 * Social login, as the routes see it: start a flow, finish it (log in or link), exchange a provider token, list and
 * unlink accounts, and hand the back end a live provider access token. Never sees an HTTP request.
 */
export class OAuthManager {
  readonly providers: ProviderRegistry;
  private readonly flow: OAuthFlow;
  private readonly linker: AccountLinker;
  private readonly tokens: ProviderTokenService;

  constructor(d: { providers: ProviderRegistry; flow: OAuthFlow; linker: AccountLinker; tokens: ProviderTokenService }) {
    this.providers = d.providers;
    this.flow = d.flow;
    this.linker = d.linker;
    this.tokens = d.tokens;
  }

  /** The provider's authorization URL for a new flow (fastapi-users' {"authorization_url"}). */
  authorize(i: BeginInput): Promise<string> {
    return this.flow.begin(i);
  }

  /** Finishes a login flow: the user to start a session for. */
  async login(i: Omit<CallbackInput, 'purpose' | 'userId'>, client: ClientInfo): Promise<User> {
    const grant = await this.flow.redeem({ ...i, purpose: 'login' });
    return this.linker.login(i.provider, grant.profile, grant.tokens, client);
  }

  /** Finishes an association flow for the logged-in user. */
  async associate(user: User, i: Omit<CallbackInput, 'purpose' | 'userId'>, client: ClientInfo): Promise<OAuthAccount> {
    const grant = await this.flow.redeem({ ...i, purpose: 'associate', userId: user.id });
    return this.linker.associate(user, i.provider, grant.profile, grant.tokens, client);
  }

  /** Token exchange: a provider token the client got by itself, validated with the provider. Off unless configured. */
  async exchange(provider: string, token: PresentedToken, client: ClientInfo): Promise<User> {
    const p = this.providers.get(provider);
    if (!p.tokenExchange) throw new AppError('Not Found');
    if (!token.accessToken && !token.idToken) throw new AppError('OAUTH_INVALID_TOKEN', { reason: 'send access_token or id_token' });
    const profile = await p.exchange(token);
    const tokens = token.accessToken ? { accessToken: token.accessToken, refreshToken: null, expiresAt: null, scope: null } : null;
    return this.linker.login(provider, profile, tokens, client);
  }

  accounts(userId: string): Promise<OAuthAccount[]> {
    return this.linker.list(userId);
  }

  unlink(user: User, provider: string, client: ClientInfo): Promise<void> {
    return this.linker.unlink(user, provider, client);
  }

  /** For the embedding back end: a live access token to call the provider's API as the user (refreshed if expired). */
  providerAccessToken(userId: string, provider: string): Promise<string> {
    return this.tokens.accessToken(userId, provider);
  }

  /** Where the provider must send the browser back in the server-callback flow (to register with the provider). */
  callbackUrl(provider: string, purpose: 'login' | 'associate' = 'login'): string {
    return this.flow.callbackUrl(provider, purpose);
  }
}
