// Packages a benchmark measures Gatehouse against (Better Auth, the libraries of bench/micro/) live in a folder of
// their own with its package.json and package-lock.json: installed there on first use or when those changed, never
// by CI and never into the repository's own node_modules.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Digest of what decides the install: when it differs from the stamp written after the last install, reinstall. */
function manifestDigest(dir: string): string {
  const h = createHash('sha256');
  for (const f of ['package.json', 'package-lock.json']) {
    const path = join(dir, f);
    h.update(f).update(existsSync(path) ? readFileSync(path) : '');
  }
  return h.digest('hex');
}

/** `npm ci` in `dir` when its node_modules is missing or stale. Throws if npm fails. */
export function installPeer(dir: string, what: string, say: (line: string) => void): void {
  const stamp = join(dir, 'node_modules', '.gatehouse-bench-stamp');
  const digest = manifestDigest(dir);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return;
  const locked = existsSync(join(dir, 'package-lock.json'));
  const args = locked ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  say(`installing ${what}: npm ${args.join(' ')} in ${dir}`);
  const r = spawnSync('npm', args, { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`npm ${args[0]} in ${dir} failed (${r.error?.message ?? `exit ${r.status}`})`);
  writeFileSync(stamp, digest);
}

/** The installed version of a package in `dir`, for a report. */
export function peerVersion(dir: string, name: string): string {
  return (JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}
