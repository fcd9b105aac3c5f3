import type { Factors } from '../../../client/src/index.ts';

/**
 * The step-up dialog's state, outside React: the API client (api.ts) asks for a step-up when a request is answered
 * 403 REAUTHENTICATION_REQUIRED, the one <StepUpDialog> shows it, and the client retries the request once the user
 * has proved themselves (or gives up if they cancel). The client shares one request among concurrent refusals.
 */
export interface StepUpRequest { id: number; finish(done: boolean): void }

let current: StepUpRequest | null = null;
let count = 0;
const listeners = new Set<() => void>();
const emit = () => { for (const l of listeners) l(); };

/** Opens the dialog; resolves true once the user re-authenticated, false if they cancelled. */
export function requestStepUp(): Promise<boolean> {
  current?.finish(false); // never two at once (the client shares one; this is only a guard)
  return new Promise<boolean>((resolve) => {
    const request: StepUpRequest = {
      id: ++count,
      finish(done) {
        if (current !== request) return;
        current = null;
        emit();
        resolve(done);
      },
    };
    current = request;
    emit();
  });
}

export const currentStepUp = (): StepUpRequest | null => current;

export function subscribeStepUp(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A proof the dialog can ask for. */
export type Proof = 'passkey' | 'totp' | 'recovery_code' | 'password';

/**
 * Which proofs to offer, strongest first. The server accepts only the user's strongest factor: with a passkey or an
 * authenticator app, the password alone no longer counts. A recovery code stands in for a lost device. Unknown
 * factors (the list failed to load): everything, and the server judges.
 */
export function stepUpProofs(factors: Factors | undefined): Proof[] {
  if (!factors) return ['passkey', 'totp', 'password', 'recovery_code'];
  if (!factors.mfa_enabled) return ['password'];
  const proofs: Proof[] = [];
  if (factors.passkeys.length > 0) proofs.push('passkey');
  if (factors.totp.enabled) proofs.push('totp');
  if (factors.recovery_codes.remaining > 0) proofs.push('recovery_code');
  return proofs;
}
