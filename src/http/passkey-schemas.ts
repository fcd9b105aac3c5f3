import { Type, type Static } from 'typebox';
import type { PasskeySummary } from '../model/factors.ts';
import { PASSKEY_NAME_MAX } from '../model/passkey.ts';

/** base64url without padding, as WebAuthn's JSON serialisation (WebAuthn L3 §5.1.8, §5.1.10) writes binary fields. */
const B64url = (maxLength: number, description?: string) => Type.String({ pattern: '^[A-Za-z0-9_-]+$', minLength: 1, maxLength, ...(description ? { description } : {}) });

export const PasskeyName = Type.String({
  minLength: 1, maxLength: PASSKEY_NAME_MAX, pattern: '^[^\\u0000-\\u001f\\u007f]*[^\\s\\u0000-\\u001f\\u007f][^\\u0000-\\u001f\\u007f]*$',
  description: 'What the user calls it ("MacBook Touch ID", "YubiKey 5"): 1 to 64 characters, no control characters.',
});

export const PasskeyRead = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  last_used_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Last sign-in or second factor with it; null if never.' }),
  backed_up: Type.Boolean({ description: 'The credential is backed up (synced to the user\'s other devices), as the authenticator last said (BS flag).' }),
  device_type: Type.Union([Type.Literal('singleDevice'), Type.Literal('multiDevice')], {
    description: 'singleDevice: bound to one authenticator (amr hwk); multiDevice: backup eligible, a synced passkey (amr swk).',
  }),
});
export const toPasskeyRead = (p: PasskeySummary): Static<typeof PasskeyRead> => ({
  id: p.id, name: p.name, created_at: p.createdAt, last_used_at: p.lastUsedAt, backed_up: p.backedUp, device_type: p.deviceType,
});

export const PasskeyParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

const ClientExtensionResults = Type.Record(Type.String(), Type.Unknown(), { description: 'getClientExtensionResults()' });

/** What @simplewebauthn/browser's startRegistration() returns (RegistrationResponseJSON). */
export const RegistrationResponse = Type.Object({
  id: B64url(1400), rawId: B64url(1400), type: Type.Literal('public-key'),
  response: Type.Object({
    clientDataJSON: B64url(8192), attestationObject: B64url(65536),
    transports: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 16 })),
    authenticatorData: Type.Optional(B64url(65536)), publicKey: Type.Optional(B64url(8192)), publicKeyAlgorithm: Type.Optional(Type.Integer()),
  }),
  authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 })),
  clientExtensionResults: ClientExtensionResults,
}, { description: 'The browser\'s answer to the creation options (navigator.credentials.create), as JSON.' });

/** What @simplewebauthn/browser's startAuthentication() returns (AuthenticationResponseJSON). */
export const AuthenticationResponse = Type.Object({
  id: B64url(1400), rawId: B64url(1400), type: Type.Literal('public-key'),
  response: Type.Object({
    clientDataJSON: B64url(8192), authenticatorData: B64url(8192), signature: B64url(2048),
    userHandle: Type.Optional(B64url(128)),
  }),
  authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 })),
  clientExtensionResults: ClientExtensionResults,
}, { description: 'The browser\'s answer to the request options (navigator.credentials.get), as JSON.' });

export const PasskeyCreate = Type.Object({ name: PasskeyName, response: RegistrationResponse });
export const PasskeyRename = Type.Object({ name: PasskeyName });

/** Options are WebAuthn's JSON (for @simplewebauthn/browser); the fields below are always there, others may be. */
export const CreationOptions = Type.Object({
  challenge: Type.String(), rp: Type.Unknown(), user: Type.Unknown(), pubKeyCredParams: Type.Unknown(),
  timeout: Type.Optional(Type.Integer()), excludeCredentials: Type.Optional(Type.Unknown()), authenticatorSelection: Type.Optional(Type.Unknown()),
  attestation: Type.Optional(Type.String()), extensions: Type.Optional(Type.Unknown()), hints: Type.Optional(Type.Unknown()),
}, { additionalProperties: true, description: 'PublicKeyCredentialCreationOptionsJSON: pass it to startRegistration({ optionsJSON }).' });

export const RequestOptions = Type.Object({
  challenge: Type.String(), rpId: Type.Optional(Type.String()), timeout: Type.Optional(Type.Integer()),
  allowCredentials: Type.Optional(Type.Unknown()), userVerification: Type.Optional(Type.String()), extensions: Type.Optional(Type.Unknown()),
  hints: Type.Optional(Type.Unknown()),
}, { additionalProperties: true, description: 'PublicKeyCredentialRequestOptionsJSON: pass it to startAuthentication({ optionsJSON }).' });

export const PasskeyLoginOptions = Type.Object({
  attempt: Type.String({ description: 'Opaque; send it back with the answer. Single use, valid 5 minutes.' }),
  options: RequestOptions,
});

export const PasskeyLogin = Type.Object({
  attempt: Type.String({ minLength: 1, maxLength: 128 }),
  response: AuthenticationResponse,
});
