/**
 * Turns a failure to reach the database into one sentence an operator can act on: it names DATABASE_URL, says what
 * went wrong where, and what to check. Undefined for errors that are not about reaching the database.
 * It reads only the error (the driver puts the host, port, user and database in it), never the URL's password.
 */
export function explainDatabaseError(err: unknown): string | undefined {
  // A failed migration wraps the driver's error (MigrationError's cause): explain the innermost error that says something.
  const chain: unknown[] = [];
  for (let e: unknown = err; e && chain.length < 4; e = (e as { cause?: unknown }).cause) chain.push(e);
  for (const e of chain.reverse()) {
    const said = explainOne(e);
    if (said) return said;
  }
  return undefined;
}

function explainOne(err: unknown): string | undefined {
  const e = err as { code?: string; message?: string; hostname?: string; address?: string; port?: number } | null;
  const code = e?.code;
  const message = e?.message ?? String(err);
  const at = e?.address !== undefined ? `${e.address}${e.port !== undefined ? `:${e.port}` : ''}` : undefined;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `DATABASE_URL: the database host "${e?.hostname ?? '?'}" cannot be resolved (${code}): check the host name in DATABASE_URL`;
    case 'ECONNREFUSED':
      return `DATABASE_URL: nothing accepts connections at ${at ?? 'the database address'} (ECONNREFUSED): is PostgreSQL running and listening on that host and port?`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `DATABASE_URL: ${at ?? 'the database host'} did not answer (${code}): check the host, the port and any firewall in between`;
    // PostgreSQL's SQLSTATEs (Appendix A of its manual).
    case '28P01':
      return `DATABASE_URL: ${message}: check the user name and password in DATABASE_URL`;
    case '28000':
      return `DATABASE_URL: the server refused the connection (${message}): check that pg_hba.conf admits this user, database and client address`;
    case '3D000':
      return `DATABASE_URL: ${message}: create it first (for example: createdb -O <user> <database>)`;
    case '3F000':
      return `DATABASE_URL: ${message}: create the schema named in search_path, or remove it from DATABASE_URL`;
    case '42501':
      return `DATABASE_URL: ${message}: the user needs the right to create tables in its schema (or run "gatehouse migrate" as the owner)`;
    case '53300':
      return `DATABASE_URL: ${message}: the server has no free connection; lower DB_POOL_SIZE or raise max_connections`;
    // better-sqlite3's codes.
    case 'SQLITE_CANTOPEN':
      return `DATABASE_URL: the SQLite file cannot be opened (${message}): does its folder exist, and may this user write there?`;
    case 'SQLITE_NOTADB':
      return `DATABASE_URL: the file is not a SQLite database (${message}): point DATABASE_URL at a Gatehouse database or a new file`;
    case 'SQLITE_READONLY':
    case 'SQLITE_PERM':
      return `DATABASE_URL: the SQLite file is read-only for this user (${message}): give it (and its folder, for the -wal file) write permission`;
  }
  // better-sqlite3 says this one without a code.
  if (/directory does not exist/i.test(message)) {
    return `DATABASE_URL: the SQLite file's folder does not exist (${message}): create the folder, or fix the path`;
  }
  // pg reports its own connection timeout without a code.
  if (/timeout expired|Connection terminated due to connection timeout/i.test(message)) {
    return `DATABASE_URL: the database did not answer in time (${message}): check the host, the port and any firewall in between`;
  }
  return undefined;
}
