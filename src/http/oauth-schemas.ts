import { Type } from 'typebox';
import type { OAuthAccount } from '../model/oauth-account.ts';
import { BearerToken, UserRead } from './schemas.ts';

/** The request and response shapes of the social login routes (fastapi-users' where it has them). */

export const ProviderParams = Type.Object({ provider: Type.String({ maxLength: 64, description: 'github, google, or an OIDC_<NAME> in lower case.' }) });

export const AuthorizeQuery = Type.Object({
  redirect_uri: Type.Optional(Type.String({ maxLength: 2048, description: 'An SPA URL from OAUTH_REDIRECT_URIS (exact match): the SPA-forwarded flow. Without it, the provider returns to Gatehouse\'s own callback (server-callback flow, needs OAUTH_SPA_URL).' })),
  scopes: Type.Optional(Type.Union([Type.String({ maxLength: 512 }), Type.Array(Type.String({ maxLength: 512 }))], { description: 'Accepted for fastapi-users compatibility and ignored: the provider\'s scopes are fixed by configuration.' })),
});

export const AuthorizationUrl = Type.Object({
  authorization_url: Type.String({ description: 'Send the browser here. Keep cookies (fetch with credentials: "include"): the flow is bound to this browser.' }),
}, { title: 'OAuth2AuthorizeResponse' });

export const CallbackBody = Type.Object({
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  state: Type.String({ minLength: 1, maxLength: 512 }),
  iss: Type.Optional(Type.String({ maxLength: 2048, description: 'Forward it when the provider sent it (RFC 9207; OpenID providers do): mix-up defence.' })),
  error: Type.Optional(Type.String({ maxLength: 256, description: 'The provider\'s error (e.g. access_denied), when it sent one instead of a code.' })),
}, { title: 'OAuthCallback', description: 'What the provider put in the SPA\'s redirect URI: code, state and iss, or error and state.' });

export const CallbackQuery = Type.Object({
  code: Type.Optional(Type.String({ maxLength: 2048 })),
  state: Type.Optional(Type.String({ maxLength: 512 })),
  iss: Type.Optional(Type.String({ maxLength: 2048 })),
  error: Type.Optional(Type.String({ maxLength: 256 })),
  error_description: Type.Optional(Type.String({ maxLength: 2048 })),
  error_uri: Type.Optional(Type.String({ maxLength: 2048 })),
});

export const TokenExchangeBody = Type.Object({
  access_token: Type.Optional(Type.String({ minLength: 1, maxLength: 8192 })),
  id_token: Type.Optional(Type.String({ minLength: 1, maxLength: 16384 })),
}, { title: 'OAuthTokenExchange', description: 'One of them: a provider access token (GitHub; OIDC providers with introspection) or an OpenID Connect ID token.' });

export const SocialLogin = Type.Object({
  ...BearerToken.properties,
  user: UserRead,
}, { title: 'SocialLoginResponse', description: 'Gatehouse\'s tokens, as from /auth/jwt/login, and the user (seed 001).' });

export const OAuthAccountRead = Type.Object({
  provider: Type.String(),
  account_id: Type.String({ description: 'The provider\'s stable subject (GitHub user id, OIDC sub).' }),
  account_email: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
}, { title: 'OAuthAccountRead', description: 'A linked provider account. Its tokens never leave the server.' });

export const toAccountRead = (a: OAuthAccount) => ({
  provider: a.provider, account_id: a.accountId, account_email: a.accountEmail, created_at: a.createdAt, updated_at: a.updatedAt,
});

export const Redirect = Type.Null({ description: 'A redirect (Location) to OAUTH_SPA_URL; on failure with ?error=CODE from the error registry.' });
