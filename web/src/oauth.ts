import { api } from './api.ts';
import { OAUTH_FLOW, type Provider } from './config.ts';
import { pathTo } from './router/routes.ts';

/** What the SPA remembers across the trip to the provider (sessionStorage: this tab only, gone when it closes). */
export interface OAuthTrip { provider: string; intent: 'login' | 'link'; next?: string }
const KEY = 'gatehouse.oauth';

/** Forward flow: the page the provider returns to (list it in the server's OAUTH_REDIRECT_URIS). */
export const redirectUri = (provider: string): string => `${window.location.origin}${pathTo('oauthCallback', { provider })}`;

/** Sends the browser to the provider, to sign in (`login`) or to link the account to the signed-in user (`link`). */
export async function startOAuth(provider: Provider, intent: OAuthTrip['intent'], next?: string): Promise<void> {
  const back = OAUTH_FLOW === 'forward' ? redirectUri(provider.name) : undefined;
  const { authorization_url } = intent === 'login' ? await api.oauthAuthorize(provider.name, back) : await api.associateAuthorize(provider.name, back);
  const url = new URL(authorization_url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('unexpected authorization URL');
  sessionStorage.setItem(KEY, JSON.stringify({ provider: provider.name, intent, next } satisfies OAuthTrip));
  window.location.assign(url.href);
}

/** The trip started in this tab (for `provider`, if given). Read, not consumed: React may run an effect twice. */
export function currentTrip(provider?: string): OAuthTrip | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    const trip = raw ? JSON.parse(raw) as OAuthTrip : null;
    return trip && (provider === undefined || trip.provider === provider) ? trip : null;
  } catch {
    return null;
  }
}

export const endTrip = (): void => sessionStorage.removeItem(KEY);
