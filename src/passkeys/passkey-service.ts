import type {
  AuthenticationResponseJSON, AuthenticatorTransport, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { webauthn } from './webauthn.ts';
import { AppError } from '../errors.ts';
import type { WebAuthnConfig } from '../config/webauthn-config.ts';
import type { AuthMethod } from '../model/authentication.ts';
import type { FactorChange, PasskeySummary, PasskeyVerifier } from '../model/factors.ts';
import type { Passkey, PasskeyPurpose } from '../model/passkey.ts';
import type { User } from '../model/user.ts';
import { isUuid, newId } from '../model/ids.ts';
import type { ClientInfo } from '../model/client-info.ts';
import type { AuditLog } from '../manager/audit-log.ts';
import type { PasskeyStore } from '../store/passkey-store.ts';
import { DuplicateKeyError } from '../store/errors.ts';
import { AssertionRefused, asAssertion, verifyAssertion } from './assertion.ts';
import { CEREMONY_TTL_SECONDS, bindingHash, newAttempt, type PasskeyChallenges } from './challenges.ts';

/**
 * COSE algorithms accepted (RFC 9053): EdDSA, ES256, RS256, the set WebAuthn §5.4 asks relying parties to cover. Given
 * explicitly, also because the library's default list probes ML-DSA support with SubtleCrypto.supports(), which Node 24
 * flags experimental (a warning on stderr at the first registration).
 */
const ALGORITHMS = [-8, -7, -257];
/** WebAuthn §6.1: a credential id is at most 1023 bytes. */
const MAX_CREDENTIAL_ID_BYTES = 1023;

export interface PasskeyDeps {
  passkeys: PasskeyStore;
  challenges: PasskeyChallenges;
  users: { byId(id: string): Promise<User | undefined> };
  audit: AuditLog;
  notices: { passkeyChanged(email: string, change: 'added' | 'removed', name: string): Promise<void> };
  rp: WebAuthnConfig;
  requireVerifiedLogin: boolean;
  /** Told after a passkey is added or removed (the mfa service recomputes whether the user has a second factor). */
  onFactorsChanged?: (userId: string, change: FactorChange) => Promise<void>;
  /**
   * Told why an assertion was refused (the client only ever hears PASSKEY_INVALID / MFA_CODE_INVALID): the operator's
   * clue to a WEBAUTHN_ORIGINS or WEBAUTHN_RP_ID that does not match the pages (gatehouse.ts logs it).
   */
  onRefused?: (why: string, context: { userId: string; passkeyId: string; purpose: PasskeyPurpose }) => void;
}

/** The WebAuthn user handle of a user (user.id in the creation options): the UTF-8 bytes of their id, base64url. */
export const userHandleOf = (userId: string): string => Buffer.from(userId, 'utf8').toString('base64url');

/**
 * Passkeys (WebAuthn Level 3 with @simplewebauthn/server): registration and management, passwordless sign-in with a
 * discoverable credential, and the PasskeyVerifier the login's second step and step-up use.
 */
export class PasskeyService implements PasskeyVerifier {
  private readonly d: PasskeyDeps;
  private readonly onFactorsChanged: (userId: string, change: FactorChange) => Promise<void>;

  constructor(deps: PasskeyDeps) {
    this.d = deps;
    this.onFactorsChanged = deps.onFactorsChanged ?? (async () => {});
  }

  // --- registration and management -----------------------------------------------------------------------------

  /**
   * Creation options for a new passkey of `user` (WebAuthn §5.4): a discoverable credential (residentKey required, so
   * it can sign in without a username), user verification preferred, none of the user's passkeys again
   * (excludeCredentials), no attestation. One pending registration per session: new options replace the last.
   */
  async registrationOptions(user: User, sessionId: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const mine = await this.d.passkeys.ofUser(user.id);
    const options = await (await webauthn()).generateRegistrationOptions({
      rpName: this.d.rp.rpName, rpID: this.d.rp.rpId,
      userName: user.email, userDisplayName: user.fullName ?? user.email, userID: new Uint8Array(Buffer.from(user.id, 'utf8')),
      attestationType: 'none', timeout: CEREMONY_TTL_SECONDS * 1000, supportedAlgorithmIDs: ALGORITHMS,
      excludeCredentials: mine.map((p) => ({ id: p.credentialId, transports: p.transports as AuthenticatorTransport[] })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
    await this.d.challenges.put('register', sessionId, { userId: user.id, challenge: options.challenge });
    return options;
  }

  /** Verifies the attestation made for this session's options (§7.1) and stores the passkey. */
  async register(user: User, sessionId: string, name: string, response: RegistrationResponseJSON, client: ClientInfo): Promise<PasskeySummary> {
    const pending = await this.d.challenges.take('register', sessionId, { userId: user.id });
    if (!pending) throw new AppError('PASSKEY_CHALLENGE_INVALID');
    let info;
    try {
      const verified = await (await webauthn()).verifyRegistrationResponse({
        response, expectedChallenge: pending.challenge, expectedOrigin: this.d.rp.origins, expectedRPID: this.d.rp.rpId,
        requireUserVerification: false, supportedAlgorithmIDs: ALGORITHMS,
      });
      if (!verified.verified) throw new Error('the attestation does not verify');
      info = verified.registrationInfo;
    } catch (err) {
      throw new AppError('PASSKEY_INVALID', { reason: (err as Error).message.slice(0, 200) });
    }
    const credentialId = info.credential.id;
    if (Buffer.from(credentialId, 'base64url').length > MAX_CREDENTIAL_ID_BYTES) throw new AppError('PASSKEY_INVALID', { reason: 'credential id too long' });
    let saved: Passkey;
    try {
      saved = await this.d.passkeys.insert({
        id: newId(), userId: user.id, credentialId, publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter, transports: info.credential.transports ?? response.response.transports ?? [],
        deviceType: info.credentialDeviceType, backedUp: info.credentialBackedUp, aaguid: info.aaguid, name,
        createdAt: new Date().toISOString(), lastUsedAt: null,
      });
    } catch (err) {
      if (err instanceof DuplicateKeyError) throw new AppError('PASSKEY_INVALID', { reason: 'this passkey is registered already' });
      throw err;
    }
    await this.d.audit.record('passkey.added', { userId: user.id, client, detail: { passkeyId: saved.id, name, deviceType: saved.deviceType } });
    await this.d.notices.passkeyChanged(user.email, 'added', name);
    // A factor turned on: the account's other sessions end (they were made without it); this one stays.
    await this.onFactorsChanged(user.id, { added: true, keepSession: sessionId });
    return summaryOf(saved);
  }

  async list(userId: string): Promise<PasskeySummary[]> {
    return (await this.d.passkeys.ofUser(userId)).map(summaryOf);
  }

  async rename(userId: string, id: string, name: string): Promise<PasskeySummary> {
    const p = isUuid(id) ? await this.d.passkeys.rename(userId, id, name) : undefined;
    if (!p) throw new AppError('Not Found');
    return summaryOf(p);
  }

  async remove(user: User, id: string, client: ClientInfo): Promise<void> {
    const p = isUuid(id) ? await this.d.passkeys.deleteUnlessLast(user.id, id) : 'missing';
    if (p === 'missing') throw new AppError('Not Found');
    if (p === 'last') throw new AppError('PASSKEY_LAST_LOGIN_METHOD');
    await this.d.audit.record('passkey.removed', { userId: user.id, client, detail: { passkeyId: p.id, name: p.name } });
    await this.d.notices.passkeyChanged(user.email, 'removed', p.name);
    await this.onFactorsChanged(user.id, {});
  }

  /** Admin lost-device recovery (the caller audits and mails it as one event). */
  async removeAll(userId: string): Promise<number> {
    const n = await this.d.passkeys.deleteAllOf(userId);
    if (n > 0) await this.onFactorsChanged(userId, {});
    return n;
  }

  // --- passwordless sign-in --------------------------------------------------------------------------------------

  /**
   * Request options for signing in with a passkey alone: no allowCredentials (the authenticator offers its
   * discoverable credentials for this RP ID, §5.4.4), user verification required. `binding` (the browser's secret)
   * ties the attempt to the browser for the cookie flow.
   */
  async loginOptions(binding: string): Promise<{ attempt: string; options: PublicKeyCredentialRequestOptionsJSON }> {
    const attempt = newAttempt();
    const options = await (await webauthn()).generateAuthenticationOptions({ rpID: this.d.rp.rpId, userVerification: 'required', timeout: CEREMONY_TTL_SECONDS * 1000 });
    await this.d.challenges.put('login', attempt, { userId: null, challenge: options.challenge, bindingHash: bindingHash(binding) });
    return { attempt, options };
  }

  /**
   * Signs in with a passkey alone. The credential's owner must be the user the authenticator names (userHandle,
   * WebAuthn §7.2 step 6), user verification is required; a passkey with UV is two factors in one (possession and
   * the PIN or biometric), so the session's amr is [hwk|swk, user, mfa] and no second step follows.
   * `binding` given (the cookie flow): the attempt must have been started in this browser.
   */
  async signIn(attempt: string, response: AuthenticationResponseJSON, client: ClientInfo, binding?: string): Promise<{ user: User; amr: AuthMethod[] }> {
    const pending = await this.d.challenges.take('login', attempt, binding === undefined ? {} : { binding });
    if (!pending) throw new AppError('PASSKEY_CHALLENGE_INVALID');
    const assertion = asAssertion(response);
    if (!assertion) throw new AppError('PASSKEY_INVALID');
    const passkey = await this.d.passkeys.byCredential(assertion.id);
    if (!passkey || assertion.response.userHandle !== userHandleOf(passkey.userId)) throw new AppError('PASSKEY_INVALID');
    const amr = await this.check(passkey, assertion, pending.challenge, true, client, 'login', 'PASSKEY_INVALID');
    const user = await this.d.users.byId(passkey.userId);
    if (!user?.isActive) throw new AppError('PASSKEY_INVALID');
    if (this.d.requireVerifiedLogin && !user.isVerified) throw new AppError('LOGIN_USER_NOT_VERIFIED');
    await this.d.audit.record('login.success', { userId: user.id, client, detail: { method: 'passkey' } });
    return { user, amr: [...amr, 'mfa'] };
  }

  // --- PasskeyVerifier: the second factor and step-up ------------------------------------------------------------

  async optionsFor(userId: string, attempt: string): Promise<Record<string, unknown>> {
    const mine = await this.d.passkeys.ofUser(userId);
    const options = await (await webauthn()).generateAuthenticationOptions({
      rpID: this.d.rp.rpId, userVerification: 'preferred', timeout: CEREMONY_TTL_SECONDS * 1000,
      allowCredentials: mine.map((p) => ({ id: p.credentialId, transports: p.transports as AuthenticatorTransport[] })),
    });
    await this.d.challenges.put('second_factor', attempt, { userId, challenge: options.challenge });
    return options as unknown as Record<string, unknown>;
  }

  /**
   * The credential is looked up among `userId`'s passkeys only: the userHandle an authenticator returns is not
   * covered by the signature, so it cannot say whose passkey this is. Any failure is MFA_CODE_INVALID.
   */
  async verifyFor(userId: string, attempt: string, response: unknown, client: ClientInfo): Promise<AuthMethod[]> {
    const pending = await this.d.challenges.take('second_factor', attempt, { userId });
    if (!pending) throw new AppError('MFA_CODE_INVALID');
    const assertion = asAssertion(response);
    if (!assertion) throw new AppError('MFA_CODE_INVALID');
    const passkey = await this.d.passkeys.byCredentialOf(userId, assertion.id);
    if (!passkey) throw new AppError('MFA_CODE_INVALID');
    if (assertion.response.userHandle && assertion.response.userHandle !== userHandleOf(userId)) throw new AppError('MFA_CODE_INVALID');
    return this.check(passkey, assertion, pending.challenge, false, client, 'second_factor', 'MFA_CODE_INVALID');
  }

  /** Deletes challenges whose ceremony expired. */
  purge(now = Date.now()): Promise<number> {
    return this.d.challenges.purge(now);
  }

  /** Verifies, records the use (counter forward only), audits; a counter that went back is refused and audited. */
  private async check(
    passkey: Passkey, assertion: AuthenticationResponseJSON, challenge: string, requireUv: boolean, client: ClientInfo,
    purpose: PasskeyPurpose, refused: 'PASSKEY_INVALID' | 'MFA_CODE_INVALID',
  ): Promise<AuthMethod[]> {
    const userId = passkey.userId;
    try {
      const v = await verifyAssertion(passkey, assertion, challenge, this.d.rp, requireUv);
      // Compare-and-set: of two uses with the same counter (two copies of one key, at once) one wins.
      if (!(await this.d.passkeys.recordUse(passkey.id, v.counter, v.backedUp, new Date().toISOString()))) {
        throw new AssertionRefused('counter', 'the counter moved meanwhile', v.counter);
      }
      await this.d.audit.record('passkey.used', { userId, client, detail: { passkeyId: passkey.id, purpose, userVerified: v.userVerified } });
      return v.amr;
    } catch (err) {
      if (!(err instanceof AssertionRefused)) throw err;
      this.d.onRefused?.(err.message, { userId, passkeyId: passkey.id, purpose });
      if (err.why === 'counter') {
        await this.d.audit.record('passkey.counter_regression', {
          userId, client, detail: { passkeyId: passkey.id, name: passkey.name, storedCounter: passkey.counter, presentedCounter: err.presentedCounter, purpose },
        });
      }
      throw new AppError(refused);
    }
  }
}

const summaryOf = (p: Passkey): PasskeySummary => ({
  id: p.id, name: p.name, createdAt: p.createdAt, lastUsedAt: p.lastUsedAt, backedUp: p.backedUp, deviceType: p.deviceType,
});
