import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { normalizeEmail } from '../../model/email.ts';
import { lookupKey } from '../../model/user.ts';

/** Users read and rewritten per transaction. */
const BATCH = 500;

/**
 * Stores every existing address in the form the one email rule (model/email.ts) gives new ones: the domain
 * lower-cased in its one Unicode spelling (an address kept as `a@XN--MNCHEN-3YA.de` becomes `a@münchen.de`), so that
 * login, the mail queue and the uniqueness check find it by the key they now compute. Computed in TypeScript, never with
 * SQL lower() (SQLite's folds ASCII only). An address the rule refuses, or whose new key another user already holds
 * (two accounts for one mailbox, possible before), is left exactly as it was: nothing is merged or lost.
 * One transaction per batch; the migration itself is re-runnable (an address already in its form is not touched).
 */
export function normalizeEmails(): Migration {
  return {
    async up(db: Kysely<any>) {
      for (let after: string | undefined; ;) {
        const rows: { id: string; email: string; email_key: string }[] = await db.selectFrom('users')
          .select(['id', 'email', 'email_key']).$if(after !== undefined, (q) => q.where('id', '>', after!))
          .orderBy('id').limit(BATCH).execute();
        if (rows.length === 0) return;
        after = rows.at(-1)!.id;
        await db.transaction().execute(async (trx) => {
          for (const row of rows) {
            const n = normalizeEmail(row.email);
            if (!n.ok) continue;
            const key = lookupKey(n.email);
            if (n.email === row.email && key === row.email_key) continue;
            const taken = key !== row.email_key
              && await trx.selectFrom('users').select('id').where('email_key', '=', key).where('id', '<>', row.id).executeTakeFirst();
            if (taken) continue;
            await trx.updateTable('users').set({ email: n.email, email_key: key }).where('id', '=', row.id).execute();
          }
        });
      }
    },
    // Nothing to undo: the old spellings were one address each, and the new ones stay valid on the earlier versions.
    async down() {},
  };
}
