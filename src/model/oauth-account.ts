/**
 * A provider account linked to a user (GitHub, Google, an OpenID Connect issuer). The stable key is the provider's
 * subject (`accountId`: GitHub's numeric user id, the OIDC `sub`), never the email, which can change hands.
 */
export interface OAuthAccount {
  id: string;
  userId: string;
  /** The provider's route name: github, google, or an OIDC_<NAME> lower-cased. */
  provider: string;
  accountId: string;
  accountEmail: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The provider's tokens for an account, so the back end can call the provider's API for the user (seed 001). */
export interface ProviderTokens {
  accessToken: string | null;
  refreshToken: string | null;
  /** When the access token expires (ISO-8601), if the provider said. */
  expiresAt: string | null;
  scope: string | null;
}

/** Why a flow was started: log in (or sign up), or link a provider to the logged-in user. */
export type OAuthPurpose = 'login' | 'associate';

/** A pending authorization request, between GET …/authorize and its callback. Single-use. */
export interface OAuthState {
  provider: string;
  purpose: OAuthPurpose;
  /** associate: the user who started it (and who alone may finish it). */
  userId: string | null;
  /** Where the provider sends the browser back: an allowed SPA URL, or Gatehouse's own callback. */
  redirectUri: string;
  /** PKCE (RFC 7636) verifier; the provider saw only its S256 challenge. */
  codeVerifier: string;
  /** OpenID Connect nonce, checked in the ID token. */
  nonce: string | null;
  /** SHA-256 of the browser-binding cookie of the browser that started the flow. */
  bindingHash: string;
  expiresAt: string;
}
