// What `npm run bench:compare` set on each side, and why: printed under the tables and saved with the results.
import { VARIABLES } from '../../src/config/variables.ts';

export function compareNotes(): string[] {
  const cache = (VARIABLES as Record<string, { default?: string }>).SESSION_CACHE_MS?.default;
  const cached = cache && cache !== '0'
    ? ` Gatehouse's default SESSION_CACHE_MS=${cache} lets it answer from memory that a session is live for up to ${cache} ms; `
      + 'Better Auth\'s nearest option, session.cookieCache, is off by default and stays off.'
    : '';
  const argon2 = `argon2id m=${VARIABLES.ARGON2_MEMORY_KIB.default} KiB, t=${VARIABLES.ARGON2_ITERATIONS.default}, p=${VARIABLES.ARGON2_PARALLELISM.default}`;
  return [
    `Equal password-hash cost: both hash and verify with ${argon2} (@node-rs/argon2, the same package and version). `
      + 'That is Gatehouse\'s default; Better Auth is configured to it through emailAndPassword.password.hash/verify '
      + '(its own default is scrypt N=16384, r=16, p=1). Each runs the hash its own way: Gatehouse in its worker-thread '
      + 'pool (one thread per core), Better Auth as an async call on libuv\'s thread pool (4 threads).',
    'Rate limiting is off on both: Gatehouse RATE_LIMITS=false, Better Auth rateLimit.enabled=false (on by default in '
      + 'production): 50 connections from one IP would otherwise measure 429s.',
    'Both run with NODE_ENV=production and quiet logs. Everything else is each product\'s default.',
    'Authenticated read: Gatehouse verifies a bearer JWT and that its session is live (its defaults); '
      + 'Better Auth checks its signed session cookie and reads session and user from the database (cookie cache off, its '
      + 'default). Better Auth is asked with ?disableRefresh=true because this server sets updateAge 0 for the refresh '
      + `row; that is exactly what its default updateAge (one day) does for a session younger than a day: no write.${cached}`,
    'Register: Better Auth\'s sign-up requires a name, which is sent. autoSignIn=false, so its sign-up creates the user '
      + 'and account rows but no session, as Gatehouse\'s POST /auth/register creates the user and logs nobody in.',
    'Refresh is not the same operation on both. Gatehouse trades a single-use refresh token for a new access JWT and a '
      + 'new refresh token (rotation with reuse detection: a write and a signature per call); each request takes a '
      + 'token from a pool of sessions and puts back its successor. Better Auth has no refresh token for its own '
      + 'sessions: a session is extended by get-session once updateAge has passed (a write of the new expiry and the '
      + 'cookie set again, same token). That sliding refresh is the closest equivalent, so the peer runs with '
      + 'updateAge 0 and every GET /api/auth/get-session refreshes, over a pool of sessions of the same size. '
      + 'Not chosen: the jwt plugin\'s /api/auth/token, which mints a JWT from a session without extending it.',
    'SQLite: the same pragmas on both (WAL, synchronous NORMAL, busy_timeout 5 s, foreign keys); PostgreSQL: a pool '
      + 'of 10 connections on both (Gatehouse\'s DB_POOL_SIZE default). Each server starts on an empty database and '
      + 'creates its schema (Gatehouse\'s migrations, Better Auth\'s getMigrations).',
    'Errors = non-2xx answers + socket errors (timeouts included). Peak RSS per row: the highest VmRSS of the server '
      + 'process sampled every 50 ms during that load (warm-up included); whole life: VmHWM at the end. Cold start: '
      + 'spawn of node to the first 200 on GET /healthz (Gatehouse) or GET /api/auth/get-session without a cookie '
      + '(Better Auth), schema creation included, median of the starts.',
  ];
}
