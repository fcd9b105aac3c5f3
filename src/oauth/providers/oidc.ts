import * as client from 'openid-client';
import { createRemoteJWKSet, customFetch, jwtVerify, errors as joseErrors } from 'jose';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import type { OidcSettings } from '../../config/oauth-config.ts';
import { clientOptions, withTimeout, type ProviderHttp } from '../http-client.ts';
import { parseAnswer, providerEmail, providerError, step } from '../provider-errors.ts';
import { tokensOf, type OAuthProvider, type ProviderProfile } from '../provider.ts';

/** OpenID Connect Core §5.1 standard claims that Gatehouse reads. Some providers send email_verified as a string. */
const Claims = Type.Object({
  sub: Type.String({ minLength: 1, maxLength: 255 }),
  email: Type.Optional(Type.String({ maxLength: 320 })),
  email_verified: Type.Optional(Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false')])),
  name: Type.Optional(Type.String()),
});

const toProfile = (provider: string, what: string, raw: unknown): ProviderProfile => {
  const c = parseAnswer(provider, what, Claims, raw);
  const email = c.email?.trim() ? providerEmail(provider, `${what}: the email claim`, c.email) : null;
  return { accountId: c.sub, email, emailVerified: email !== null && (c.email_verified === true || c.email_verified === 'true'), name: c.name ?? null };
};

/**
 * Any OpenID Connect provider, from its issuer by discovery (OpenID Connect Discovery 1.0; RFC 8414): Google and
 * OIDC_<NAME>_*. Authorization code with PKCE S256 and a nonce; openid-client checks the authorization response's
 * `iss` (RFC 9207, mix-up), and the ID token's signature against the provider's JWKS, `iss`, `aud`, `exp` and `nonce`.
 */
export interface OidcQuirks {
  /** Other `iss` values the provider is documented to put in ID tokens (Google: "accounts.google.com"). */
  idTokenIssuers?: string[];
}

export function oidcProvider(s: OidcSettings, http: ProviderHttp, quirks: OidcQuirks = {}): OAuthProvider {
  const name = s.name;
  const options = clientOptions(s.issuer, http, [client.enableNonRepudiationChecks]); // ID token signatures via JWKS
  let discovered: Promise<client.Configuration> | undefined;
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  /** Discovered once, lazily: a provider that is down at boot does not stop Gatehouse; a failure is retried. */
  const config = (): Promise<client.Configuration> => {
    discovered ??= step(name, 'discovery', () =>
      client.discovery(new URL(s.issuer), s.clientId, { client_secret: s.clientSecret }, client.ClientSecretBasic(s.clientSecret), options));
    discovered.catch(() => { discovered = undefined; });
    return discovered;
  };

  async function userinfo(c: client.Configuration, accessToken: string, sub: string): Promise<unknown> {
    if (!c.serverMetadata().userinfo_endpoint) return {};
    return step(name, 'the userinfo endpoint', () => client.fetchUserInfo(c, accessToken, sub)); // sub must match the ID token's
  }

  async function verifyIdToken(c: client.Configuration, idToken: string): Promise<ProviderProfile> {
    const meta = c.serverMetadata();
    if (!meta.jwks_uri) throw providerError(name, 'the discovery document has no jwks_uri');
    jwks ??= createRemoteJWKSet(new URL(meta.jwks_uri), { [customFetch]: withTimeout(http) as never, timeoutDuration: http.timeoutSeconds * 1000 });
    try {
      // OpenID Connect Core §3.1.3.7: signature by the issuer's key, iss, aud contains us, azp (if several audiences), exp.
      const { payload } = await jwtVerify(idToken, jwks, {
        issuer: [meta.issuer, ...(quirks.idTokenIssuers ?? [])], audience: s.clientId, algorithms: meta.id_token_signing_alg_values_supported ?? ['RS256'], requiredClaims: ['sub', 'iat', 'exp'],
      });
      if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== s.clientId) throw new AppError('OAUTH_INVALID_TOKEN', { reason: `${name}: azp is not this client` });
      return toProfile(name, 'the ID token', payload);
    } catch (err) {
      if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid) throw providerError(name, `JWKS: ${err.message}`);
      if (err instanceof joseErrors.JOSEError) throw new AppError('OAUTH_INVALID_TOKEN', { reason: `${name}: ${err.message}` });
      throw err;
    }
  }

  return {
    name,
    tokenExchange: s.tokenExchange,
    usesNonce: true,

    async authorizationUrl(p) {
      return client.buildAuthorizationUrl(await config(), {
        ...s.authParams, redirect_uri: p.redirectUri, scope: s.scopes, state: p.state, code_challenge: p.codeChallenge, code_challenge_method: 'S256',
        ...(p.nonce ? { nonce: p.nonce } : {}),
      }).href;
    },

    async finish(p) {
      const c = await config();
      const tokens = await step(name, 'the token endpoint', () => client.authorizationCodeGrant(c, p.callbackUrl, {
        pkceCodeVerifier: p.codeVerifier, expectedState: p.state, idTokenExpected: true, ...(p.nonce ? { expectedNonce: p.nonce } : {}),
      }));
      const idClaims = tokens.claims();
      if (!idClaims) throw providerError(name, 'the token endpoint returned no ID token');
      const info = await userinfo(c, tokens.access_token, idClaims.sub);
      return { profile: toProfile(name, 'the ID token and userinfo', { ...idClaims, ...(info as object) }), tokens: tokensOf(tokens) };
    },

    async refresh(refreshToken) {
      const c = await config();
      return tokensOf(await step(name, 'the token endpoint (refresh)', () => client.refreshTokenGrant(c, refreshToken)));
    },

    async exchange(t) {
      const c = await config();
      if (t.idToken) return verifyIdToken(c, t.idToken);
      if (!t.accessToken) throw new AppError('OAUTH_INVALID_TOKEN', { reason: `${name}: send id_token or access_token` });
      // An access token proves nothing about its audience by itself: only introspection (RFC 7662) says it is ours.
      if (!c.serverMetadata().introspection_endpoint) throw new AppError('OAUTH_INVALID_TOKEN', { reason: `${name}: this provider cannot introspect access tokens; send id_token` });
      const accessToken = t.accessToken;
      const intro = await step(name, 'the introspection endpoint', () => client.tokenIntrospection(c, accessToken));
      if (!intro.active || intro.client_id !== s.clientId || typeof intro.sub !== 'string') {
        throw new AppError('OAUTH_INVALID_TOKEN', { reason: `${name}: the token is not active, or not issued to this client` });
      }
      return toProfile(name, 'userinfo', { sub: intro.sub, ...(await userinfo(c, accessToken, intro.sub) as object) });
    },
  };
}
