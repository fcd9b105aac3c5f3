// bench/micro/hash-pool.ts's task for piscina: the same argon2id call as src/crypto/hash-worker.ts, one job per task.
import { hashSync, verifySync } from '@node-rs/argon2';

export default function hashTask(job: { op: 'argon2-hash' | 'argon2-verify'; password: string; hash?: string; params?: { memoryCost: number; timeCost: number; parallelism: number } }): string | boolean {
  return job.op === 'argon2-hash' ? hashSync(job.password, job.params) : verifySync(job.hash!, job.password);
}
