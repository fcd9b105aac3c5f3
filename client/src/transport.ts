import { networkError, toApiError, type ApiError } from './errors.ts';
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
}

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
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Cookie routes whose success sets a CSRF cookie bound to the session: the cached token is then stale. */
const RENEWS_CSRF = new Set(['/auth/cookie/login', '/auth/cookie/refresh']);

/**
 * The HTTP core: base URL, credentials, CSRF and transparent refresh.
 *
 * Refresh: a request answered 401 triggers one refresh and is retried once. Concurrent 401s share the refresh in
 * flight (a refresh token works once: two parallel refreshes would end the session by reuse detection), and a
 * request that started before a refresh completed is retried without refreshing again. A refresh that fails ends
 * the session: `onSessionEnded` is called (once per failed refresh) and the original 401 is thrown.
 */
export class Transport {
  readonly mode: TransportMode;
  readonly tokens: TokenStore;
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly onSessionEnded: () => void;
  private csrfToken: string | undefined;
  private csrfLoading: Promise<string> | undefined;
  private refreshing: Promise<boolean> | undefined;
  /** Counts completed refreshes, so a request knows whether one happened while it was out. */
  private generation = 0;

  constructor(opts: ClientOptions = {}) {
    this.baseUrl = (opts.baseUrl ?? '').replace(/\/+$/, '');
    this.mode = opts.mode ?? 'cookie';
    this.tokens = opts.tokens ?? memoryTokenStore();
    this.fetchImpl = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.onSessionEnded = opts.onSessionEnded ?? (() => {});
  }

  url(path: string, query?: Query): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  /** Sends a request; resolves with the parsed JSON body (undefined when empty), or throws an ApiError. */
  async request<T>(spec: RequestSpec): Promise<T> {
    const generation = this.generation;
    let res = await this.send(spec);
    if (res.ok) return parse<T>(res);
    let err = await errorOf(res);
    if (err.code === 'CSRF_FAILED' && this.mode === 'cookie') {
      this.csrfToken = undefined; // the CSRF cookie was lost or replaced (another tab): take a new token, once
      res = await this.send(spec);
      if (res.ok) return parse<T>(res);
      err = await errorOf(res);
    }
    if (err.status === 401 && (spec.refresh ?? true)) {
      if (await this.refreshSince(generation)) {
        res = await this.send(spec);
        if (res.ok) return parse<T>(res);
        err = await errorOf(res);
      }
    }
    throw err;
  }

  /** Refreshes the session now (sharing a refresh already in flight). Resolves false if the session is gone. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => { this.refreshing = undefined; });
    return this.refreshing;
  }

  /** The CSRF token for the cookie backend, fetched once (GET /auth/csrf also sets its cookie). */
  csrf(): Promise<string> {
    if (this.csrfToken) return Promise.resolve(this.csrfToken);
    this.csrfLoading ??= this.fetchCsrf().finally(() => { this.csrfLoading = undefined; });
    return this.csrfLoading;
  }

  private async refreshSince(generation: number): Promise<boolean> {
    if (this.generation !== generation) return true; // a refresh completed while this request was out: just retry
    return this.refresh();
  }

  private async doRefresh(): Promise<boolean> {
    let res: Response;
    if (this.mode === 'cookie') {
      res = await this.send({ method: 'POST', path: '/auth/cookie/refresh', refresh: false });
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

