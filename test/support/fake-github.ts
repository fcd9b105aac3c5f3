// A local stand-in for GitHub's OAuth app endpoints and the REST API calls Gatehouse makes, written from GitHub's
// documentation ("Authorizing OAuth apps", "Troubleshooting OAuth app access token request errors", REST "Users",
// "User emails", "OAuth authorizations: Check a token"). It keeps GitHub's quirks: token errors come back as HTTP 200
// with an `error` field, the token endpoint answers form-encoded unless asked for JSON, the API wants a User-Agent.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface FakeGithubUser {
  id: number;
  login: string;
  name: string | null;
  emails: { email: string; primary: boolean; verified: boolean; visibility: 'public' | 'private' | null }[];
}

type Route = 'authorize' | 'token' | 'user' | 'emails' | 'check';
export interface CannedAnswer { status: number; body: string; contentType?: string }

export interface FakeGithub {
  /** The OAuth server (GITHUB_OAUTH_URL). */
  oauthUrl: string;
  /** The REST API (GITHUB_API_URL). */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  addUser(u: FakeGithubUser): void;
  /** The next request to `route` gets this answer instead of the real one. */
  failNext(route: Route, answer: CannedAnswer): void;
  /** Issue expiring user tokens with refresh tokens (GitHub Apps, or OAuth apps that opted in). */
  expiringTokens: boolean;
  /** Every request, for assertions (what Gatehouse sent). */
  requests: { method: string; path: string; headers: IncomingMessage['headers']; body: string }[];
  /** An access token for `login`, as if issued to `clientId` (another app's when it is not ours). */
  issueToken(login: string, clientId?: string): string;
  /** Makes a stored access token expire now. */
  expire(token: string): void;
  close(): Promise<void>;
}

interface Code { clientId: string; redirectUri: string; login: string; challenge: string | null; scope: string; expires: number }
interface Token { login: string; clientId: string; scope: string; expires: number | null }

const html = (body: string) => `<!doctype html><meta charset="utf-8"><title>GitHub (local)</title>${body}`;
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const s256 = (v: string) => createHash('sha256').update(v).digest('base64url');

export async function startFakeGithub(opts: { clientId?: string; clientSecret?: string; callbackUrls: string[] }): Promise<FakeGithub> {
  const clientId = opts.clientId ?? 'Iv1.fakegithubclient';
  const clientSecret = opts.clientSecret ?? 'fake-github-secret-0123456789';
  const users = new Map<string, FakeGithubUser>();
  const codes = new Map<string, Code>();
  const tokens = new Map<string, Token>();
  const refreshTokens = new Map<string, { login: string; clientId: string; scope: string }>();
  const canned = new Map<Route, CannedAnswer>();
  const requests: FakeGithub['requests'] = [];

  const newToken = (login: string, client: string, scope: string, expiring: boolean) => {
    const token = `gho_${randomBytes(18).toString('base64url')}`;
    tokens.set(token, { login, clientId: client, scope, expires: expiring ? Date.now() + 28_800_000 : null });
    return token;
  };

  /** The token endpoint answers in the format the Accept header asks for; form-encoded by default. */
  const tokenAnswer = (req: IncomingMessage, res: ServerResponse, fields: Record<string, string | number>) => {
    const json = (req.headers.accept ?? '').includes('application/json');
    const body = json ? JSON.stringify(fields) : new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString();
    res.writeHead(200, { 'content-type': json ? 'application/json; charset=utf-8' : 'application/x-www-form-urlencoded; charset=utf-8' }).end(body);
  };
  const tokenError = (req: IncomingMessage, res: ServerResponse, error: string, description: string) =>
    tokenAnswer(req, res, { error, error_description: description, error_uri: 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors' });
  const api = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  const bearer = (req: IncomingMessage): Token | undefined => {
    const m = /^(?:Bearer|token) (\S+)$/i.exec(req.headers.authorization ?? '');
    const t = m ? tokens.get(m[1]!) : undefined;
    return t && (t.expires === null || t.expires > Date.now()) ? t : undefined;
  };

  async function handle(req: IncomingMessage, res: ServerResponse, body: string) {
    const url = new URL(req.url ?? '/', 'http://github.local');
    const route: Route | undefined = url.pathname === '/login/oauth/access_token' ? 'token' : url.pathname === '/api/user' ? 'user'
      : url.pathname === '/api/user/emails' ? 'emails' : url.pathname.startsWith('/api/applications/') ? 'check' : url.pathname === '/login/oauth/authorize' ? 'authorize' : undefined;
    const answer = route && canned.get(route);
    if (answer) {
      canned.delete(route!);
      return res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json' }).end(answer.body);
    }
    const form = Object.fromEntries(new URLSearchParams(req.headers['content-type']?.includes('json') ? '' : body));
    const params = req.headers['content-type']?.includes('json') ? JSON.parse(body || '{}') as Record<string, string> : form;

    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      const q = Object.fromEntries(url.searchParams);
      if (q.client_id !== clientId) return res.writeHead(404, { 'content-type': 'text/html' }).end(html('<h1>Not Found</h1>'));
      if (!opts.callbackUrls.includes(q.redirect_uri ?? '')) {
        return res.writeHead(400, { 'content-type': 'text/html' }).end(html('<h1>Be careful!</h1><p>The redirect_uri is not associated with this application.</p>'));
      }
      const hidden = Object.entries(q).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
      return res.writeHead(200, { 'content-type': 'text/html' }).end(html(`<h1>Authorize Gatehouse (local)</h1>
<form method="post" action="/login/oauth/authorize">${hidden}
<label>Username or email address <input name="login" placeholder="GitHub username"></label>
<button name="authorize" value="1">Authorize</button> <button name="authorize" value="0">Cancel</button></form>`));
    }
    if (req.method === 'POST' && url.pathname === '/login/oauth/authorize') {
      const back = new URL(form.redirect_uri!);
      if (form.authorize !== '1') {
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_description', 'The user has denied your application access.');
      } else {
        const user = users.get(form.login ?? '');
        if (!user) return res.writeHead(200, { 'content-type': 'text/html' }).end(html('<p>Incorrect username or password.</p>'));
        const code = randomBytes(10).toString('hex');
        const challenge = form.code_challenge_method === 'S256' ? form.code_challenge ?? null : null;
        codes.set(code, { clientId, redirectUri: form.redirect_uri!, login: user.login, challenge, scope: form.scope ?? '', expires: Date.now() + 600_000 });
        back.searchParams.set('code', code);
      }
      if (form.state) back.searchParams.set('state', form.state);
      return res.writeHead(302, { location: back.href }).end();
    }
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
      const [id, secret] = basic ? Buffer.from(basic[1]!, 'base64').toString().split(':').map(decodeURIComponent) : [params.client_id, params.client_secret];
      if (id !== clientId || secret !== clientSecret) return tokenError(req, res, 'incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.');
      if (params.grant_type === 'refresh_token') {
        const r = refreshTokens.get(params.refresh_token ?? '');
        if (!r) return tokenError(req, res, 'bad_refresh_token', 'The refresh token passed is incorrect or expired.');
        refreshTokens.delete(params.refresh_token!);
        return issue(req, res, r.login, r.scope);
      }
      const c = codes.get(params.code ?? '');
      codes.delete(params.code ?? ''); // a code works once
      if (!c || c.expires < Date.now()) return tokenError(req, res, 'bad_verification_code', 'The code passed is incorrect or expired.');
      if (params.redirect_uri !== undefined && params.redirect_uri !== c.redirectUri) return tokenError(req, res, 'redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.');
      if (c.challenge !== null && (!params.code_verifier || s256(params.code_verifier) !== c.challenge)) return tokenError(req, res, 'bad_verification_code', 'The code passed is incorrect or expired.');
      return issue(req, res, c.login, c.scope);
    }
    if (url.pathname.startsWith('/api/') && !req.headers['user-agent']) {
      return api(res, 403, { message: 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header.' });
    }
    if (req.method === 'GET' && url.pathname === '/api/user') {
      const t = bearer(req);
      if (!t) return api(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      const u = users.get(t.login)!;
      const pub = u.emails.find((e) => e.visibility === 'public');
      return api(res, 200, { login: u.login, id: u.id, node_id: `U_${u.id}`, avatar_url: '', type: 'User', site_admin: false, name: u.name, email: pub?.email ?? null });
    }
    if (req.method === 'GET' && url.pathname === '/api/user/emails') {
      const t = bearer(req);
      if (!t) return api(res, 401, { message: 'Bad credentials' });
      if (!t.scope.split(/[ ,]+/).includes('user:email')) return api(res, 404, { message: 'Not Found' });
      return api(res, 200, users.get(t.login)!.emails);
    }
    const check = /^\/api\/applications\/([^/]+)\/token$/.exec(url.pathname);
    if (req.method === 'POST' && check) {
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
      const [id, secret] = basic ? Buffer.from(basic[1]!, 'base64').toString().split(':') : [];
      if (id !== clientId || secret !== clientSecret || decodeURIComponent(check[1]!) !== clientId) return api(res, 404, { message: 'Not Found' });
      const t = tokens.get(params.access_token ?? '');
      if (!t || t.clientId !== clientId || (t.expires !== null && t.expires < Date.now())) return api(res, 404, { message: 'Not Found' });
      const u = users.get(t.login)!;
      return api(res, 200, { id: 1, token: params.access_token, scopes: t.scope.split(/[ ,]+/), app: { client_id: clientId, name: 'Gatehouse (local)', url: 'http://127.0.0.1' }, user: { login: u.login, id: u.id } });
    }
    return api(res, 404, { message: 'Not Found' });
  }

  const fake = {} as FakeGithub;
  function issue(req: IncomingMessage, res: ServerResponse, login: string, scope: string) {
    const accessToken = newToken(login, clientId, scope, fake.expiringTokens);
    const fields: Record<string, string | number> = { access_token: accessToken, token_type: 'bearer', scope };
    if (fake.expiringTokens) {
      const refresh = `ghr_${randomBytes(24).toString('base64url')}`;
      refreshTokens.set(refresh, { login, clientId, scope });
      Object.assign(fields, { expires_in: 28800, refresh_token: refresh, refresh_token_expires_in: 15811200 });
    }
    return tokenAnswer(req, res, fields);
  }

  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { body += c; });
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      handle(req, res, body).catch((err) => res.writeHead(500).end(String(err)));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return Object.assign(fake, {
    oauthUrl: base, apiUrl: `${base}/api`, clientId, clientSecret, requests, expiringTokens: false,
    addUser: (u: FakeGithubUser) => { users.set(u.login, u); },
    failNext: (route: Route, a: CannedAnswer) => { canned.set(route, a); },
    issueToken: (login: string, client = clientId) => newToken(login, client, 'read:user user:email', false),
    expire: (token: string) => { const t = tokens.get(token); if (t) t.expires = Date.now() - 1; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  });
}
