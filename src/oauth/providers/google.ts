import type { OidcSettings } from '../../config/oauth-config.ts';
import type { ProviderHttp } from '../http-client.ts';
import type { OAuthProvider } from '../provider.ts';
import { oidcProvider } from './oidc.ts';

/**
 * Google: an OpenID Connect provider found by discovery at GOOGLE_ISSUER (https://accounts.google.com). Its
 * specifics, from Google's documentation:
 * - scopes `openid email profile`; the ID token carries `email` and a boolean `email_verified`;
 * - `access_type=offline` (set in config) asks for a refresh token, which Google sends at the first consent only
 *   (Gatehouse keeps it across later logins);
 * - ID tokens may name the issuer as `accounts.google.com`, without the scheme (accepted for token exchange);
 * - no token introspection: token exchange takes Google ID tokens (e.g. from Sign in with Google), not access tokens.
 */
export function googleProvider(s: OidcSettings, http: ProviderHttp): OAuthProvider {
  return oidcProvider(s, http, { idTokenIssuers: ['accounts.google.com'] });
}
