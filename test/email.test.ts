// The one email rule (src/model/email.ts): what it accepts, in which form it stores it, and why it refuses the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeEmail, requireEmail, InvalidEmailError } from '../src/model/email.ts';

const label = (n: number) => 'd'.repeat(n);

/** [typed, stored] */
const good: [string, string][] = [
  ['first@user.com', 'first@user.com'],
  ['  spaced@user.com  ', 'spaced@user.com'],
  ['\ttabbed@user.com\r\n', 'tabbed@user.com'],
  ['Mixed.Case@Example.COM', 'Mixed.Case@example.com'],
  ['jörg@example.com', 'jörg@example.com'],
  ['JÖRG@Exämple.COM', 'JÖRG@exämple.com'],
  ['jo\u0308rg@example.com', 'jörg@example.com'], // NFD typed, NFC stored
  ['x@XN--MNCHEN-3YA.de', 'x@münchen.de'], // the A-label and the U-label of one domain are one address
  ['x@München.DE', 'x@münchen.de'],
  ['用户@例子.广告', '用户@例子.广告'],
  ['i❤️u@example.com'.normalize('NFC'), 'i❤️u@example.com'],
  ["o'brien+tag{1}|x=y?z^_`~!#$%&*/-@sub.example.co.uk", "o'brien+tag{1}|x=y?z^_`~!#$%&*/-@sub.example.co.uk"],
  ['a.b.c@1and1.com', 'a.b.c@1and1.com'],
  ['a@b-c.io', 'a@b-c.io'],
  [`${'l'.repeat(64)}@example.com`, `${'l'.repeat(64)}@example.com`],
  [`${'é'.repeat(32)}@example.com`, `${'é'.repeat(32)}@example.com`], // 64 octets
  [`a@${label(63)}.com`, `a@${label(63)}.com`],
  [`${'l'.repeat(64)}@${label(63)}.${label(63)}.${label(57)}.com`, `${'l'.repeat(64)}@${label(63)}.${label(63)}.${label(57)}.com`], // 254 octets
];

/** [what, typed, the reason says] */
const bad: [string, string, RegExp][] = [
  ['no @', 'not-an-email', /must have an @-sign/],
  ['an invisible combining grapheme joiner', 'alice\u034F@example.com', /not allowed: "\u034f"/i],
  ['an invisible variation selector', 'alice\uFE0F@example.com', /not allowed: "\ufe0f"/i],
  ['a combining mark with nothing to combine with', '\u0301alice@example.com', /cannot start with a combining mark/],
  ['a combining mark after a dot', 'a.\u0301lice@example.com', /cannot start with a combining mark/],
  ['two addresses', 'a@b.com,victim@example.com', /exactly one @-sign/],
  ['a display name', 'Mallory <m@example.com>', /not allowed: " "/],
  ['angle brackets', '<m@example.com>', /not allowed: "<"/],
  ['a header after CR/LF', 'm\r\nBcc: victim@example.com', /not allowed: "\\r"/],
  ['a LF inside the local part', 'm\n@example.com', /not allowed: "\\n"/],
  ['a comment', 'm(comment)@example.com', /not allowed: "\("/],
  ['a quoted local part', '"john doe"@example.com', /Quoted/],
  ['a quoted @', '"a@b"@example.com', /exactly one @-sign/],
  ['a space inside', 'john doe@example.com', /not allowed: " "/],
  ['a semicolon', 'a;b@example.com', /not allowed: ";"/],
  ['a colon', 'a:b@example.com', /not allowed: ":"/],
  ['a backslash', 'a\\b@example.com', /not allowed: "\\\\"/],
  ['square brackets', 'a[b]@example.com', /not allowed: "\["/],
  ['a NUL', 'a\u0000b@example.com', /not allowed: "\\u0000"/],
  ['a no-break space', 'a\u00a0b@example.com', /not allowed/],
  ['a zero-width joiner', 'a\u200db@example.com', /not allowed/],
  ['a full-width "<" look-alike', 'a\uff1cb@example.com', /not allowed/],
  ['nothing before @', '@example.com', /something before the @-sign/],
  ['nothing after @', 'a@', /something after the @-sign/],
  ['a leading dot', '.a@example.com', /two dots in a row/],
  ['a trailing dot', 'a.@example.com', /two dots in a row/],
  ['two dots', 'a..b@example.com', /two dots in a row/],
  ['a 65-octet local part', `${'l'.repeat(65)}@example.com`, /before the @-sign is too long \(65 bytes; at most 64\)/],
  ['a 66-octet local part in 33 characters', `${'é'.repeat(33)}@example.com`, /too long \(66 bytes/],
  ['a 250-character local part', `${'l'.repeat(250)}@example.com`, /too long/],
  ['no dot in the domain', 'a@localhost', /must have a dot/],
  ['a 64-octet label', `a@${label(64)}.com`, /label longer than 63/],
  ['a 250-character label', `a@${label(250)}.com`, /label longer than 63/],
  ['a label over 63 octets as punycode', `a@${'ü'.repeat(60)}.com`, /label longer than 63/],
  ['a 255-octet address', `${'l'.repeat(64)}@${label(63)}.${label(63)}.${label(58)}.com`, /too long \(255 bytes; at most 254\)/],
  ['an empty label', 'a@example..com', /two dots in a row/],
  ['a trailing dot in the domain', 'a@example.com.', /two dots in a row/],
  ['a leading hyphen', 'a@-example.com', /hyphen/],
  ['a trailing hyphen', 'a@example-.com', /hyphen/],
  ['an IP address', 'a@127.0.0.1', /all digits/],
  ['a numeric top-level label', 'a@example.123', /all digits/],
  ['an IP literal', 'a@[127.0.0.1]', /not allowed: "\["/],
  ['an underscore in the domain', 'a@ex_ample.com', /not allowed: "_"/],
  ['a comma in the domain', 'a@ex,ample.com', /not allowed: ","/],
  ['a percent-escape in the domain', 'a@ex%41mple.com', /not allowed: "%"/],
  ['a space in the domain', 'a@exa mple.com', /not allowed: " "/],
  ['a CR/LF in the domain', 'a@example.com\r\nBcc: b@example.com', /exactly one @-sign/],
  ['a CR/LF in the domain, one @', 'a@example.com\r\nX-Evil: 1', /not allowed: "\\r"/],
  ['bad punycode', 'a@xn--zz.com', /not a valid domain name/],
  ['only whitespace', '   ', /must have an @-sign/],
];

test('the rule accepts these addresses and stores them in this form', () => {
  for (const [typed, stored] of good) assert.deepEqual(normalizeEmail(typed), { ok: true, email: stored }, JSON.stringify(typed));
});

test('the rule refuses these addresses, and says why', () => {
  const wrong = bad.filter(([, typed, reason]) => { const r = normalizeEmail(typed); return r.ok || !reason.test(r.reason); })
    .map(([what, typed]) => `${what}: ${JSON.stringify(normalizeEmail(typed))}`);
  assert.deepEqual(wrong, []);
});

test('normalising is idempotent: a stored address normalises to itself', () => {
  for (const [, stored] of good) assert.deepEqual(normalizeEmail(stored), { ok: true, email: stored });
});

test('requireEmail answers the stored form, or throws InvalidEmailError with the reason', () => {
  assert.equal(requireEmail(' A@Example.COM '), 'A@example.com');
  assert.throws(() => requireEmail('a@b.com,c@d.com'), (e: unknown) => e instanceof InvalidEmailError && /exactly one @-sign/.test(e.reason));
});
