/** Parsers for environment variables: each returns the value or throws a message that says why. */

export type Parser<T> = (raw: string) => T;

export const str: Parser<string> = (raw) => raw;

/** A comma-separated list, each item one of `values` (an empty string: none). */
export const listOf = <const T extends string>(values: readonly T[]): Parser<T[]> => (raw) => [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean).map((item) => {
  if (!(values as readonly string[]).includes(item)) throw new Error(`${JSON.stringify(item)} is not one of ${values.join(', ')}`);
  return item as T;
}))];

export const int = (min: number, max: number): Parser<number> => (raw) => {
  if (!/^-?\d+$/.test(raw.trim())) throw new Error(`must be a whole number from ${min} to ${max}`);
  const n = Number(raw);
  if (n < min || n > max) throw new Error(`must be from ${min} to ${max}`);
  return n;
};

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);
export const bool: Parser<boolean> = (raw) => {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new Error('must be true or false (also 1/0, yes/no, on/off)');
};

export const oneOf = <const T extends string>(values: readonly T[]): Parser<T> => (raw) => {
  const v = raw.trim() as T;
  if (!values.includes(v)) throw new Error(`must be one of ${values.join(', ')}`);
  return v;
};

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
/** A duration in seconds: "900", "900s", "15m", "12h", "30d". */
export const duration = (minSeconds: number, maxSeconds: number): Parser<number> => (raw) => {
  const m = /^(\d+)\s*([smhd]?)$/.exec(raw.trim());
  if (!m) throw new Error('must be a duration such as 900, 900s, 15m, 12h or 30d');
  const seconds = Number(m[1]) * UNITS[m[2] || 's']!;
  if (seconds < minSeconds || seconds > maxSeconds) throw new Error(`must be from ${minSeconds}s to ${maxSeconds}s`);
  return seconds;
};

export const httpUrl: Parser<string> = (raw) => {
  let url: URL;
  try { url = new URL(raw.trim()); } catch { throw new Error('must be an absolute http(s) URL'); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('must be an http(s) URL');
  return url.href.replace(/\/$/, '');
};

/** Comma-separated origins, each scheme://host[:port] with nothing after it. "*" is refused: see CORS in README. */
export const origins: Parser<string[]> = (raw) => raw.split(',').map((s) => s.trim()).filter(Boolean).map((o) => {
  if (o === '*') throw new Error('"*" is not allowed: list the origins (credentials are never shared with "*")');
  let url: URL;
  try { url = new URL(o); } catch { throw new Error(`"${o}" is not an origin such as https://app.example.com`); }
  if (url.origin !== o) throw new Error(`"${o}" is not an origin (scheme://host[:port], no path or trailing slash)`);
  return o;
});

/**
 * Comma-separated absolute http(s) URLs, kept exactly as written (they are compared as exact strings), each without
 * query, fragment or credentials: the OAuth redirect allow-list (RFC 9700 §4.1.3).
 */
export const urlList: Parser<string[]> = (raw) => raw.split(',').map((s) => s.trim()).filter(Boolean).map((u) => {
  let url: URL;
  try { url = new URL(u); } catch { throw new Error(`"${u}" is not an absolute URL such as https://app.example.com/oauth/callback`); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${u}" is not an http(s) URL`);
  if (url.search || url.hash || u.includes('#') || u.includes('?')) throw new Error(`"${u}" must not have a query or fragment`);
  if (url.username || url.password) throw new Error(`"${u}" must not carry credentials`);
  if (url.href !== u && `${url.href}` !== `${u}/`) throw new Error(`"${u}" is not in canonical form (try ${url.href})`);
  return u;
});

export const smtpUrl: Parser<string> = (raw) => {
  let url: URL;
  try { url = new URL(raw.trim()); } catch { throw new Error('must be a URL such as smtp://user:pass@mail.example.com:587 or smtps://…:465'); }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error('must start with smtp:// or smtps://');
  if (!url.hostname) throw new Error('names no host');
  return url.href;
};

/** A rate: "10/1m" = 10 requests per minute; "0/1m" refuses every request; "off" = no limit. */
export const rate: Parser<{ limit: number; windowMs: number }> = (raw) => {
  const v = raw.trim().toLowerCase();
  if (v === 'off') return { limit: Number.MAX_SAFE_INTEGER, windowMs: 1000 };
  const m = /^(\d+)\s*\/\s*(\d+)\s*([smhd])$/.exec(v);
  if (!m) throw new Error('must be a rate such as 10/1m (count per window: s, m, h or d), or off');
  return { limit: Number(m[1]), windowMs: Number(m[2]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[3] as 's' | 'm' | 'h' | 'd'] };
};

const DATABASE_FORMS = 'postgres://user:password@host:5432/database, sqlite:///relative/path.db, sqlite:////absolute/path.db, '
  + 'sqlite://:memory:, or a file path ending in .db, .sqlite or .sqlite3';

/**
 * DATABASE_URL: PostgreSQL or SQLite, nothing else. A scheme Gatehouse does not speak (mysql:, mongodb:…) is refused
 * rather than taken for a SQLite file name, and so is a bare word that does not look like a database file: a typo
 * must not quietly create a new, empty database.
 */
export const databaseUrl: Parser<string> = (raw) => {
  const v = raw.trim();
  if (v === '') throw new Error(`is empty; give ${DATABASE_FORMS}`);
  if (/^postgres(ql)?:/i.test(v)) {
    let url: URL;
    try { url = new URL(v); } catch { throw new Error(`is not a valid PostgreSQL URL; expected postgres://user:password@host:5432/database`); }
    if (!url.hostname && !url.searchParams.get('host')) throw new Error('names no PostgreSQL host; expected postgres://user:password@host:5432/database');
    if (url.pathname.length <= 1) throw new Error('names no PostgreSQL database; expected postgres://user:password@host:5432/database');
    return v;
  }
  if (/^sqlite:/i.test(v)) {
    const path = v.replace(/^sqlite:(\/\/\/?)?/i, '');
    if (path === '') throw new Error(`names no SQLite file; expected ${DATABASE_FORMS}`);
    return v;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(v);
  if (scheme) throw new Error(`uses the scheme ${scheme[1]}://, which Gatehouse does not support; expected ${DATABASE_FORMS}`);
  if (!/\.(db|sqlite3?)$/i.test(v)) throw new Error(`is neither a database URL nor a SQLite file path; expected ${DATABASE_FORMS}`);
  return v;
};

export const redisUrl: Parser<string> = (raw) => {
  let url: URL;
  try { url = new URL(raw.trim()); } catch { throw new Error('must be a URL such as redis://127.0.0.1:6379/0'); }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error('must start with redis:// or rediss://');
  return url.href;
};
