import type { TokenEndpointResponse } from 'openid-client';
import type { ProviderTokens } from '../model/oauth-account.ts';

/** Who the provider says the user is, validated against the provider's documented shape. */
export interface ProviderProfile {
  /** The provider's stable subject: GitHub's numeric id, the OIDC `sub`. The account key, never the email. */
  accountId: string;
  /** Null when the provider gave none (GitHub: no verified address). */
  email: string | null;
  /** Only true when the provider itself says so (OIDC `email_verified`, GitHub's `verified`). */
  emailVerified: boolean;
  name: string | null;
}

export interface ProviderGrant {
  profile: ProviderProfile;
  tokens: ProviderTokens;
}

export interface AuthorizationParams {
  redirectUri: string;
  state: string;
  /** RFC 7636 S256 challenge of the verifier kept in the state row. */
  codeChallenge: string;
  nonce: string | null;
}

export interface CallbackParams {
  /** The redirect URI with the provider's response parameters (code, state, iss) in its query. */
  callbackUrl: URL;
  state: string;
  codeVerifier: string;
  nonce: string | null;
}

/** Token exchange (seed 001's implicit variant): a token the SPA got from the provider by itself. */
export interface PresentedToken { accessToken?: string; idToken?: string }

/**
 * One social login provider: a typed client built on openid-client (RFC 6749 + RFC 7636, OpenID Connect Core).
 * Every answer is checked against a schema; a failure is an AppError (OAUTH_* codes), never a silent null.
 */
export interface OAuthProvider {
  readonly name: string;
  /** Token exchange (POST /auth/{name}/token) is on for this provider. */
  readonly tokenExchange: boolean;
  /** OpenID Connect: a nonce goes with the request and must come back in the ID token. */
  readonly usesNonce: boolean;
  authorizationUrl(p: AuthorizationParams): Promise<string>;
  /** Redeems the code (state, iss, PKCE, nonce and ID token checked) and reads the profile. */
  finish(p: CallbackParams): Promise<ProviderGrant>;
  /** New tokens from a refresh token (RFC 6749 §6). */
  refresh(refreshToken: string): Promise<ProviderTokens>;
  /** Validates a token presented by the client with the provider, and reads the profile. */
  exchange(t: PresentedToken): Promise<ProviderProfile>;
}

/** The tokens to keep from a token endpoint response. */
export function tokensOf(r: TokenEndpointResponse, now = Date.now()): ProviderTokens {
  return {
    accessToken: r.access_token,
    refreshToken: r.refresh_token ?? null,
    expiresAt: typeof r.expires_in === 'number' && r.expires_in > 0 ? new Date(now + r.expires_in * 1000).toISOString() : null,
    scope: r.scope ?? null,
  };
}
