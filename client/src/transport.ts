import { ApiError, networkError, toApiError } from './errors.ts';
import type { BearerToken } from './types.ts';

/** How the session travels: HttpOnly cookies (browsers; the default) or an Authorization header (other clients). */
export type TransportMode = 'cookie' | 'bearer';

/** Where bearer mode keeps its token pair. The default keeps it in memory only; never put it in localStorage. */
export interface TokenStore {
  get(): BearerToken | null;
  set(tokens: BearerToken | null): void;
}

export const memoryTokenStore = (): TokenStore => {
  let tokens: BearerToken | null = null;
  return { get: () => tokens, set: (t) => { tokens = t; } };
};

export interface ClientOptions {
  /** The API's origin (and path prefix, if any), e.g. "https://auth.example.com". Default "": the page's own origin. */
  baseUrl?: string;
  /** Default "cookie". */
  mode?: TransportMode;
  /** Bearer mode: where the tokens live. Default: in memory. */
  tokens?: TokenStore;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Called once when the session is gone for good: a 401 that a refresh could not cure. */
  onSessionEnded?: () => void;
  /**
   * Coordinates refreshes between the tabs of one origin, so only one refreshes at a time. Default: the Web Locks API
   * (`navigator.locks`) where the runtime has it; null: this page only (as where it is missing).
   */
  locks?: RefreshLocks | null;
  /**
   * Step-up: called when a request is answered 403 REAUTHENTICATION_REQUIRED (the action needs a more recent, or a
   * multi-factor, proof). Re-authenticate (e.g. ask the user, then `client.reauthenticate(…)`) and resolve true to
   * have the request sent once more, or false to let the 403 through. Requests that meet it together share one call.
   */
  onReauthenticationRequired?: (err: ApiError) => Promise<boolean>;
  /** Called when a request is refused because the user's role needs a second factor they have not enrolled yet. */
  onMfaEnrollmentRequired?: () => void;
}

/** The part of the Web Locks API (`navigator.locks`) the refresh uses. */
export interface RefreshLocks {
  request<T>(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => T | Promise<T>): Promise<T>;
}

/** The Web Lock the tabs of one origin take to refresh. */
export const REFRESH_LOCK = 'gatehouse-refresh';
/** How long a tab waits for another tab's refresh before refreshing anyway (the server's grace covers that race). */
const LOCK_WAIT_MS = 15_000;
const webLocks = (): RefreshLocks | null => (globalThis as { navigator?: { locks?: RefreshLocks } }).navigator?.locks ?? null;

type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Query;
  json?: unknown;
  form?: Record<string, string>;
  /** A 401 here may be cured by refreshing the session and retrying once (default true). */
  refresh?: boolean;
  /** Send and accept cookies even in bearer mode (social login binds its flow to the browser with a cookie). */
  cookies?: boolean;
  /** A 403 REAUTHENTICATION_REQUIRED here may be cured by onReauthenticationRequired and one retry (default true). */
  reauth?: boolean;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Cookie routes whose success sets a CSRF cookie bound to the session: the cached token is then stale. */
const RENEWS_CSRF = new Set(['/auth/cookie/login', '/auth/cookie/refresh', '/auth/cookie/mfa', '/auth/cookie/passkey']);

/**
 * The HTTP core: base URL, credentials, CSRF and transparent refresh.
 *
 * Refresh: a request answered 401 triggers one refresh and is retried once. Concurrent 401s share the refresh in
 * flight (a refresh token works once), and a request that started before a refresh completed is retried without
 * refreshing again. Across the tabs of one origin, a refresh holds the Web Lock `gatehouse-refresh`: a tab that had
 * to wait for it first checks whether the other tab's refresh already cured it (cookie mode: the shared cookies, by
 * sending its request again; bearer mode: a new pair in a shared TokenStore) and refreshes only if not. Without
 * Web Locks, tabs may refresh at once, and the server answers the losers of that race with the same successor
 * (REFRESH_REUSE_GRACE). A refresh that fails ends the session: `onSessionEnded` is called (once per failed refresh)
 * and the original 401 is thrown.
 */
export class Transport {
  readonly mode: TransportMode;
  readonly tokens: TokenStore;
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly onSessionEnded: () => void;
  private readonly locks: RefreshLocks | null;
  private readonly onReauthenticationRequired: ((err: ApiError) => Promise<boolean>) | undefined;
  private readonly onMfaEnrollmentRequired: () => void;
  /** The step-up in flight, shared by the requests that met REAUTHENTICATION_REQUIRED meanwhile. */
  private reauthenticating: Promise<boolean> | undefined;
  private csrfToken: string | undefined;
  private csrfLoading: Promise<string> | undefined;
  /** The refresh in flight: true, false (the session is gone), or the answer of the request that started it. */
  private refreshing: Promise<boolean | Response> | undefined;
  /** Counts completed refreshes, so a request knows whether one happened while it was out. */
  private generation = 0;

  constructor(opts: ClientOptions = {}) {
    this.baseUrl = (opts.baseUrl ?? '').replace(/\/+$/, '');
    this.mode = opts.mode ?? 'cookie';
    this.tokens = opts.tokens ?? memoryTokenStore();
    this.fetchImpl = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.onSessionEnded = opts.onSessionEnded ?? (() => {});
    this.locks = opts.locks === undefined ? webLocks() : opts.locks;
    this.onReauthenticationRequired = opts.onReauthenticationRequired;
    this.onMfaEnrollmentRequired = opts.onMfaEnrollmentRequired ?? (() => {});
  }

  url(path: string, query?: Query): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  /**
   * Sends a request; resolves with the parsed JSON body (undefined when empty), or throws an ApiError. A step-up
   * asked for on the way (403 REAUTHENTICATION_REQUIRED) goes to onReauthenticationRequired, then the request is
   * sent once more.
   */
  async request<T>(spec: RequestSpec): Promise<T> {
    try {
      return await this.requestOnce<T>(spec);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.code === 'MFA_ENROLLMENT_REQUIRED') this.onMfaEnrollmentRequired();
      if (err.code !== 'REAUTHENTICATION_REQUIRED' || spec.reauth === false || !this.onReauthenticationRequired) throw err;
      if (!(await this.stepUp(err))) throw err;
      return this.request<T>({ ...spec, reauth: false }); // once: a second refusal goes to the caller
    }
  }

  /** One step-up for all the requests that need it now (the user sees one dialog). */
  private stepUp(err: ApiError): Promise<boolean> {
    this.reauthenticating ??= this.onReauthenticationRequired!(err).catch(() => false).finally(() => { this.reauthenticating = undefined; });
    return this.reauthenticating;
  }

  private async requestOnce<T>(spec: RequestSpec): Promise<T> {
    const generation = this.generation;
    const sentWith = this.refreshToken();
    let res = await this.send(spec);
    if (res.ok) return parse<T>(res);
    let err = await errorOf(res);
    if (err.code === 'CSRF_FAILED' && this.mode === 'cookie') {
      await this.fetchCsrf(); // the CSRF cookie was lost or replaced (another tab): take a new token, once
      res = await this.send(spec);
      if (res.ok) return parse<T>(res);
      err = await errorOf(res);
    }
    if (err.status === 401 && (spec.refresh ?? true)) {
      const cured = await this.refreshSince(generation, sentWith, () => this.send(spec));
      if (cured !== false) {
        res = cured === true ? await this.send(spec) : cured; // a Response: the request, sent again, already answered
        if (res.ok) return parse<T>(res);
        err = await errorOf(res);
      }
    }
    throw err;
  }

  /**
   * Refreshes first, then sends `spec`: for a caller that already knows the access token is gone (GET
   * /auth/cookie/session said so), so no request meets a 401. Shares a refresh in flight and the tabs' lock like a
   * 401 does; a tab that waited for another's refresh just sends `spec`. Null if the session is gone.
   */
  async afterRefresh<T>(spec: RequestSpec): Promise<T | null> {
    // A refresh already in flight belongs to another request (its answer may be that request's): wait, then send ours.
    const shared = this.refreshing;
    const cured = shared ? (await shared) !== false : await this.startRefresh(undefined, () => this.send(spec));
    if (cured === false) return null;
    const res = cured === true ? await this.send(spec) : cured;
    if (res.ok) return parse<T>(res);
    throw await errorOf(res);
  }

  /** Refreshes the session now (sharing a refresh already in flight). Resolves false if the session is gone. */
  async refresh(): Promise<boolean> {
    return (await this.startRefresh()) !== false;
  }

  /**
   * The CSRF token for the cookie backend: the CSRF cookie itself where the page can read it (the API on the page's
   * host: every tab then sends the one token the cookie holds, though another tab's GET /auth/csrf replaced it),
   * else fetched once (GET /auth/csrf also sets the cookie).
   */
  csrf(): Promise<string> {
    const shared = csrfCookie();
    if (shared) return Promise.resolve(shared);
    if (this.csrfToken) return Promise.resolve(this.csrfToken);
    this.csrfLoading ??= this.fetchCsrf().finally(() => { this.csrfLoading = undefined; });
    return this.csrfLoading;
  }

  /**
   * True: send the request again; a Response: it was sent again (another tab had refreshed) and this is its answer;
   * false: the session is gone.
   */
  private async refreshSince(generation: number, sentWith: string | undefined, retry: () => Promise<Response>): Promise<boolean | Response> {
    if (this.generation !== generation) return true; // a refresh completed while this request was out: just retry
    const now = this.refreshToken();
    if (now !== undefined && now !== sentWith) return true; // bearer: another tab sharing the store refreshed
    if (this.refreshing) return (await this.refreshing) !== false; // shared: its answer belongs to the request that started it
    return this.startRefresh(sentWith, retry);
  }

  private startRefresh(sentWith = this.refreshToken(), retry?: () => Promise<Response>): Promise<boolean | Response> {
    this.refreshing ??= this.lockedRefresh(sentWith, retry).finally(() => { this.refreshing = undefined; });
    return this.refreshing;
  }

  /** One tab of the origin refreshes at a time (Web Locks); a tab that waited first sees whether it still must. */
  private async lockedRefresh(sentWith: string | undefined, retry?: () => Promise<Response>): Promise<boolean | Response> {
    const locks = this.locks;
    if (!locks) return this.doRefresh();
    const free = await locks.request<boolean | null>(REFRESH_LOCK, { ifAvailable: true }, (lock) => (lock ? this.doRefresh() : null));
    if (free !== null) return free; // the usual case: no other tab was refreshing
    let lockWait: AbortSignal | undefined;
    try {
      lockWait = AbortSignal.timeout(LOCK_WAIT_MS);
      return await locks.request<boolean | Response>(REFRESH_LOCK, { signal: lockWait }, async () => {
        const cured = await this.refreshedElsewhere(sentWith, retry);
        if (cured === undefined) return this.doRefresh();
        this.generation++;
        return cured;
      });
    } catch (err) {
      if (!lockWait?.aborted) throw err;
      return this.doRefresh(); // the other tab hangs: refresh anyway
    }
  }

  /** After waiting for another tab's refresh: whether it cured this tab too (true or the request's new answer). */
  private async refreshedElsewhere(sentWith: string | undefined, retry?: () => Promise<Response>): Promise<true | Response | undefined> {
    if (this.mode === 'bearer') {
      const now = this.refreshToken();
      return now !== undefined && now !== sentWith ? true : undefined;
    }
    if (!retry) return undefined; // refresh() called by the app: nothing to try first
    const res = await retry(); // the cookies are shared by the tabs: the other tab's refresh set them for this one too
    if (res.status !== 401) return res;
    await res.body?.cancel().catch(() => {});
    return undefined;
  }

  private refreshToken(): string | undefined {
    return this.mode === 'bearer' ? this.tokens.get()?.refresh_token ?? undefined : undefined;
  }

  private async doRefresh(): Promise<boolean> {
    let res: Response;
    if (this.mode === 'cookie') {
      const spec = { method: 'POST', path: '/auth/cookie/refresh', refresh: false } as const;
      res = await this.send(spec);
      if (res.status === 403 && (await errorOf(res.clone())).code === 'CSRF_FAILED') {
        await this.fetchCsrf(); // another tab took a new CSRF token, which replaced the cookie: take one too, once
        res = await this.send(spec);
      }
    } else {
      const current = this.tokens.get();
      if (!current?.refresh_token) {
        this.onSessionEnded();
        return false;
      }
      res = await this.send({ method: 'POST', path: '/auth/jwt/refresh', json: { refresh_token: current.refresh_token }, refresh: false });
      if (res.ok) this.tokens.set(await parse<BearerToken>(res));
    }
    if (res.ok) {
      this.generation++;
      return true;
    }
    const err = await errorOf(res);
    if (err.status === 401 || err.status === 400 || err.status === 422) {
      if (this.mode === 'bearer') this.tokens.set(null);
      this.onSessionEnded();
      return false;
    }
    throw err; // a 503 or a 500 does not mean the session is gone
  }

  private async fetchCsrf(): Promise<string> {
    const res = await this.raw(this.url('/auth/csrf'), { method: 'GET', credentials: 'include', headers: { accept: 'application/json' } });
    if (!res.ok) throw await errorOf(res);
    const { csrf_token } = await parse<{ csrf_token: string }>(res);
    this.csrfToken = csrf_token;
    return csrf_token;
  }

  private async send(spec: RequestSpec): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.json);
    } else if (spec.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(spec.form).toString();
    }
    if (this.mode === 'bearer') {
      const access = this.tokens.get()?.access_token;
      if (access) headers.authorization = `Bearer ${access}`;
    } else if (!SAFE.has(spec.method)) {
      headers['x-csrf-token'] = await this.csrf();
    }
    const res = await this.raw(this.url(spec.path, spec.query), {
      method: spec.method, headers, body,
      credentials: this.mode === 'cookie' || spec.cookies ? 'include' : 'omit',
    });
    // The server binds CSRF tokens to the session: after a login (or a refresh that renewed it) the token taken
    // before is refused, and the new cookie is not readable here across origins, so GET /auth/csrf again when needed.
    if (res.ok && this.mode === 'cookie' && RENEWS_CSRF.has(spec.path)) this.csrfToken = undefined;
    return res;
  }

  private async raw(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetchImpl(url, init);
    } catch (err) {
      throw networkError(err);
    }
  }
}

/** The CSRF cookie's value, where the page's script can read it (`__Host-` when the cookies are Secure). */
function csrfCookie(): string | undefined {
  const cookies = (globalThis as { document?: { cookie?: string } }).document?.cookie;
  if (!cookies) return undefined;
  const value = (name: string) => new RegExp(`(?:^|;\\s*)${name}=([^;]+)`).exec(cookies)?.[1];
  return value('__Host-gatehouse_csrf') ?? value('gatehouse_csrf');
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text().catch(() => '');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const parse = <T>(res: Response): Promise<T> => readJson(res) as Promise<T>;
const errorOf = async (res: Response): Promise<ApiError> => toApiError(res.status, await readJson(res));

