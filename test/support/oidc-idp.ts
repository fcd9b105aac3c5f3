// A local OpenID Connect provider (oidc-provider 9) playing Google, or any OIDC issuer, on 127.0.0.1. Adopted from
// shared/stack/recipe/test/support/idp.ts, with: its own sign-in page instead of devInteractions (so no
// development-only warnings), an in-memory adapter of ours, every TTL set, first-party consent granted
// automatically, refresh tokens, token introspection, and per-login claims (email, email_verified) set by tests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Provider, { type Adapter, type AdapterPayload, type KoaContextWithOIDC } from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';
import { freePort } from './net.ts';

export interface IdpAccount { email?: string; email_verified?: boolean | string; name?: string }

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The claims of the user who signs in as `login` (default: `<login>@idp.test`, verified). */
  setAccount(login: string, claims: IdpAccount): void;
  close(): Promise<void>;
}

export interface IdpOptions {
  clientId?: string;
  clientSecret?: string;
  redirectUris: string[];
  /** Google puts email and email_verified in the ID token itself; a plain provider only in userinfo. */
  claimsInIdToken?: boolean;
  /** Seconds an access token lives. */
  accessTokenTtl?: number;
  /** Also register another app (client id "other-app", same secret and redirect URIs): tokens issued to it are not ours. */
  otherClient?: boolean;
}

/** oidc-provider's storage, in memory, one per provider. */
function memoryAdapter() {
  const rows = new Map<string, { payload: AdapterPayload; expires: number }>();
  const live = (key: string) => {
    const r = rows.get(key);
    if (r && r.expires < Date.now()) { rows.delete(key); return undefined; }
    return r?.payload;
  };
  return (model: string): Adapter => ({
    async upsert(id, payload, expiresIn) { rows.set(`${model}:${id}`, { payload, expires: Date.now() + (expiresIn ?? 3600) * 1000 }); },
    async find(id) { return live(`${model}:${id}`); },
    async findByUserCode(code) { return [...rows.keys()].map((k) => live(k)).find((p) => p?.userCode === code); },
    async findByUid(uid) { return [...rows.keys()].filter((k) => k.startsWith(`${model}:`)).map((k) => live(k)).find((p) => p?.uid === uid); },
    async consume(id) { const p = live(`${model}:${id}`); if (p) p.consumed = Math.floor(Date.now() / 1000); },
    async destroy(id) { rows.delete(`${model}:${id}`); },
    async revokeByGrantId(grantId) { for (const [k, r] of rows) if (r.payload.grantId === grantId) rows.delete(k); },
  });
}

const page = (body: string) => `<!doctype html><meta charset="utf-8"><title>Sign in (local IdP)</title>${body}`;

export async function startIdp(opts: IdpOptions): Promise<TestIdp> {
  const clientId = opts.clientId ?? 'gatehouse-test-client';
  const clientSecret = opts.clientSecret ?? 'idp-client-secret-0123456789abcdef';
  const accounts = new Map<string, IdpAccount>();
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`; // 127.0.0.1, not localhost (::1 vs 127.0.0.1 surprises)
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const ttl = { AccessToken: opts.accessTokenTtl ?? 3600, AuthorizationCode: 60, ClientCredentials: 600, DeviceCode: 600, BackchannelAuthenticationRequest: 600,
      PreAuthorizedCode: 600, IdToken: 3600, RefreshToken: 86_400, Interaction: 600, Session: 3600, Grant: 3600 };
    const provider = new Provider(issuer, {
      adapter: memoryAdapter(),
      clients: [clientId, ...(opts.otherClient ? ['other-app'] : [])].map((id) => ({
        client_id: id, client_secret: clientSecret, redirect_uris: opts.redirectUris, response_types: ['code'],
        grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'client_secret_basic',
      })),
      jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'test-rs256', alg: 'RS256', use: 'sig' }] },
      cookies: { keys: ['test-only-cookie-key-0123456789'] },
      pkce: { required: () => true },
      conformIdTokenClaims: !opts.claimsInIdToken,
      features: {
        devInteractions: { enabled: false },
        introspection: { enabled: true, allowedPolicy: async () => true },
      },
      interactions: { url: (_ctx: KoaContextWithOIDC, interaction) => `/interaction/${interaction.uid}` },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      ttl,
      clientBasedCORS: () => false,
      renderError: async (ctx, out) => { ctx.type = 'html'; ctx.body = page(`<h1>Error</h1><pre>${JSON.stringify(out)}</pre>`); },
      issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
      // First-party client: consent is granted without asking.
      async loadExistingGrant(ctx) {
        const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
        grant.addOIDCScope('openid email profile');
        await grant.save();
        return grant;
      },
      async findAccount(_ctx, id) {
        const claims = { email: `${id}@idp.test`, email_verified: true, name: `Test ${id}`, ...accounts.get(id) };
        return { accountId: id, async claims() { return { sub: id, ...claims }; } };
      },
    });
    const callback = provider.callback();
    const server: Server = createServer((req, res) => {
      const m = /^\/interaction\/([\w-]+)(\/login|\/abort)?$/.exec(new URL(req.url ?? '/', issuer).pathname);
      if (!m) return void callback(req, res);
      interaction(provider, req, res, m[2]).catch((err) => res.writeHead(500).end(String(err)));
    });
    try {
      await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 3) continue;
      throw err;
    }
    return {
      issuer, clientId, clientSecret,
      setAccount: (login, claims) => { accounts.set(login, claims); },
      close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
    };
  }
}

/** The sign-in page: a login name (any) and Sign-in, or Cancel (access_denied). */
async function interaction(provider: Provider, req: IncomingMessage, res: ServerResponse, action: string | undefined): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET' && !action) {
    res.writeHead(200, { 'content-type': 'text/html' }).end(page(`<h1>Sign in</h1>
<form method="post" action="/interaction/${details.uid}/login"><input name="login" placeholder="Enter any login" autofocus>
<button type="submit">Sign-in</button></form>
<form method="post" action="/interaction/${details.uid}/abort"><button type="submit">Cancel</button></form>`));
    return;
  }
  let body = '';
  for await (const chunk of req) body += chunk;
  const login = new URLSearchParams(body).get('login')?.trim();
  const result = action === '/login' && login
    ? { login: { accountId: login } }
    : { error: 'access_denied', error_description: 'End-User aborted interaction' };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}
