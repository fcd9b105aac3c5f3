// A minimal browser for social login tests without Chromium: one cookie jar for Gatehouse (spoken to in process,
// through inject) and one for the providers (real HTTP on 127.0.0.1), manual redirects, HTML form posts.
// Two TestBrowser instances are two different people's browsers.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { Harness } from './harness.ts';

export interface Page { url: string; status: number; html: string }

export class TestBrowser {
  /** Gatehouse's cookies (the flow binding, the session cookies). */
  readonly jar: Record<string, string> = {};
  private readonly providerJar = new Map<string, Map<string, string>>();
  private readonly h: Harness;

  constructor(h: Harness) {
    this.h = h;
  }

  /** A request to Gatehouse with this browser's cookies; Set-Cookie updates them. */
  async gatehouse(o: { method?: string; url: string; json?: unknown; token?: string; headers?: Record<string, string> }): Promise<LightMyRequestResponse> {
    const r = await this.h.g.app.inject({
      method: (o.method ?? 'GET') as 'GET', url: o.url, cookies: this.jar,
      headers: { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...o.headers },
      ...(o.json !== undefined ? { payload: o.json as object } : {}),
    });
    for (const c of r.cookies as { name: string; value: string; maxAge?: number }[]) {
      if (c.value === '' || c.maxAge === 0) delete this.jar[c.name]; else this.jar[c.name] = c.value;
    }
    return r;
  }

  /** Follows redirects over real HTTP until a page, or until a URL on an origin in `stopAt` (the SPA, Gatehouse). */
  async visit(url: string, stopAt: string[], init: RequestInit = {}): Promise<Page> {
    for (let hop = 0; hop < 15; hop++) {
      if (stopAt.some((o) => url.startsWith(o))) return { url, status: 0, html: '' };
      const host = new URL(url).host;
      const jar = this.providerJar.get(host) ?? new Map<string, string>();
      this.providerJar.set(host, jar);
      const res = await fetch(url, {
        ...init, redirect: 'manual', signal: AbortSignal.timeout(10_000),
        headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      for (const c of res.headers.getSetCookie()) {
        const kv = c.split(';')[0]!;
        const i = kv.indexOf('=');
        jar.set(kv.slice(0, i), kv.slice(i + 1));
      }
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        url = new URL(location, url).href;
        init = {};
        continue;
      }
      return { url, status: res.status, html: await res.text() };
    }
    throw new Error('too many redirects');
  }

  /** Posts the page's form whose action matches `action` (default: the first), with its hidden fields and `fields`. */
  async submit(page: Page, fields: Record<string, string>, stopAt: string[], action?: RegExp): Promise<Page> {
    const forms = [...page.html.matchAll(/<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)];
    const form = forms.find((f) => !action || action.test(f[1]!));
    assert.ok(form, `no form${action ? ` matching ${action}` : ''} on ${page.url}: ${page.html.slice(0, 300)}`);
    const hidden = Object.fromEntries([...form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)]
      .map((m) => [m[1]!, m[2]!.replace(/&#(\d+);/g, (_x, n: string) => String.fromCharCode(Number(n)))]));
    return this.visit(new URL(form[1]!, page.url).href, stopAt, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...hidden, ...fields }).toString(),
    });
  }
}

export interface SignIn {
  browser: TestBrowser;
  /** Where the provider finally sent the browser: the SPA (code, state, iss) or Gatehouse's callback. */
  returnedTo: URL;
}

/**
 * Starts a flow at Gatehouse (login or associate), signs in at the provider as `login` (or cancels) and stops where
 * the provider sends the browser back. `kind` says which provider page to expect: the fake GitHub or oidc-provider.
 */
export async function signIn(browser: TestBrowser, o: {
  provider: string; kind: 'github' | 'oidc'; login: string; redirectUri?: string; spa: string; gatehouse: string;
  associate?: { token?: string }; cancel?: boolean;
}): Promise<SignIn> {
  const path = `/auth/${o.associate ? 'associate/' : ''}${o.provider}/authorize${o.redirectUri ? `?redirect_uri=${encodeURIComponent(o.redirectUri)}` : ''}`;
  const start = await browser.gatehouse({ url: path, token: o.associate?.token });
  assert.equal(start.statusCode, 200, start.body);
  const stop = [o.spa, o.gatehouse];
  const page = await browser.visit(start.json().authorization_url, stop);
  assert.equal(page.status, 200, `provider page: ${page.html.slice(0, 300)}`);
  const done = o.kind === 'github'
    ? await browser.submit(page, { login: o.login, authorize: o.cancel ? '0' : '1' }, stop)
    : await browser.submit(page, o.cancel ? {} : { login: o.login }, stop, o.cancel ? /abort$/ : /login$/);
  assert.equal(done.status, 0, `did not come back: ${done.url} ${done.html.slice(0, 300)}`);
  return { browser, returnedTo: new URL(done.url) };
}

/** The body the SPA posts to POST /auth/{provider}/authorize: everything the provider put in the redirect. */
export const callbackBody = (u: URL): Record<string, string> => Object.fromEntries(['code', 'state', 'iss'].flatMap((k) => {
  const v = u.searchParams.get(k);
  return v === null ? [] : [[k, v]];
}));
