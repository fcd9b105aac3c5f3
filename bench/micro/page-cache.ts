// `node bench/micro/page-cache.ts [users…]`: what SQLite's page cache size costs or saves on the lookup behind every
// authenticated request (a live session by id, then its user by id, as SessionStore.liveUser does on SQLite) when the
// session is any of N: better-sqlite3's default (`SQLITE_DEFAULT_CACHE_SIZE=-16000`, ~16 MB per connection) against
// SQLite's own (-2000, ~2 MB) and a middle one. Each contender is its own connection to the same file, read only, so
// each has its own cache; the file is in the OS's page cache either way (a miss costs a pread and a copy, not a disk
// read). Default sizes: 20,000 users (a database that fits in 16 MB but not in 2) and 200,000 (fits in neither).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { compare, print } from './measure.ts';

const sizes = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
const CACHES = [-16000, -4000, -2000];

async function seed(file: string, users: number): Promise<string[]> {
  const db = openDatabase(`sqlite:${file}`);
  await migrateToLatest(db);
  await db.close();
  const raw = new Database(file);
  const now = new Date().toISOString(), later = new Date(Date.now() + 86_400_000).toISOString();
  const hash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$3Cj6Yy0o6u8i4Nn0gqCgA4kq0VZ4l6dL0Kx1bM0Zb1w';
  const user = raw.prepare(`insert into users (id, email, email_key, username, username_key, full_name, hashed_password, is_active, is_verified, role, created_at, updated_at)
    values (?, ?, ?, null, null, null, ?, 1, 1, 'user', ?, ?)`);
  const session = raw.prepare(`insert into sessions (id, user_id, created_at, last_used_at, expires_at, revoked_at, user_agent, ip)
    values (?, ?, ?, ?, ?, null, 'Mozilla/5.0 (X11; Linux x86_64) bench', '127.0.0.1')`);
  const sessions: string[] = [];
  raw.transaction(() => {
    for (let i = 0; i < users; i++) {
      const id = randomUUID(), sid = randomUUID(), email = `user${i}@example.com`;
      user.run(id, email, email, hash, now, now);
      session.run(sid, id, now, now, later);
      sessions.push(`${sid} ${id}`);
    }
  })();
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.close();
  return sessions;
}

for (const users of sizes.length ? sizes : [20_000, 200_000]) {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-page-cache-'));
  try {
    const file = join(dir, 'bench.db');
    const sessions = await seed(file, users);
    const now = new Date().toISOString();
    const contenders = CACHES.map((size) => {
      const db = new Database(file, { readonly: true });
      db.pragma(`cache_size = ${size}`);
      const live = db.prepare('select expires_at from sessions where id = ? and user_id = ? and revoked_at is null and expires_at > ?');
      const byId = db.prepare('select * from users where id = ?');
      let i = 0;
      return {
        name: `cache_size ${size} (~${Math.round(-size / 1000)} MB)`,
        run: (n: number) => {
          for (let k = 0; k < n; k++) {
            // A session picked at random each time: the requests of many users interleaved.
            const [sid, uid] = sessions[(Math.random() * sessions.length) | 0]!.split(' ') as [string, string];
            if (!live.get(sid, uid, now) || !byId.get(uid)) throw new Error('not found');
            i++;
          }
        },
      };
    });
    print(`live session + its user, ${users.toLocaleString('en')} users and sessions (${(statSync(file).size / 2 ** 20).toFixed(0)} MiB file), a random one each time`,
      await compare(contenders, { batch: 20_000 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
