// A software WebAuthn authenticator for tests: makes real P-256 credentials with node:crypto and answers creation and
// request options with real attestations ("none") and assertions, so the server's @simplewebauthn verification runs
// for real. Each answer can be bent (origin, RP ID, challenge, flags, counter, userHandle) to play an attacker.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

// --- a minimal CBOR encoder (RFC 8949): unsigned and negative integers, byte and text strings, maps ---------------
type Cbor = number | string | Uint8Array | Map<Cbor, Cbor> | { [k: string]: Cbor };

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) { const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(n, 1); return b; }
  const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(n, 1); return b;
}

export function cbor(v: Cbor): Buffer {
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') { const s = Buffer.from(v, 'utf8'); return Buffer.concat([head(3, s.length), s]); }
  if (v instanceof Uint8Array) return Buffer.concat([head(2, v.length), Buffer.from(v)]);
  const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, x]) => [cbor(k), cbor(x)])]);
}

// --- the authenticator ---------------------------------------------------------------------------------------------
const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 };
const b64u = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();

interface Credential { id: Buffer; key: KeyObject; cose: Buffer; counter: number; userHandle: string; rpId: string; backupEligible: boolean }

/** How to bend one answer (defaults: what an honest browser and authenticator would do). */
export interface Bend {
  origin?: string;
  rpId?: string;
  challenge?: string;
  type?: string;
  up?: boolean;
  uv?: boolean;
  /** The signature counter to report (default: the credential's next value). */
  counter?: number;
  /** The userHandle to return (null: none). */
  userHandle?: string | null;
  /** Which credential to use (default: the first allowed one, or the first this authenticator holds for the RP); for create, one to attest again. */
  credentialId?: string;
}

export interface SoftAuthenticatorOptions {
  /** The origin the "browser" runs on. */
  origin: string;
  /** Backup eligible and backed up: a synced passkey (amr swk); default false, a device-bound one (hwk). */
  synced?: boolean;
  /** Increment a signature counter (default true); false: always 0, like most synced passkeys. */
  counts?: boolean;
}

type Json = Record<string, any>;

export class SoftAuthenticator {
  readonly credentials: Credential[] = [];
  private readonly o: Required<SoftAuthenticatorOptions>;

  constructor(o: SoftAuthenticatorOptions) {
    this.o = { synced: false, counts: true, ...o };
  }

  /** navigator.credentials.create() for these creation options (JSON), answered as RegistrationResponseJSON. */
  create(options: Json, bend: Bend = {}): Json {
    const rpId: string = bend.rpId ?? options.rp?.id;
    const again = this.credentials.find((c) => c.id.toString('base64url') === bend.credentialId);
    const cred = again ?? this.newCredential(rpId, options.user?.id);
    const { id, cose } = cred;
    const idLen = Buffer.alloc(2); idLen.writeUInt16BE(id.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLen, id, cose]);
    const authData = this.authData(cred, rpId, FLAG.AT, bend, 0);
    const attestationObject = cbor({ fmt: 'none', attStmt: {}, authData: Buffer.concat([authData, attested]) });
    const clientDataJSON = this.clientData('webauthn.create', options.challenge, bend);
    if (!again) this.credentials.push(cred);
    return {
      id: b64u(id), rawId: b64u(id), type: 'public-key',
      response: { clientDataJSON: b64u(clientDataJSON), attestationObject: b64u(attestationObject), transports: ['internal'] },
      authenticatorAttachment: 'platform', clientExtensionResults: {},
    };
  }

  /** navigator.credentials.get() for these request options (JSON), answered as AuthenticationResponseJSON. */
  get(options: Json, bend: Bend = {}): Json {
    const rpId: string = bend.rpId ?? options.rpId;
    const allowed = (options.allowCredentials ?? []) as { id: string }[];
    const cred = bend.credentialId !== undefined ? this.credentials.find((c) => b64u(c.id) === bend.credentialId)
      : this.credentials.find((c) => c.rpId === rpId && (allowed.length === 0 || allowed.some((a) => a.id === b64u(c.id))))
        ?? this.credentials[0];
    if (!cred) throw new Error('the soft authenticator holds no credential');
    if (this.o.counts && bend.counter === undefined) cred.counter += 1;
    const authData = this.authData(cred, rpId, 0, bend, bend.counter ?? (this.o.counts ? cred.counter : 0));
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, bend);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), cred.key); // DER ECDSA (ES256)
    const userHandle = bend.userHandle === undefined ? cred.userHandle : bend.userHandle;
    return {
      id: b64u(cred.id), rawId: b64u(cred.id), type: 'public-key',
      response: { clientDataJSON: b64u(clientDataJSON), authenticatorData: b64u(authData), signature: b64u(signature), ...(userHandle === null ? {} : { userHandle }) },
      authenticatorAttachment: 'platform', clientExtensionResults: {},
    };
  }

  /** A copy of this authenticator's keys (a cloned authenticator): its counters move on their own from here. */
  clone(): SoftAuthenticator {
    const copy = new SoftAuthenticator(this.o);
    copy.credentials.push(...this.credentials.map((c) => ({ ...c })));
    return copy;
  }

  private newCredential(rpId: string, userHandle: string): Credential {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = cbor(new Map<Cbor, Cbor>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x!, 'base64url')], [-3, Buffer.from(jwk.y!, 'base64url')]]));
    return { id: randomBytes(32), key: privateKey, cose, counter: 0, userHandle, rpId, backupEligible: this.o.synced };
  }

  private authData(cred: Credential, rpId: string, extraFlags: number, bend: Bend, counter: number): Buffer {
    let flags = extraFlags;
    if (bend.up ?? true) flags |= FLAG.UP;
    if (bend.uv ?? true) flags |= FLAG.UV;
    if (cred.backupEligible) flags |= FLAG.BE | FLAG.BS;
    const count = Buffer.alloc(4); count.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count]);
  }

  private clientData(type: string, challenge: string, bend: Bend): Buffer {
    return Buffer.from(JSON.stringify({ type: bend.type ?? type, challenge: bend.challenge ?? challenge, origin: bend.origin ?? this.o.origin, crossOrigin: false }));
  }
}
