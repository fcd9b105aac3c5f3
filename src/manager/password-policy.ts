import { lookupKey } from '../model/user.ts';

export interface PasswordPolicyOptions { minLength: number; maxLength: number }

/**
 * The password rules (NIST SP 800-63B: length, not composition). Returns why a password is refused,
 * or undefined when it is acceptable. Length counts characters (code points), not bytes.
 */
export function passwordProblem(password: string, email: string | undefined, o: PasswordPolicyOptions): string | undefined {
  const length = [...password].length;
  if (length < o.minLength) return `Password should be at least ${o.minLength} characters`;
  if (length > o.maxLength) return `Password should be at most ${o.maxLength} characters`;
  if (password.trim().length === 0) return 'Password should not be only whitespace';
  if (email !== undefined && lookupKey(password) === lookupKey(email)) return 'Password should not be the same as the email';
  return undefined;
}
