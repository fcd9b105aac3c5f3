import * as client from 'openid-client';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import type { GithubSettings } from '../../config/oauth-config.ts';
import type { ProviderTokens } from '../../model/oauth-account.ts';
import { applyOptions, clientOptions, withTimeout, type ProviderHttp } from '../http-client.ts';
import { parseAnswer, providerEmail, providerError, readJson, step } from '../provider-errors.ts';
import { tokensOf, type OAuthProvider, type ProviderProfile } from '../provider.ts';

// GitHub's REST API, as documented (docs.github.com/rest/users): only the fields Gatehouse reads are required.
const GithubUser = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  login: Type.String({ minLength: 1 }),
  name: Type.Union([Type.String(), Type.Null()]),
});
const GithubEmails = Type.Array(Type.Object({ email: Type.String(), primary: Type.Boolean(), verified: Type.Boolean() }));
/** POST /applications/{client_id}/token ("Check a token"): the token's app must be ours. */
const TokenCheck = Type.Object({ app: Type.Object({ client_id: Type.String() }), user: Type.Object({ id: Type.Integer() }) });

/** read:user for the profile, user:email for /user/emails (private addresses included). */
const SCOPE = 'read:user user:email';

/**
 * GitHub: OAuth 2.0 authorization code with PKCE S256 (RFC 7636; GitHub supports it), no OpenID Connect. The
 * profile is GET /user, the email the primary verified one from GET /user/emails.
 */
export function githubProvider(s: GithubSettings, http: ProviderHttp): OAuthProvider {
  const name = s.name;
  const config = applyOptions(new client.Configuration({
    issuer: s.oauthUrl,
    authorization_endpoint: `${s.oauthUrl}/login/oauth/authorize`,
    token_endpoint: `${s.oauthUrl}/login/oauth/access_token`,
  }, s.clientId, { client_secret: s.clientSecret }, client.ClientSecretPost(s.clientSecret)), clientOptions(s.oauthUrl, http));
  const api = (path: string) => new URL(`${s.apiUrl}${path}`);
  // GitHub's API refuses requests without a User-Agent, and asks for its media type and API version.
  const apiHeaders = () => new Headers({ accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'Gatehouse' });

  async function profile(accessToken: string): Promise<ProviderProfile> {
    const user = parseAnswer(name, 'GET /user', GithubUser, await step(name, 'GET /user', async () =>
      readJson(name, 'GET /user', await client.fetchProtectedResource(config, accessToken, api('/user'), 'GET', null, apiHeaders()))));
    const emails = parseAnswer(name, 'GET /user/emails', GithubEmails, await step(name, 'GET /user/emails', async () =>
      readJson(name, 'GET /user/emails', await client.fetchProtectedResource(config, accessToken, api('/user/emails'), 'GET', null, apiHeaders()))));
    // Only an address GitHub verified: the primary one, else none (a private, unverified email is no identity).
    const primary = emails.find((e) => e.primary && e.verified);
    const email = primary ? providerEmail(name, 'GET /user/emails: the primary email', primary.email) : null;
    return { accountId: String(user.id), email, emailVerified: primary !== undefined, name: user.name ?? user.login };
  }

  return {
    name,
    tokenExchange: s.tokenExchange,
    usesNonce: false,

    async authorizationUrl(p) {
      return client.buildAuthorizationUrl(config, {
        redirect_uri: p.redirectUri, scope: SCOPE, state: p.state, code_challenge: p.codeChallenge, code_challenge_method: 'S256',
      }).href;
    },

    async finish(p) {
      const tokens = await step(name, 'the token endpoint', () =>
        client.authorizationCodeGrant(config, p.callbackUrl, { pkceCodeVerifier: p.codeVerifier, expectedState: p.state }));
      return { profile: await profile(tokens.access_token), tokens: tokensOf(tokens) };
    },

    async refresh(refreshToken): Promise<ProviderTokens> {
      // GitHub issues refresh tokens only for expiring user tokens (GitHub Apps, or OAuth apps that opted in).
      return tokensOf(await step(name, 'the token endpoint (refresh)', () => client.refreshTokenGrant(config, refreshToken)));
    },

    async exchange(t) {
      if (!t.accessToken) throw new AppError('OAUTH_INVALID_TOKEN', { reason: 'github: send access_token (GitHub has no ID tokens)' });
      // Any app's token can read /user: only GitHub's "Check a token" proves this one was issued to our app.
      const r = await step(name, 'POST /applications/{client_id}/token', () => withTimeout(http)(api(`/applications/${encodeURIComponent(s.clientId)}/token`).href, {
        method: 'POST',
        headers: { ...Object.fromEntries(apiHeaders()), authorization: `Basic ${Buffer.from(`${s.clientId}:${s.clientSecret}`).toString('base64')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ access_token: t.accessToken }),
      }));
      if (r.status === 404 || r.status === 422) throw new AppError('OAUTH_INVALID_TOKEN', { reason: 'github: the token is not valid for this app' });
      const check = parseAnswer(name, 'POST /applications/{client_id}/token', TokenCheck, await readJson(name, 'POST /applications/{client_id}/token', r));
      if (check.app.client_id !== s.clientId) throw new AppError('OAUTH_INVALID_TOKEN', { reason: 'github: the token was issued to another app' });
      const p = await profile(t.accessToken);
      if (p.accountId !== String(check.user.id)) throw providerError(name, 'the token check and /user name different users');
      return p;
    },
  };
}
