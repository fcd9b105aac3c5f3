// Grows the users table of a benchmark database to N rows in one set-based statement (generate_series), fast
// enough for a million rows. Every seeded user shares one real argon2id hash of SEED_PASSWORD, made with the
// server's own parameters (so a login verifies for real and needs no rehash), and has the address
// seed-<n>@scale.bench.example.com, n from 0: SEED_LOGIN_TEMPLATE is the pattern a load uses to log in as any of
// them. A fraction of them also get a live session, as real users would (the /users/me query reads that table).
import pg from 'pg';
import { hash } from '@node-rs/argon2';

export const SEED_PASSWORD = 'seeded bench password';
const DOMAIN = 'scale.bench.example.com';
/** "{n}" stands for the user's number. */
export const SEED_LOGIN_TEMPLATE = `seed-{n}@${DOMAIN}`;
export const seedEmail = (n: number): string => SEED_LOGIN_TEMPLATE.replace('{n}', String(n));

export interface Argon2Params { memoryCost: number; timeCost: number; parallelism: number }

/** The argon2id hash of SEED_PASSWORD with `params` (what the server's PasswordHasher would store). */
export function seedHash(params: Argon2Params): Promise<string> {
  return hash(SEED_PASSWORD, { memoryCost: params.memoryCost, timeCost: params.timeCost, parallelism: params.parallelism });
}

export interface SeedResult {
  /** Seeded users now in the table (numbered 0 … users - 1). */
  users: number;
  added: number;
  sessionsAdded: number;
  /** Seconds for the insert, and for ANALYZE. */
  insertSeconds: number;
  analyzeSeconds: number;
}

/**
 * Adds seeded users `from` … `to - 1` (the caller grows the table step by step: from = the previous size), and a
 * live session to about `sessionFraction` of them, then ANALYZE. One transaction, one statement.
 */
export async function growUsers(url: string, from: number, to: number, hashed: string, sessionFraction: number): Promise<SeedResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const t0 = performance.now();
    // Ids are random uuids, as the server makes them (gen_random_uuid: built in since PostgreSQL 13), so the
    // primary key index is as scattered as a real one. Sign-up times spread over the last year.
    const r = await c.query<{ sessions: string }>(`
      with u as (
        insert into users (id, email, email_key, username, username_key, full_name, hashed_password,
                           is_active, is_verified, role, created_at, updated_at)
        select gen_random_uuid(), e, e, null, null, 'Seeded User ' || n, $3, true, true, 'user', t, t
        from generate_series($1::bigint, $2::bigint - 1) as n,
             lateral (select 'seed-' || n || '@${DOMAIN}' as e, now() - random() * interval '365 days' as t) as x
        returning id, created_at
      ), s as (
        insert into sessions (id, user_id, created_at, last_used_at, expires_at, revoked_at, user_agent, ip)
        select gen_random_uuid(), id, now() - interval '1 day', now() - interval '1 hour', now() + interval '29 days',
               null, 'Mozilla/5.0 (seeded)', '192.0.2.1'
        from u where random() < $4
        returning 1
      )
      select (select count(*) from s) as sessions`, [from, to, hashed, sessionFraction]);
    const t1 = performance.now();
    await c.query('analyze users');
    await c.query('analyze sessions');
    const t2 = performance.now();
    return {
      users: to, added: to - from, sessionsAdded: Number(r.rows[0]?.sessions ?? 0),
      insertSeconds: (t1 - t0) / 1000, analyzeSeconds: (t2 - t1) / 1000,
    };
  } finally {
    await c.end();
  }
}

/** Rows in users and sessions right now (a check that the seed really landed), and the users table's size. */
export async function countRows(url: string): Promise<{ users: number; sessions: number; usersMiB: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ users: string; sessions: string; bytes: string }>(`select (select count(*) from users) as users,
      (select count(*) from sessions) as sessions, pg_total_relation_size('users') as bytes`);
    const row = r.rows[0]!;
    return { users: Number(row.users), sessions: Number(row.sessions), usersMiB: Math.round(Number(row.bytes) / 2 ** 20) };
  } finally {
    await c.end();
  }
}
