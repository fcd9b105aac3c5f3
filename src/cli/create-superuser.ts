import type { Config } from '../config/config.ts';
import { createGatehouse, createLogger } from '../gatehouse.ts';
import { normalizeEmail } from '../model/email.ts';
import { readPassword } from './read-password.ts';

/** `gatehouse create-superuser --email EMAIL [--password-stdin]`. */
export async function createSuperuser(config: Config, typed: string | undefined, fromStdin: boolean): Promise<number> {
  if (!typed) {
    console.error('gatehouse create-superuser: --email is required');
    return 2;
  }
  // The one email rule (model/email.ts), checked before the password is asked for.
  const checked = normalizeEmail(typed);
  if (!checked.ok) {
    console.error(`gatehouse create-superuser: --email ${JSON.stringify(typed)} is not a valid email address: ${checked.reason}`);
    return 2;
  }
  const password = await readPassword({ prompt: `Password for ${checked.email}: `, confirm: true, fromStdin });
  const g = await createGatehouse(config, { logger: createLogger({ logLevel: 'warn' }), mailWorker: false });
  try {
    const { user, created } = await g.users.createSuperuser(typed, password); // which normalises it (the one rule)
    console.log(`${created ? 'created' : 'promoted'} super admin ${user.email} (${user.id})`);
    if (config.mfa.requiredRoles.includes('super_admin') && !user.mfaEnabled) {
      console.log('MFA_REQUIRED_ROLES includes super_admin: at the first sign-in, set up a second factor (an authenticator app or a passkey)'
        + ' before anything else works (the web app leads you; API: POST /users/me/totp, then POST /users/me/totp/confirm).');
    }
    return 0;
  } finally {
    await g.close();
  }
}
