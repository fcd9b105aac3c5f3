import type { RawSettings } from './variables.ts';
import { bool, httpUrl } from './parsers.ts';

/** GitHub: plain OAuth 2.0 (no OpenID Connect), with its REST API for the profile. */
export interface GithubSettings {
  kind: 'github';
  name: 'github';
  clientId: string;
  clientSecret: string;
  oauthUrl: string;
  apiUrl: string;
  tokenExchange: boolean;
}

/** Any OpenID Connect provider found by discovery from its issuer: Google, or OIDC_<NAME>_*. */
export interface OidcSettings {
  kind: 'oidc';
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  tokenExchange: boolean;
  /** Extra authorization request parameters (Google: access_type=offline, for a refresh token). */
  authParams: Record<string, string>;
}

export type ProviderSettings = GithubSettings | OidcSettings;

export interface OAuthConfig {
  /** The SPA URLs a flow may return to, compared as exact strings (RFC 9700 §4.1.3). */
  redirectUris: string[];
  /** Where the server-callback flow lands; undefined = that flow is off. */
  spaUrl: string | undefined;
  /** Seconds a state (authorize → callback) stays valid. */
  stateTtl: number;
  /** Only the configured providers: an unconfigured one has no routes (404). */
  providers: ProviderSettings[];
}

type Fail = (variable: string, why: string) => Error;

/** Route names that would collide with other /auth/* routes, or with the fixed providers. */
const RESERVED = new Set(['github', 'google', 'associate', 'jwt', 'cookie', 'csrf', 'register', 'token', 'users']);
const OIDC_VARIABLE = /^OIDC_([A-Z0-9_]+?)_(ISSUER|CLIENT_ID|CLIENT_SECRET|SCOPES|TOKEN_EXCHANGE)$/;
const DEFAULT_OIDC_SCOPES = 'openid email profile';

/**
 * The social login settings: the fixed GITHUB_* and GOOGLE_* variables, and any number of generic OpenID Connect
 * providers named by the pattern OIDC_<NAME>_ISSUER / _CLIENT_ID / _CLIENT_SECRET (+ optional _SCOPES,
 * _TOKEN_EXCHANGE). Those cannot be rows of the fixed table, so they are read here from the environment; a bad or
 * incomplete one stops the server with a message naming the variable.
 */
export function oauthSettings(env: Record<string, string | undefined>, s: RawSettings, fail: Fail): OAuthConfig {
  const providers: ProviderSettings[] = [];
  const pair = (id: 'GITHUB' | 'GOOGLE') => {
    const clientId = s[`${id}_CLIENT_ID` as const], clientSecret = s[`${id}_CLIENT_SECRET` as const];
    if (clientId === undefined && clientSecret === undefined) return undefined;
    if (!clientId) throw fail(`${id}_CLIENT_ID`, `is required when ${id}_CLIENT_SECRET is set`);
    if (!clientSecret) throw fail(`${id}_CLIENT_SECRET`, `is required when ${id}_CLIENT_ID is set`);
    return { clientId, clientSecret };
  };
  const github = pair('GITHUB');
  if (github) {
    providers.push({
      kind: 'github', name: 'github', ...github, tokenExchange: s.GITHUB_TOKEN_EXCHANGE!,
      oauthUrl: secureUrl('GITHUB_OAUTH_URL', s.GITHUB_OAUTH_URL!, fail), apiUrl: secureUrl('GITHUB_API_URL', s.GITHUB_API_URL!, fail),
    });
  }
  const google = pair('GOOGLE');
  if (google) {
    providers.push({
      kind: 'oidc', name: 'google', ...google, issuer: secureUrl('GOOGLE_ISSUER', s.GOOGLE_ISSUER!, fail),
      scopes: DEFAULT_OIDC_SCOPES, tokenExchange: s.GOOGLE_TOKEN_EXCHANGE!, authParams: { access_type: 'offline' },
    });
  }
  providers.push(...genericOidc(env, fail));
  return { redirectUris: s.OAUTH_REDIRECT_URIS!, spaUrl: s.OAUTH_SPA_URL, stateTtl: s.OAUTH_STATE_TTL!, providers };
}

function genericOidc(env: Record<string, string | undefined>, fail: Fail): OidcSettings[] {
  const byName = new Map<string, Partial<Record<string, string>>>();
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith('OIDC_') || value === undefined) continue;
    const m = OIDC_VARIABLE.exec(variable);
    if (!m) throw fail(variable, 'is not a known setting: use OIDC_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET, _SCOPES or _TOKEN_EXCHANGE');
    const [, name, field] = m as unknown as [string, string, string];
    if (!/^[A-Z][A-Z0-9]{0,31}$/.test(name)) throw fail(variable, `<NAME> must be letters and digits only, starting with a letter (got "${name}")`);
    if (RESERVED.has(name.toLowerCase())) throw fail(variable, `"${name.toLowerCase()}" is reserved: choose another <NAME>`);
    byName.set(name, { ...byName.get(name), [field]: value });
  }
  return [...byName].map(([name, f]) => {
    const v = (field: string) => `OIDC_${name}_${field}`;
    for (const required of ['ISSUER', 'CLIENT_ID', 'CLIENT_SECRET']) {
      if (!f[required]?.trim()) throw fail(v(required), `is required for the OpenID Connect provider ${name} (set OIDC_${name}_ISSUER, _CLIENT_ID and _CLIENT_SECRET)`);
    }
    const scopes = (f.SCOPES ?? DEFAULT_OIDC_SCOPES).trim().split(/\s+/);
    if (!scopes.includes('openid')) throw fail(v('SCOPES'), 'must include openid');
    return {
      kind: 'oidc' as const, name: name.toLowerCase(), issuer: secureUrl(v('ISSUER'), parse(v('ISSUER'), f.ISSUER!, httpUrl, fail), fail),
      clientId: f.CLIENT_ID!.trim(), clientSecret: f.CLIENT_SECRET!, scopes: scopes.join(' '),
      tokenExchange: f.TOKEN_EXCHANGE === undefined ? false : parse(v('TOKEN_EXCHANGE'), f.TOKEN_EXCHANGE, bool, fail), authParams: {},
    };
  });
}

function parse<T>(variable: string, raw: string, parser: (raw: string) => T, fail: Fail): T {
  try {
    return parser(raw);
  } catch (err) {
    throw fail(variable, `${(err as Error).message} (got ${JSON.stringify(raw)})`);
  }
}

/** Provider endpoints carry client secrets and tokens: https, except on the loopback interface (local test peers). */
function secureUrl(variable: string, url: string, fail: Fail): string {
  const u = new URL(url);
  if (u.protocol === 'http:' && !isLoopbackHost(u.hostname)) throw fail(variable, `must be https (plain http only on localhost, 127.0.0.1 or [::1]; got ${url})`);
  return url;
}

export const isLoopbackHost = (host: string): boolean => host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
