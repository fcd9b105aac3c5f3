import type { Config } from '../config/config.ts';
import { createKeyRing } from '../gatehouse.ts';
import { StoredKeyRing } from '../auth/keys/key-ring.ts';
import { openDatabase } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { HELP } from './help.ts';

/** `gatehouse keys list | rotate`. */
export async function keys(config: Config, action: string | undefined): Promise<number> {
  if (action !== 'list' && action !== 'rotate') {
    console.error(HELP.keys);
    return 2;
  }
  const db = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(db);
    const ring = createKeyRing(config, db);
    if (!(ring instanceof StoredKeyRing)) {
      console.error(`gatehouse keys: JWT_ALGORITHM is ${config.jwt.algorithm}: tokens are signed with APP_SECRET, there are no keys to ${action}`);
      return 2;
    }
    if (action === 'rotate') console.log(`new signing key ${await ring.rotate()} (${ring.algorithm})`);
    const all = await ring.list();
    if (all.length === 0) console.log('no keys yet: "gatehouse serve" creates the first one at start (or run "gatehouse keys rotate")');
    for (const k of all) {
      console.log(`${k.kid}  ${k.alg.padEnd(5)}  created ${k.createdAt}  ${k.retiredAt === null ? 'signing' : `retired ${k.retiredAt}`}`);
    }
    return 0;
  } finally {
    await db.close();
  }
}
