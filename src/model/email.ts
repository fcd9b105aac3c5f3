import { domainToASCII, domainToUnicode } from 'node:url';

/**
 * The one email rule: every address Gatehouse stores (registration, PATCH /users/me and /users/{id}, social login,
 * `gatehouse create-superuser`, imports) goes through normalizeEmail first, so an address is either refused with a
 * reason or stored in one canonical form. The HTTP schemas check it too (http/validation.ts), as a 422.
 *
 * The rule:
 * - surrounding whitespace is trimmed, the whole address put in Unicode NFC (as pydantic's EmailStr does);
 * - exactly one "@";
 * - the local part (before "@") is a dot-atom (RFC 5322 §3.2.3): atoms of ASCII atext, or (RFC 6531 §3.3, SMTPUTF8)
 *   Unicode letters, marks, digits and symbols, joined by single dots. Quoted strings, comments, spaces, control
 *   characters (CR/LF included) and `<>,;:"()[]\@` are refused. At most 64 octets in UTF-8 (RFC 5321 §4.5.3.1.1).
 *   Its case is kept as typed (users are still found without regard to case: model/user.ts, lookupKey);
 * - the domain is a host name: letters, digits, hyphens (and Unicode letters: IDNA, RFC 5890), at least two
 *   labels, each 1–63 octets in its ASCII (punycode) form (RFC 1035 §2.3.4), none starting or ending with a hyphen,
 *   and a top-level label that is not all digits (no IP addresses). It is stored in its Unicode form, lower-cased:
 *   UTS #46 mapping (node:url's domainToASCII, then back with domainToUnicode), so `Example.COM` → `example.com`,
 *   `XN--MNCHEN-3YA.de` and `München.de` → `münchen.de` — one mailbox, one stored form, one lookup key;
 * - the whole address is at most 254 octets (RFC 5321 §4.5.3.1.3 path limit minus the angle brackets), both as
 *   stored (UTF-8) and with the domain in its ASCII form.
 */
export type EmailResult = { ok: true; email: string } | { ok: false; reason: string };

export const MAX_LOCAL_OCTETS = 64;
export const MAX_LABEL_OCTETS = 63;
export const MAX_EMAIL_OCTETS = 254;

/** One character of an atom: RFC 5322 atext, or a Unicode letter, mark, number or other symbol (emoji) beyond ASCII
 * (RFC 6531's UTF8-non-ascii, without the separators, controls and punctuation that only look like `<>,;:@`). */
const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]$/;
const UTF8_ATEXT = /^[\p{L}\p{M}\p{N}\p{So}]$/u;
/** Characters that render as nothing (variation selectors, the combining grapheme joiner…): two addresses that differ
 * only by one would look the same in every list and mail (Unicode's Default_Ignorable_Code_Point). */
const INVISIBLE = /^\p{Default_Ignorable_Code_Point}$/u;
/** The one use of them an address keeps: an emoji's own presentation selector or joiner (❤️ is U+2764 U+FE0F). */
const EMOJI = /^\p{Extended_Pictographic}$/u;
const EMOJI_PART = new Set(['\uFE0F', '\uFE0E', '\u200D']);
const atext = (c: string, before: string | undefined): boolean => ATEXT.test(c)
  || (c > '\x7F' && UTF8_ATEXT.test(c) && (!INVISIBLE.test(c) || (EMOJI_PART.has(c) && before !== undefined && EMOJI.test(before))));
/** What a typed domain may hold before IDNA mapping: label characters and dots (no "%", "_", ",", spaces…). */
const DOMAIN_CHARS = /^[\p{L}\p{M}\p{N}.-]+$/u;
/** A host-name label in ASCII (RFC 1035 §2.3.1, as relaxed by RFC 1123 §2.1 to allow a leading digit). */
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

const octets = (s: string): number => Buffer.byteLength(s, 'utf8');
/** A character as the reason shows it: JSON-quoted, so CR, LF and other controls are visible and harmless. */
const shown = (c: string): string => JSON.stringify(c);

export function normalizeEmail(raw: string): EmailResult {
  const fail = (reason: string): EmailResult => ({ ok: false, reason });
  const address = raw.trim().normalize('NFC');
  // Far too long whatever it holds (4 octets a character at most): said at once, before scanning it.
  if (address.length > MAX_EMAIL_OCTETS * 4) return fail(`The email address is too long (${octets(address)} bytes; at most ${MAX_EMAIL_OCTETS}).`);
  const at = address.indexOf('@');
  if (at < 0) return fail('An email address must have an @-sign.');
  if (address.indexOf('@', at + 1) >= 0) return fail('An email address must have exactly one @-sign.');
  const local = address.slice(0, at);
  const typedDomain = address.slice(at + 1);

  if (local === '') return fail('There must be something before the @-sign.');
  if (local.startsWith('"')) return fail('Quoted local parts ("…"@) are not accepted.');
  const chars = [...local];
  const badLocal = chars.find((c, i) => c !== '.' && !atext(c, chars[i - 1]));
  if (badLocal !== undefined) return fail(`The part before the @-sign contains a character that is not allowed: ${shown(badLocal)}.`);
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return fail('The part before the @-sign cannot start or end with a dot, or have two dots in a row.');
  }
  // A mark with nothing to combine with would decorate whatever stands before it when shown (the "@" or a dot).
  if (/(?:^|\.)\p{M}/u.test(local)) return fail('A part of the address before the @-sign cannot start with a combining mark.');
  if (octets(local) > MAX_LOCAL_OCTETS) return fail(`The part before the @-sign is too long (${octets(local)} bytes; at most ${MAX_LOCAL_OCTETS}).`);

  if (typedDomain === '') return fail('There must be something after the @-sign.');
  const badDomain = [...typedDomain].find((c) => !DOMAIN_CHARS.test(c));
  if (badDomain !== undefined) return fail(`The part after the @-sign contains a character that is not allowed: ${shown(badDomain)}.`);
  const allDigits = 'The part after the @-sign is not a valid domain name: its last part is all digits.';
  if (/^[0-9]+$/.test(typedDomain.split('.').at(-1)!)) return fail(allDigits); // (domainToASCII reads it as an IPv4 address)
  const ascii = domainToASCII(typedDomain.toLowerCase());
  if (ascii === '') return fail('The part after the @-sign is not a valid domain name.');
  const labels = ascii.split('.');
  if (labels.length < 2) return fail('The part after the @-sign must have a dot (e.g. example.com).');
  for (const label of labels) {
    if (label === '') return fail('The part after the @-sign cannot start or end with a dot, or have two dots in a row.');
    if (label.length > MAX_LABEL_OCTETS) return fail(`The part after the @-sign has a label longer than ${MAX_LABEL_OCTETS} bytes (as punycode).`);
    if (!LDH_LABEL.test(label)) return fail('The part after the @-sign is not a valid domain name: a label starts or ends with a hyphen.');
  }
  if (/^[0-9]+$/.test(labels.at(-1)!)) return fail(allDigits);
  const domain = domainToUnicode(ascii);
  // An "xn--" label that does not decode stays "xn--…": it is no IDNA A-label (RFC 5890 §2.3.2.1).
  if (domain === '' || domain.split('.').some((l) => l.startsWith('xn--'))) return fail('The part after the @-sign is not a valid domain name: bad punycode.');

  const email = `${local}@${domain}`;
  const length = Math.max(octets(email), octets(`${local}@${ascii}`));
  if (length > MAX_EMAIL_OCTETS) return fail(`The email address is too long (${length} bytes; at most ${MAX_EMAIL_OCTETS}).`);
  return { ok: true, email };
}

/** An address refused by the rule, where there is no HTTP validation before (CLI, imports, services' callers). */
export class InvalidEmailError extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(`not a valid email address: ${reason}`);
    this.name = 'InvalidEmailError';
    this.reason = reason;
  }
}

/** The normalised address, or InvalidEmailError: for code whose input was not checked by the HTTP schemas. */
export function requireEmail(raw: string): string {
  const r = normalizeEmail(raw);
  if (!r.ok) throw new InvalidEmailError(r.reason);
  return r.email;
}
