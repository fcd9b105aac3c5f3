import * as client from 'openid-client';
import { isLoopbackHost } from '../config/oauth-config.ts';

/**
 * How Gatehouse speaks HTTP to providers. Injectable (createGatehouse's `oauthFetch` option), so tests can put a
 * failing or recording fetch between Gatehouse and the local test providers; by default the global fetch.
 */
export type HttpFetch = (url: string, init: RequestInit) => Promise<Response>;

export interface ProviderHttp {
  fetch: HttpFetch;
  /** Seconds before a provider request is abandoned (a 502, never a hung login). */
  timeoutSeconds: number;
}

export const defaultHttp = (fetchImpl: HttpFetch = (url, init) => fetch(url, init)): ProviderHttp => ({ fetch: fetchImpl, timeoutSeconds: 10 });

/** The same fetch with a deadline when the caller gave none. */
export function withTimeout(http: ProviderHttp): HttpFetch {
  return (url, init) => http.fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(http.timeoutSeconds * 1000) });
}

/** openid-client's options for one provider: our fetch, our timeout, and plain http only for loopback test peers. */
export function clientOptions(server: string, http: ProviderHttp, extra: ((c: client.Configuration) => void)[] = []): client.DiscoveryRequestOptions {
  const u = new URL(server);
  const insecure = u.protocol === 'http:' && isLoopbackHost(u.hostname);
  return {
    [client.customFetch]: withTimeout(http) as client.CustomFetch,
    timeout: http.timeoutSeconds,
    execute: [...(insecure ? [client.allowInsecureRequests] : []), ...extra],
  };
}

/** Applies clientOptions to a configuration built by hand (GitHub has no discovery document). */
export function applyOptions(config: client.Configuration, options: client.DiscoveryRequestOptions): client.Configuration {
  config[client.customFetch] = options[client.customFetch]!;
  config.timeout = options.timeout;
  for (const ext of options.execute ?? []) ext(config);
  return config;
}
