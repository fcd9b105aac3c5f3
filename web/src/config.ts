/** Build-time settings (Vite env variables); see README "Web app". */
export interface Provider { name: string; label: string }

/** "github:GitHub, google" → [{name: 'github', label: 'GitHub'}, {name: 'google', label: 'Google'}] */
export function parseProviders(spec: string | undefined): Provider[] {
  return (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean).flatMap((entry) => {
    const [name = '', ...rest] = entry.split(':');
    const id = name.trim().toLowerCase();
    if (!/^[a-z0-9_-]{1,40}$/.test(id)) return [];
    const label = rest.join(':').trim() || id.charAt(0).toUpperCase() + id.slice(1);
    return [{ name: id, label }];
  });
}

export const API_URL: string = import.meta.env.VITE_API_URL ?? '';
/**
 * How social login comes back. "server" (default): the provider returns to Gatehouse, which sets the session cookies
 * and redirects to OAUTH_SPA_URL (= this app's /oauth/done), so no token ever reaches the page. "forward" (seed 001):
 * the provider returns to /oauth/callback/<provider> here, and the page forwards code and state to Gatehouse.
 */
export const OAUTH_FLOW: 'server' | 'forward' = import.meta.env.VITE_OAUTH_FLOW === 'forward' ? 'forward' : 'server';
export const PROVIDERS: Provider[] = parseProviders(import.meta.env.VITE_OAUTH_PROVIDERS);
export const APP_NAME = 'Gatehouse';
