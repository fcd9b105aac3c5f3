import { createHash, timingSafeEqual } from 'node:crypto';
import * as client from 'openid-client';
import { AppError } from '../errors.ts';
import type { OAuthPurpose, OAuthState } from '../model/oauth-account.ts';
import type { OAuthStateStore } from '../store/oauth-state-store.ts';
import type { ProviderRegistry } from './registry.ts';
import type { ProviderGrant } from './provider.ts';

export interface FlowOptions {
  /** Gatehouse's public URL: the server-callback flow's redirect URIs live under it. */
  publicUrl: string;
  /** OAUTH_REDIRECT_URIS: the only SPA URLs a flow may return to. */
  redirectUris: string[];
  /** OAUTH_SPA_URL: set = the server-callback flow is on. */
  spaUrl: string | undefined;
  stateTtl: number;
}

export interface BeginInput {
  provider: string;
  purpose: OAuthPurpose;
  /** An SPA URL from the allow-list (SPA-forwarded flow), or undefined for Gatehouse's own callback. */
  redirectUri?: string;
  /** associate: the logged-in user. */
  userId?: string;
  /** The browser-binding secret (a cookie): only this browser can finish the flow. */
  binding: string;
}

export interface CallbackInput {
  provider: string;
  purpose: OAuthPurpose;
  /** spa: the SPA posts what the provider sent it; server: the provider redirected the browser to Gatehouse. */
  mode: 'spa' | 'server';
  code?: string;
  state?: string;
  iss?: string;
  error?: string;
  binding: string | undefined;
  userId?: string;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('base64url');
const invalidState = (reason: string) => new AppError('OAUTH_INVALID_STATE', { reason });

/**
 * The authorization code flow's state machine (RFC 6749 §4.1, RFC 9700 §2.1): a random state, single-use and
 * short-lived, bound to the browser that started the flow, with a PKCE S256 verifier (RFC 7636) and, for OpenID
 * Connect, a nonce. The provider-specific exchange is the provider's (openid-client).
 */
export class OAuthFlow {
  private readonly providers: ProviderRegistry;
  private readonly states: OAuthStateStore;
  private readonly o: FlowOptions;

  constructor(providers: ProviderRegistry, states: OAuthStateStore, o: FlowOptions) {
    this.providers = providers;
    this.states = states;
    this.o = o;
  }

  /** Gatehouse's own callback URL for a provider: register it with the provider. */
  callbackUrl(provider: string, purpose: OAuthPurpose): string {
    return `${this.o.publicUrl}/auth/${purpose === 'associate' ? 'associate/' : ''}${provider}/callback`;
  }

  /**
   * Only an exact match with a configured URL (RFC 9700 §4.1.3, RFC 6749 §10.6): no prefix, no pattern, no
   * normalisation, so "//evil.com", "https://app.example.com.evil.com" or "https://user@evil.com" never pass.
   */
  allowedRedirect(uri: string): boolean {
    return this.o.redirectUris.includes(uri);
  }

  /** Starts a flow: stores the state and returns the provider's authorization URL. */
  async begin(i: BeginInput, now = Date.now()): Promise<string> {
    const provider = this.providers.get(i.provider);
    let redirectUri: string;
    if (i.redirectUri === undefined) {
      if (!this.o.spaUrl) throw new AppError('OAUTH_INVALID_REDIRECT_URI', { reason: 'redirect_uri is required (OAUTH_SPA_URL is not set, so there is no server callback flow)' });
      redirectUri = this.callbackUrl(i.provider, i.purpose);
    } else {
      if (!this.allowedRedirect(i.redirectUri)) throw new AppError('OAUTH_INVALID_REDIRECT_URI', { reason: 'redirect_uri is not in OAUTH_REDIRECT_URIS' });
      redirectUri = i.redirectUri;
    }
    const state = client.randomState();
    const codeVerifier = client.randomPKCECodeVerifier();
    const nonce = provider.usesNonce ? client.randomNonce() : null;
    const url = await provider.authorizationUrl({ redirectUri, state, codeChallenge: await client.calculatePKCECodeChallenge(codeVerifier), nonce });
    await this.states.purgeExpired(new Date(now).toISOString());
    await this.states.insert(sha256(state), {
      provider: i.provider, purpose: i.purpose, userId: i.userId ?? null, redirectUri, codeVerifier, nonce,
      bindingHash: sha256(i.binding), expiresAt: new Date(now + this.o.stateTtl * 1000).toISOString(),
    }, new Date(now).toISOString());
    return url;
  }

  /** Checks the state and redeems the code with the provider. Every failure is a registry error, the state used up. */
  async redeem(i: CallbackInput, now = Date.now()): Promise<ProviderGrant> {
    const provider = this.providers.get(i.provider);
    if (!i.state || i.state.length > 512) throw invalidState('no state');
    const s = await this.states.take(sha256(i.state)); // single use: gone from now on, whatever happens next
    if (!s) throw invalidState('unknown or already used');
    this.check(s, i, now);
    // RFC 6749 §4.1.2.1: the provider's error answer, only trusted once the state is ours.
    if (i.error) throw new AppError('OAUTH_PROVIDER_DENIED', { reason: `${i.provider}: ${i.error.slice(0, 100)}` });
    if (!i.code) throw new AppError('OAUTH_INVALID_CALLBACK', { reason: 'no code' });
    const callbackUrl = new URL(s.redirectUri);
    callbackUrl.searchParams.set('code', i.code);
    callbackUrl.searchParams.set('state', i.state);
    if (i.iss !== undefined) callbackUrl.searchParams.set('iss', i.iss);
    return provider.finish({ callbackUrl, state: i.state, codeVerifier: s.codeVerifier, nonce: s.nonce });
  }

  private check(s: OAuthState, i: CallbackInput, now: number): void {
    if (Date.parse(s.expiresAt) <= now) throw invalidState('expired');
    if (s.provider !== i.provider || s.purpose !== i.purpose) throw invalidState('started for another provider or purpose');
    // The browser binding (RFC 9700 §4.7.1; fastapi-users CVE-2025-68481): an attacker's code and state, replayed
    // in a victim's browser, meet the victim's cookie, not the attacker's, and are refused.
    const given = Buffer.from(sha256(i.binding ?? '')), expected = Buffer.from(s.bindingHash);
    if (!i.binding || given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidState('not started in this browser');
    if (s.purpose === 'associate' && s.userId !== i.userId) throw invalidState('started by another user');
    const server = s.redirectUri === this.callbackUrl(i.provider, i.purpose);
    if (server !== (i.mode === 'server')) throw invalidState(server ? 'this flow returns to Gatehouse\'s callback' : 'this flow returns to the SPA');
  }
}
