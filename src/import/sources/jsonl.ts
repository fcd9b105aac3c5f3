import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { isRole } from '../../model/roles.ts';
import type { ImportSource, SourceAccount, SourceUser } from '../source.ts';
import { asIso, SourceError } from '../source-db.ts';

/**
 * The JSON-lines format (docs/import-jsonl.md): one user per line, for any system without a source of its own
 * (Auth0, Firebase, a home-made table…), written by a short script. Unknown fields are refused (a typo in the
 * script would otherwise drop data silently); the line number names a bad line in the report.
 */
const USER_FIELDS = new Set(['id', 'email', 'password_hash', 'is_active', 'is_verified', 'is_superuser', 'role', 'username', 'full_name', 'created_at', 'oauth_accounts']);
const ACCOUNT_FIELDS = new Set(['provider', 'account_id', 'account_email', 'access_token', 'refresh_token', 'expires_at', 'scope']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class LineError extends Error {}

function text(o: Obj, field: string, required = false): string | null {
  const v = o[field];
  if (v === undefined || v === null) {
    if (required) throw new LineError(`"${field}" is required`);
    return null;
  }
  if (typeof v !== 'string' || (required && v === '')) throw new LineError(`"${field}" must be a${required ? ' non-empty' : ''} string`);
  return v;
}

function flag(o: Obj, field: string, otherwise: boolean): boolean {
  const v = o[field];
  if (v === undefined || v === null) return otherwise;
  if (typeof v !== 'boolean') throw new LineError(`"${field}" must be true or false`);
  return v;
}

function time(o: Obj, field: string): string | null {
  const v = o[field];
  if (v === undefined || v === null) return null;
  const iso = typeof v === 'number' || typeof v === 'string' ? asIso(v) : null;
  if (iso === null) throw new LineError(`"${field}" must be an ISO-8601 time or a number of seconds since 1970`);
  return iso;
}

function unknownField(o: Obj, known: Set<string>, where: string): void {
  const bad = Object.keys(o).find((k) => !known.has(k));
  if (bad !== undefined) throw new LineError(`unknown field ${JSON.stringify(bad)}${where}`);
}

function account(v: unknown, i: number): SourceAccount {
  if (!isObj(v)) throw new LineError(`oauth_accounts[${i}] must be an object`);
  unknownField(v, ACCOUNT_FIELDS, ` in oauth_accounts[${i}]`);
  try {
    return {
      provider: text(v, 'provider', true)!, accountId: text(v, 'account_id', true)!, accountEmail: text(v, 'account_email'),
      accessToken: text(v, 'access_token'), refreshToken: text(v, 'refresh_token'), expiresAt: time(v, 'expires_at'), scope: text(v, 'scope'),
    };
  } catch (err) {
    throw err instanceof LineError ? new LineError(`oauth_accounts[${i}]: ${err.message}`) : err;
  }
}

/** One line as a user; a line that is not one becomes a user with a `problem` (reported as a conflict). */
export function parseLine(line: string, lineNo: number): SourceUser {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (err) {
    return problem(lineNo, `not JSON (${(err as Error).message})`);
  }
  try {
    if (!isObj(o)) throw new LineError('a line must be a JSON object');
    unknownField(o, USER_FIELDS, '');
    const role = o.role;
    if (role !== undefined && role !== null && !isRole(role)) throw new LineError('"role" must be "user", "admin" or "super_admin"');
    const accounts = o.oauth_accounts ?? [];
    if (!Array.isArray(accounts)) throw new LineError('"oauth_accounts" must be an array');
    return {
      sourceId: text(o, 'id', true)!,
      email: text(o, 'email', true),
      hash: text(o, 'password_hash') || null,
      isActive: flag(o, 'is_active', true),
      isVerified: flag(o, 'is_verified', false),
      role: flag(o, 'is_superuser', false) ? 'super_admin' : (isRole(role) && role !== 'user' ? role : undefined),
      username: text(o, 'username'),
      fullName: text(o, 'full_name'),
      createdAt: time(o, 'created_at'),
      accounts: accounts.map(account),
    };
  } catch (err) {
    if (!(err instanceof LineError)) throw err;
    const id = isObj(o) && typeof o.id === 'string' && o.id !== '' ? o.id : undefined;
    return problem(lineNo, err.message, id);
  }
}

function problem(lineNo: number, why: string, id?: string): SourceUser {
  return {
    sourceId: id ?? `line ${lineNo}`, email: null, hash: null, isActive: false, isVerified: false, role: undefined,
    username: null, fullName: null, createdAt: null, accounts: [], problem: `line ${lineNo}: ${why}`,
  };
}

async function* lines(file: string): AsyncGenerator<[string, number]> {
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) {
    n++;
    if (line.trim() !== '') yield [line, n];
  }
}

export function jsonlSource(file: string): ImportSource {
  if (!existsSync(file)) throw new SourceError(`no file ${file}`);
  return {
    name: 'jsonl',
    uniqueIds: false,
    describe: `users from the JSON-lines file ${file}`,
    async count() {
      let n = 0;
      for await (const _ of lines(file)) n++;
      return n;
    },
    async *batches(size) {
      let batch: SourceUser[] = [];
      for await (const [line, n] of lines(file)) {
        batch.push(parseLine(line, n));
        if (batch.length >= size) { yield batch; batch = []; }
      }
      if (batch.length) yield batch;
    },
    close: async () => {},
  };
}
