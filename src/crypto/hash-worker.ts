// Runs in a worker thread: password hashing is CPU-bound, so it stays off the event loop and off libuv's
// thread pool (which WebCrypto uses for token signatures: logins must not queue token checks behind them).
import { parentPort } from 'node:worker_threads';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { hashSync, verifySync } from '@node-rs/argon2';
import { verifySync as bcryptVerifySync } from '@node-rs/bcrypt';
import type { HashJob, HashOutcome } from './hash-pool.ts';
import { verifyDerivedKey } from './legacy-hashes.ts';

/**
 * Run the hashes at a lower CPU priority than the event loop (nice 10): when every core is busy hashing logins,
 * the thread that answers requests (token checks, /users/me) still gets the CPU first. Linux only; elsewhere, or
 * if not permitted, hashing simply runs at normal priority.
 */
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid)) setPriority(tid, 10);
} catch { /* not Linux, or not allowed */ }

// The pool hands over one or more jobs at a time (see BATCH in hash-pool.ts); they are answered together.
parentPort!.on('message', (jobs: HashJob[]) => {
  parentPort!.postMessage(jobs.map(run));
});

function run(job: HashJob): HashOutcome {
  try {
    let result: string | boolean;
    switch (job.op) {
      case 'argon2-hash':
        result = hashSync(job.password, { memoryCost: job.params.memoryCost, timeCost: job.params.timeCost, parallelism: job.params.parallelism });
        break;
      case 'argon2-verify':
        result = verifyOrFalse(() => verifySync(job.hash, job.password));
        break;
      case 'bcrypt-verify':
        result = verifyOrFalse(() => bcryptVerifySync(job.password, job.hash));
        break;
      case 'derived-key-verify':
        result = verifyOrFalse(() => verifyDerivedKey(job.hash, job.password));
        break;
    }
    return { result };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** A stored hash that cannot be decoded (truncated, edited by hand) matches no password; it is not a server error. */
function verifyOrFalse(verify: () => boolean): boolean {
  try {
    return verify();
  } catch {
    return false;
  }
}
