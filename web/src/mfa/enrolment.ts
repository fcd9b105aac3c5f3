import type { Factors } from '../../../client/src/index.ts';
import { api } from '../api.ts';
import { pathTo } from '../router/routes.ts';
import { ENROL_NOTICE } from './enrolment-notice.ts';

export { ENROL_NOTICE };

/** The user's role needs a second factor (MFA_REQUIRED_ROLES) and they have none yet. */
export const mustEnrol = (f: Factors | undefined): boolean => Boolean(f && f.mfa_required && !f.mfa_enabled);

/**
 * Where a fresh sign-in goes: `next`, or the Security page when the user must enrol a second factor first (the
 * server refuses everything else until then). A server without the factors route just goes on.
 */
export async function afterSignIn(next: string): Promise<{ to: string; notice?: string }> {
  try {
    if (mustEnrol(await api.myFactors())) return { to: pathTo('security'), notice: ENROL_NOTICE };
  } catch {
    // the factors are a hint here: the server enforces enrolment itself (MFA_ENROLLMENT_REQUIRED)
  }
  return { to: next };
}
