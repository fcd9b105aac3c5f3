import { AppError } from '../errors.ts';
import type { ProviderSettings } from '../config/oauth-config.ts';
import type { ProviderHttp } from './http-client.ts';
import type { OAuthProvider } from './provider.ts';
import { githubProvider } from './providers/github.ts';
import { googleProvider } from './providers/google.ts';
import { oidcProvider } from './providers/oidc.ts';

/** The configured providers by route name. A provider that is not configured does not exist: 404 for its routes. */
export class ProviderRegistry {
  private readonly byName = new Map<string, OAuthProvider>();

  constructor(settings: ProviderSettings[], http: ProviderHttp) {
    for (const s of settings) {
      const p = s.kind === 'github' ? githubProvider(s, http) : s.name === 'google' ? googleProvider(s, http) : oidcProvider(s, http);
      this.byName.set(s.name, p);
    }
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  get(name: string): OAuthProvider {
    const p = this.byName.get(name);
    if (!p) throw new AppError('Not Found');
    return p;
  }
}
