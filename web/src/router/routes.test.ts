import { describe, expect, it } from 'vitest';
import { PAGES, matchPath, pathTo, safeNext } from './routes.ts';

describe('the SPA\'s routes', () => {
  it('match paths, with parameters decoded, and a trailing slash ignored', () => {
    expect(matchPath('/')).toEqual({ page: 'home', params: {} });
    expect(matchPath('/login/')).toEqual({ page: 'login', params: {} });
    expect(matchPath('/manage/users/a%2Fb')).toEqual({ page: 'user', params: { id: 'a/b' } });
    expect(matchPath('/oauth/callback/github')).toEqual({ page: 'oauthCallback', params: { provider: 'github' } });
    expect(matchPath('/manage/users/1/extra').page).toBe('notFound');
    expect(matchPath('/profile/security')).toEqual({ page: 'security', params: {} });
    expect(matchPath('/mfa').page).toBe('mfa');
    expect(matchPath('/oauth/mfa').page).toBe('oauthMfa');
    expect(matchPath('/manage/users/%E0%A4%A').page).toBe('notFound');
  });

  it('build paths, encoding parameters and leaving empty query values out', () => {
    expect(pathTo('user', { id: 'a b' })).toBe('/manage/users/a%20b');
    expect(pathTo('users', {}, { q: 'ann', role: '', offset: 20 })).toBe('/manage/users?q=ann&offset=20');
    expect(pathTo('login', {}, { next: '/manage/users?q=a' })).toBe('/login?next=%2Fmanage%2Fusers%3Fq%3Da');
  });

  it('never share a path with the API (a reload must reach the SPA, not an API route)', () => {
    const api = ['/auth/', '/users', '/admin/', '/.well-known/', '/docs', '/openapi.json', '/healthz', '/readyz', '/metrics', '/token'];
    for (const page of Object.values(PAGES)) expect(api.some((p) => page.startsWith(p)), page).toBe(false);
  });

  it('after sign-in, go back only to a path of this app', () => {
    expect(safeNext('/manage/users?q=a')).toBe('/manage/users?q=a');
    for (const bad of ['//evil.example/x', 'https://evil.example', '/\\evil.example', 'javascript:alert(1)', '', null, undefined]) {
      expect(safeNext(bad)).toBe('/profile');
    }
  });
});
