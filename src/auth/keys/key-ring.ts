import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { SigningKeyStore, StoredKey } from '../../store/signing-key-store.ts';
import type { KeyEncryption } from './key-encryption.ts';
import { HmacJws } from '../hmac-jws.ts';

export const SYMMETRIC = ['HS256', 'HS384', 'HS512'] as const;
export const ASYMMETRIC = ['EdDSA', 'ES256', 'RS256'] as const;
export type JwtAlgorithm = (typeof SYMMETRIC)[number] | (typeof ASYMMETRIC)[number];
export const isAsymmetric = (alg: JwtAlgorithm): alg is (typeof ASYMMETRIC)[number] => (ASYMMETRIC as readonly string[]).includes(alg);

type Key = CryptoKey | Uint8Array;
/** `hmac`, for HS* rings: signs synchronously (see HmacJws); otherwise jose signs with `key`. */
export interface SigningKey { alg: JwtAlgorithm; kid: string | undefined; key: Key; hmac?: HmacJws }

/** The keys that sign and verify access tokens. The algorithm is the ring's, never the token's (RFC 8725 §3.1). */
export interface KeyRing {
  signing(): Promise<SigningKey>;
  /** The key for a token's `kid`, or undefined when it is unknown or past its verification window. */
  verifying(kid: string | undefined): Promise<{ key: Key; alg: JwtAlgorithm } | undefined>;
  /** Public keys for /.well-known/jwks.json (none for HMAC). */
  jwks(): Promise<{ keys: JWK[] }>;
  readonly algorithm: JwtAlgorithm;
}

/** HS256/384/512 with APP_SECRET: the zero-configuration default for a single service. No kid, no JWKS. */
export class SecretKeyRing implements KeyRing {
  readonly algorithm: JwtAlgorithm;
  /** Imported once: jose would otherwise import the raw secret into WebCrypto on every sign and verify. */
  private readonly key: Promise<CryptoKey>;
  private readonly hmac: HmacJws;

  constructor(algorithm: (typeof SYMMETRIC)[number], secret: string) {
    this.algorithm = algorithm;
    const raw = new TextEncoder().encode(secret);
    this.key = crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: `SHA-${algorithm.slice(2)}` }, false, ['sign', 'verify']);
    this.hmac = new HmacJws(algorithm, raw);
  }

  async signing(): Promise<SigningKey> {
    return { alg: this.algorithm, kid: undefined, key: await this.key, hmac: this.hmac };
  }

  async verifying(): Promise<{ key: Key; alg: JwtAlgorithm }> {
    return { key: await this.key, alg: this.algorithm };
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [] };
  }
}

interface LoadedKey { kid: string; alg: JwtAlgorithm; publicJwk: JWK; publicKey: CryptoKey; retiredAt: number | null }

/** How often an instance re-reads the keys, so a rotation made elsewhere reaches it. */
const RELOAD_EVERY_MS = 60_000;

/**
 * Asymmetric keys (EdDSA by default, ES256, RS256) kept in the database, private halves encrypted, shared by every
 * instance. A rotation adds a key that signs from then on; the keys it replaced keep verifying, and stay in the
 * JWKS, until every token they signed has expired (access-token lifetime + one reload interval + clock skew).
 */
export class StoredKeyRing implements KeyRing {
  readonly algorithm: (typeof ASYMMETRIC)[number];
  private readonly store: SigningKeyStore;
  private readonly sealer: KeyEncryption;
  private readonly retentionMs: number;
  private keys = new Map<string, LoadedKey>();
  private active: { kid: string; key: CryptoKey } | undefined;
  private loadedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(algorithm: (typeof ASYMMETRIC)[number], store: SigningKeyStore, sealer: KeyEncryption, accessTtlSeconds: number) {
    this.algorithm = algorithm;
    this.store = store;
    this.sealer = sealer;
    this.retentionMs = accessTtlSeconds * 1000 + RELOAD_EVERY_MS + 30_000;
  }

  async signing(): Promise<SigningKey> {
    await this.fresh(RELOAD_EVERY_MS);
    if (!this.active) {
      await this.rotate();
      await this.fresh(0);
    }
    return { alg: this.algorithm, kid: this.active!.kid, key: this.active!.key };
  }

  async verifying(kid: string | undefined): Promise<{ key: Key; alg: JwtAlgorithm } | undefined> {
    if (kid === undefined) return undefined;
    await this.fresh(RELOAD_EVERY_MS);
    // A kid we do not know may be a key another instance just created: re-read at once, so a rotation never
    // refuses a valid token. Concurrent re-reads share one query, and known keys are not imported again, so a
    // flood of forged kids costs one small SELECT each, like any other request.
    if (!this.keys.has(kid)) await this.fresh(0);
    const k = this.keys.get(kid);
    return k && this.usable(k) ? { key: k.publicKey, alg: k.alg } : undefined;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    await this.fresh(RELOAD_EVERY_MS);
    return { keys: [...this.keys.values()].filter((k) => this.usable(k)).map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg, use: 'sig' })) };
  }

  /** Makes a new key the signing key; returns its kid. Others retire now and verify until their window closes. */
  async rotate(): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(this.algorithm, { extractable: true, ...(this.algorithm === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk); // RFC 7638: the kid is the key's own fingerprint
    await this.store.addActive({
      kid, alg: this.algorithm, publicJwk: JSON.stringify(publicJwk),
      privateJwkEncrypted: this.sealer.seal(JSON.stringify(await exportJWK(privateKey))), createdAt: new Date().toISOString(),
    });
    await this.store.deleteRetiredBefore(new Date(Date.now() - this.retentionMs).toISOString());
    this.loadedAt = 0;
    return kid;
  }

  /** Every stored key with its state, for `gatehouse keys list`. */
  async list(): Promise<StoredKey[]> {
    return this.store.all();
  }

  private usable(k: LoadedKey): boolean {
    return k.retiredAt === null || k.retiredAt + this.retentionMs > Date.now();
  }

  private async fresh(maxAgeMs: number): Promise<void> {
    if (Date.now() - this.loadedAt < maxAgeMs) return;
    this.loading ??= this.load().finally(() => { this.loading = undefined; });
    await this.loading;
  }

  private async load(): Promise<void> {
    const rows = await this.store.all();
    const keys = new Map<string, LoadedKey>();
    for (const r of rows) {
      const known = this.keys.get(r.kid);
      const publicJwk = known?.publicJwk ?? JSON.parse(r.publicJwk) as JWK;
      const alg = r.alg as JwtAlgorithm;
      const publicKey = known?.publicKey ?? (await importJWK(publicJwk, alg)) as CryptoKey;
      keys.set(r.kid, { kid: r.kid, alg, publicJwk, publicKey, retiredAt: r.retiredAt === null ? null : Date.parse(r.retiredAt) });
    }
    const current = rows.find((r) => r.retiredAt === null && r.alg === this.algorithm);
    let active: StoredKeyRing['active'];
    if (current) {
      active = this.active?.kid === current.kid ? this.active
        : { kid: current.kid, key: (await importJWK(JSON.parse(this.sealer.open(current.privateJwkEncrypted)) as JWK, this.algorithm)) as CryptoKey };
    }
    this.keys = keys;
    this.active = active;
    this.loadedAt = Date.now();
  }
}
