/**
 * The SPA's pages. None of them shares a path with the API (/auth, /users, /admin, /.well-known, /docs…): a reload
 * of any page must reach src/http/spa.ts's index.html fallback, never an API route.
 */
export const PAGES = {
  home: '/',
  login: '/login',
  register: '/register',
  forgotPassword: '/forgot-password',
  resetPassword: '/reset-password',
  verify: '/verify',
  oauthCallback: '/oauth/callback/:provider',
  oauthDone: '/oauth/done',
  profile: '/profile',
  security: '/profile/security',
  mfa: '/mfa',
  /** The same page where a server resolves "mfa" against OAUTH_SPA_URL = <app>/oauth/done (the social-login callback). */
  oauthMfa: '/oauth/mfa',
  users: '/manage/users',
  user: '/manage/users/:id',
  audit: '/manage/audit',
} as const;

export type PageName = keyof typeof PAGES;
export interface Match { page: PageName | 'notFound'; params: Record<string, string> }

/** "/manage/users/42" → {page: 'user', params: {id: '42'}}; unknown paths → notFound. A trailing slash is ignored. */
export function matchPath(pathname: string): Match {
  const parts = split(pathname);
  for (const [page, pattern] of Object.entries(PAGES) as [PageName, string][]) {
    const want = split(pattern);
    if (want.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < want.length && ok; i++) {
      const w = want[i]!, p = parts[i]!;
      if (w.startsWith(':')) {
        try {
          params[w.slice(1)] = decodeURIComponent(p);
        } catch {
          ok = false;
        }
      } else {
        ok = w === p;
      }
    }
    if (ok) return { page, params };
  }
  return { page: 'notFound', params: {} };
}

/** PAGES.user + {id} → "/manage/users/<id>" */
export function pathTo(page: PageName, params: Record<string, string> = {}, query: Record<string, string | number | undefined> = {}): string {
  const path = PAGES[page].replace(/:(\w+)/g, (_, k: string) => encodeURIComponent(params[k] ?? ''));
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)])).toString();
  return qs ? `${path}?${qs}` : path;
}

/** Where to go after signing in: only a path of this app, never another site ("//evil.example", "https://…"). */
export function safeNext(next: string | null | undefined, fallback = PAGES.profile): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  return next;
}

const split = (path: string) => path.split('/').filter(Boolean);
