import { describe, expect, it } from 'vitest';
import { parseProviders } from './config.ts';

describe('VITE_OAUTH_PROVIDERS', () => {
  it('"name:Label" pairs, comma-separated; a missing label is the capitalised name', () => {
    expect(parseProviders('github:GitHub, google , oidc:Company SSO: EU')).toEqual([
      { name: 'github', label: 'GitHub' }, { name: 'google', label: 'Google' }, { name: 'oidc', label: 'Company SSO: EU' },
    ]);
  });

  it('nothing configured, or names that cannot be a route segment, give no button', () => {
    expect(parseProviders(undefined)).toEqual([]);
    expect(parseProviders(' , ')).toEqual([]);
    expect(parseProviders('../x:Evil,git hub')).toEqual([]);
  });
});
