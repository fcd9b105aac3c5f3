import type { Config } from '../config/config.ts';
import type { Db } from '../store/database.ts';
import type { UserStore } from '../store/user-store.ts';
import type { AuditLog } from '../manager/audit-log.ts';
import { Sealer } from '../crypto/sealer.ts';
import { OAuthAccountStore } from '../store/oauth-account-store.ts';
import { OAuthStateStore } from '../store/oauth-state-store.ts';
import { defaultHttp, type HttpFetch } from './http-client.ts';
import { ProviderRegistry } from './registry.ts';
import { OAuthFlow } from './oauth-flow.ts';
import { AccountLinker } from './account-linker.ts';
import { ProviderTokenService } from './provider-tokens.ts';
import { OAuthManager } from './oauth-manager.ts';

/** The sealer's purpose for provider tokens at rest (also used by `gatehouse import`, which writes them). */
export const PROVIDER_TOKENS_SEALER = 'oauth-provider-tokens';

/** Wires social login (for the composition root): providers from config, stores, flow, linking, provider tokens. */
export function createOAuthManager(config: Config, db: Db, d: { users: UserStore; audit: AuditLog; fetch?: HttpFetch }): OAuthManager {
  const providers = new ProviderRegistry(config.oauth.providers, defaultHttp(d.fetch));
  const accounts = new OAuthAccountStore(db.kysely, new Sealer(config.secret, PROVIDER_TOKENS_SEALER));
  const states = new OAuthStateStore(db.kysely, new Sealer(config.secret, 'oauth-state'));
  const flow = new OAuthFlow(providers, states, {
    publicUrl: config.publicUrl, redirectUris: config.oauth.redirectUris, spaUrl: config.oauth.spaUrl, stateTtl: config.oauth.stateTtl,
  });
  const linker = new AccountLinker(d.users, accounts, d.audit, { requireVerifiedLogin: config.requireVerifiedLogin });
  return new OAuthManager({ providers, flow, linker, tokens: new ProviderTokenService(accounts, providers) });
}
