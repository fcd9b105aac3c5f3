import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, ConfigError } from '../../src/config/config.ts';

const BASE = { APP_SECRET: 'test-secret-0123456789abcdef0123456789abcdef', NODE_ENV: 'test' };
const load = (env: Record<string, string>) => loadConfig({ ...BASE, ...env }, { dotenv: false });
const ACME = { OIDC_ACME_ISSUER: 'https://login.acme.example', OIDC_ACME_CLIENT_ID: 'acme-client', OIDC_ACME_CLIENT_SECRET: 'acme-secret' };

test('without provider settings no provider is offered, and the defaults are safe', () => {
  const { oauth } = load({});
  assert.deepEqual(oauth, { redirectUris: [], spaUrl: undefined, stateTtl: 600, providers: [] });
});

test('GitHub and Google are on when their id and secret are set; GitHub\'s URLs and Google\'s issuer have defaults', () => {
  const { providers } = load({ GITHUB_CLIENT_ID: 'gh', GITHUB_CLIENT_SECRET: 'ghs', GOOGLE_CLIENT_ID: 'go', GOOGLE_CLIENT_SECRET: 'gos' }).oauth;
  assert.deepEqual(providers.map((p) => p.name), ['github', 'google']);
  assert.deepEqual(providers[0], { kind: 'github', name: 'github', clientId: 'gh', clientSecret: 'ghs', tokenExchange: false, oauthUrl: 'https://github.com', apiUrl: 'https://api.github.com' });
  assert.equal(providers[1]!.kind === 'oidc' && providers[1]!.issuer, 'https://accounts.google.com');
});

test('OIDC_<NAME>_* variables make a generic OpenID provider named <name>, with default scopes', () => {
  const { providers } = load({ ...ACME, OIDC_ACME_TOKEN_EXCHANGE: 'true' }).oauth;
  assert.deepEqual(providers, [{
    kind: 'oidc', name: 'acme', issuer: 'https://login.acme.example', clientId: 'acme-client', clientSecret: 'acme-secret',
    scopes: 'openid email profile', tokenExchange: true, authParams: {},
  }]);
});

const refused: [string, Record<string, string>, string, RegExp][] = [
  ['a GitHub id without its secret', { GITHUB_CLIENT_ID: 'gh' }, 'GITHUB_CLIENT_SECRET', /is required when GITHUB_CLIENT_ID is set/],
  ['a Google secret without its id', { GOOGLE_CLIENT_SECRET: 's' }, 'GOOGLE_CLIENT_ID', /is required/],
  ['an OIDC provider without its secret', { OIDC_ACME_ISSUER: 'https://a.example', OIDC_ACME_CLIENT_ID: 'x' }, 'OIDC_ACME_CLIENT_SECRET', /is required for the OpenID Connect provider ACME/],
  ['a misspelt OIDC variable', { ...ACME, OIDC_ACME_ISUER: 'https://a.example' }, 'OIDC_ACME_ISUER', /is not a known setting/],
  ['an OIDC issuer that is not a URL', { ...ACME, OIDC_ACME_ISSUER: 'acme' }, 'OIDC_ACME_ISSUER', /must be an absolute http\(s\) URL/],
  ['an OIDC issuer over plain http on the internet', { ...ACME, OIDC_ACME_ISSUER: 'http://login.acme.example' }, 'OIDC_ACME_ISSUER', /must be https/],
  ['a GitHub URL over plain http on the internet', { GITHUB_CLIENT_ID: 'a', GITHUB_CLIENT_SECRET: 'b', GITHUB_OAUTH_URL: 'http://github.example' }, 'GITHUB_OAUTH_URL', /must be https/],
  ['a reserved provider name', { OIDC_GOOGLE_ISSUER: 'https://a.example' }, 'OIDC_GOOGLE_ISSUER', /"google" is reserved/],
  ['a name with an underscore', { OIDC_MY_IDP_ISSUER: 'https://a.example' }, 'OIDC_MY_IDP_ISSUER', /letters and digits only/],
  ['scopes without openid', { ...ACME, OIDC_ACME_SCOPES: 'email profile' }, 'OIDC_ACME_SCOPES', /must include openid/],
  ['a bad token-exchange flag', { ...ACME, OIDC_ACME_TOKEN_EXCHANGE: 'maybe' }, 'OIDC_ACME_TOKEN_EXCHANGE', /must be true or false/],
  ['a redirect URI with a query', { OAUTH_REDIRECT_URIS: 'https://app.example/cb?x=1' }, 'OAUTH_REDIRECT_URIS', /must not have a query or fragment/],
  ['a redirect URI that is not canonical', { OAUTH_REDIRECT_URIS: 'https://APP.example/cb' }, 'OAUTH_REDIRECT_URIS', /not in canonical form/],
  ['a relative redirect URI', { OAUTH_REDIRECT_URIS: '/cb' }, 'OAUTH_REDIRECT_URIS', /not an absolute URL/],
  ['a state that lives longer than 10 minutes', { OAUTH_STATE_TTL: '11m' }, 'OAUTH_STATE_TTL', /must be from 60s to 600s/],
];
for (const [what, env, variable, why] of refused) {
  test(`${what} stops the server with a message naming ${variable}`, () => {
    assert.throws(() => load(env), (err: unknown) => err instanceof ConfigError && err.variable === variable && why.test(err.message));
  });
}

test('http provider URLs are allowed on loopback, for local test providers', () => {
  const { providers } = load({ ...ACME, OIDC_ACME_ISSUER: 'http://127.0.0.1:4000' }).oauth;
  assert.equal(providers[0]!.kind === 'oidc' && providers[0]!.issuer, 'http://127.0.0.1:4000');
});
