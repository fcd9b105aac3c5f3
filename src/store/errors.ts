/** Storage failures the services understand, translated from each driver's own errors. */

/** A unique index refused the write; `column` says which (email_key, username_key, …). */
export class DuplicateKeyError extends Error {
  readonly column: string;

  constructor(column: string) {
    super(`duplicate value for ${column}`);
    this.column = column;
    this.name = 'DuplicateKeyError';
  }
}

/** Returns the column behind a unique violation from better-sqlite3 or pg, else undefined. */
export function uniqueViolation(err: unknown): string | undefined {
  const e = err as { code?: string; message?: string; detail?: string; constraint?: string };
  if (e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    // "UNIQUE constraint failed: users.email_key"
    return /failed: \w+\.(\w+)/.exec(e.message ?? '')?.[1] ?? 'unknown';
  }
  if (e?.code === '23505') {
    // detail: "Key (email_key)=(a@b.c) already exists."
    return /Key \((\w+)\)/.exec(e.detail ?? '')?.[1] ?? e.constraint ?? 'unknown';
  }
  return undefined;
}

/** Rethrows a unique violation as DuplicateKeyError; any other error unchanged. */
export function translateWriteError(err: unknown): never {
  const column = uniqueViolation(err);
  if (column) throw new DuplicateKeyError(column);
  throw err;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'SQLITE_BUSY', 'SQLITE_CANTOPEN']);
/** True when the database could not be reached or is shutting down: the caller may retry later (503). */
export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (!e) return false;
  if (e.code && CONNECTION_CODES.has(e.code)) return true;
  // PostgreSQL SQLSTATE class 08 (connection exception), 57P01-03 (admin shutdown, crash shutdown, cannot connect now), 53300 (too many connections).
  if (e.code && (/^08/.test(e.code) || /^57P0[123]$/.test(e.code) || e.code === '53300')) return true;
  return /timeout exceeded when trying to connect|Connection terminated|connection is closed/i.test(e.message ?? '');
}
