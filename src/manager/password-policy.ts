import { createRequire } from 'node:module';
import { lookupKey } from '../model/user.ts';

export interface PasswordPolicyOptions { minLength: number; maxLength: number; rejectCommon: boolean }

let common: Set<string> | undefined;
/**
 * ~49,000 passwords most often seen in breaches (zxcvbn's list, shipped with the package: no network). The package
 * (its compressed dictionaries, ~3 MiB resident once unpacked) is loaded by the first password checked, not at start.
 */
function commonPasswords(): Set<string> {
  if (!common) {
    const { dictionary } = createRequire(import.meta.url)('@zxcvbn-ts/language-common') as { dictionary: Record<string, string[]> };
    common = new Set(dictionary['passwords-common']!.map((p) => p.toLowerCase()));
  }
  return common;
}

/**
 * The password rules, after NIST SP 800-63B §5.1.1.2: length (in characters, not bytes), not the email,
 * and — when `rejectCommon` — not a commonly used or breached password. No composition rules.
 */
export class PasswordPolicy {
  private readonly o: PasswordPolicyOptions;

  constructor(o: PasswordPolicyOptions) {
    this.o = o;
  }

  /** Why a password is refused, or undefined when it is acceptable. */
  problem(password: string, email: string | undefined): string | undefined {
    const length = [...password].length;
    if (length < this.o.minLength) return `Password should be at least ${this.o.minLength} characters`;
    if (length > this.o.maxLength) return `Password should be at most ${this.o.maxLength} characters`;
    if (password.trim().length === 0) return 'Password should not be only whitespace';
    if (email !== undefined && lookupKey(password) === lookupKey(email)) return 'Password should not be the same as the email';
    if (this.o.rejectCommon && commonPasswords().has(password.toLowerCase())) return 'Password is too common: it appears in lists of breached passwords';
    return undefined;
  }
}
