import { Type } from 'typebox';
import type { FactorList } from '../mfa/factors.ts';

/** The schemas of the second factor's routes (routes/mfa.ts, routes/factors.ts, routes/reauthenticate.ts). */

const TotpCode = Type.String({ maxLength: 16, description: 'The 6 digits the authenticator app shows now (spaces ignored).' });
const RecoveryCode = Type.String({ maxLength: 64, description: 'One of the recovery codes (xxxx-xxxx-xxxx; case, spaces and dashes ignored); works once.' });
const PasskeyResponse = Type.Record(Type.String(), Type.Unknown(), {
  description: 'The assertion from @simplewebauthn/browser startAuthentication() for the options of the passkey-options route.',
});
const MfaToken = Type.String({ maxLength: 64, description: 'From the LOGIN_MFA_REQUIRED answer (or the /mfa?token= redirect).' });

export const SecondStepBody = Type.Object({
  mfa_token: MfaToken,
  totp_code: Type.Optional(TotpCode),
  recovery_code: Type.Optional(RecoveryCode),
  passkey: Type.Optional(PasskeyResponse),
}, { description: 'mfa_token and exactly one factor.' });

export const MfaTokenBody = Type.Object({ mfa_token: MfaToken });

export const ReauthenticateBody = Type.Object({
  password: Type.Optional(Type.String({ maxLength: 4096, description: 'Only for an account without a second factor.' })),
  totp_code: Type.Optional(TotpCode),
  recovery_code: Type.Optional(RecoveryCode),
  passkey: Type.Optional(PasskeyResponse),
}, { description: 'Exactly one proof, with the account\'s strongest factor: a passkey if it has one, else its TOTP (a recovery code stands in for either), else the password.' });

export const AccessTokenOnly = Type.Object({
  access_token: Type.String({ description: 'A new access token of the same session, with auth_time = now. The refresh token is unchanged.' }),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer(),
});

export const WebAuthnOptions = Type.Record(Type.String(), Type.Unknown(), { description: 'PublicKeyCredentialRequestOptionsJSON, for @simplewebauthn/browser startAuthentication().' });

export const TotpEnrolmentRead = Type.Object({
  secret: Type.String({ description: 'Base32, for typing into the app by hand.' }),
  otpauth_uri: Type.String({ description: 'otpauth://totp/… (Key URI Format): render it as a QR code.' }),
});

export const TotpConfirmBody = Type.Object({ code: TotpCode });

const RecoveryCodeList = Type.Array(Type.String(), { description: '10 single-use codes, shown this once: the user must keep them.' });
export const RecoveryCodesRead = Type.Object({ recovery_codes: RecoveryCodeList });
export const TotpConfirmed = Type.Object({
  recovery_codes: RecoveryCodeList,
  access_token: Type.Optional(Type.String({ description: 'Bearer clients: a new access token of this session, whose amr now has otp and mfa. (Cookie clients get a new access cookie.)' })),
  token_type: Type.Optional(Type.Literal('bearer')),
  expires_in: Type.Optional(Type.Integer()),
});

const NullableString = (o: object = {}) => Type.Unsafe<string | null>({ type: ['string', 'null'], ...o });

export const FactorsRead = Type.Object({
  mfa_enabled: Type.Boolean({ description: 'A second factor is active: logins need the second step.' }),
  mfa_required: Type.Boolean({ description: 'The user\'s role is in MFA_REQUIRED_ROLES.' }),
  totp: Type.Object({ enabled: Type.Boolean(), created_at: NullableString({ format: 'date-time' }) }),
  recovery_codes: Type.Object({ remaining: Type.Integer() }),
  passkeys: Type.Array(Type.Object({
    id: Type.String(), name: Type.String(), created_at: Type.String({ format: 'date-time' }), last_used_at: NullableString({ format: 'date-time' }),
    backed_up: Type.Boolean(), device_type: Type.String({ enum: ['singleDevice', 'multiDevice'] }),
  })),
});

export const toFactorsRead = (f: FactorList) => ({
  mfa_enabled: f.mfaEnabled, mfa_required: f.mfaRequired,
  totp: { enabled: f.totp.enabled, created_at: f.totp.createdAt },
  recovery_codes: { remaining: f.recoveryCodes.remaining },
  passkeys: f.passkeys.map((p) => ({ id: p.id, name: p.name, created_at: p.createdAt, last_used_at: p.lastUsedAt, backed_up: p.backedUp, device_type: p.deviceType })),
});
