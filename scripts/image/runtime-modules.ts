// `node scripts/image/runtime-modules.ts <dir>`: copies into <dir> (a node_modules folder) the packages the built
// server loads at run time (RUNTIME_PACKAGES in scripts/build-server.ts) and every package they depend on, resolved
// the way Node resolves them from the project's node_modules, each at its path there (nested copies too). The image
// ships this instead of every production dependency: the rest is bundled into dist/server/. Missing required
// dependencies fail it; optional ones that are not installed (other platforms' binaries) are skipped.
// `--check <dir>` then loads each of RUNTIME_PACKAGES from there (the Containerfile runs it after trimming).
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT, RUNTIME_PACKAGES } from '../build-server.ts';

interface Manifest { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; peerDependencies?: Record<string, string> }

/** The folder `name` resolves to from a package at `from` (its node_modules, then each parent's), or undefined. */
function resolvePackage(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === ROOT || dir === dirname(dir)) return undefined;
  }
}

/** The package folders (relative to the project) that `roots` need at run time. */
export function runtimeClosure(roots: readonly string[] = RUNTIME_PACKAGES): string[] {
  const seen = new Set<string>();
  const visit = (dir: string) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const m = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
    const optional = new Set([...Object.keys(m.optionalDependencies ?? {}), ...Object.keys(m.peerDependencies ?? {})]);
    for (const dep of new Set([...Object.keys(m.dependencies ?? {}), ...optional])) {
      const found = resolvePackage(dep, dir);
      if (found) visit(found);
      else if (!optional.has(dep)) throw new Error(`${relative(ROOT, dir)} needs ${dep}, which is not installed`);
    }
  };
  for (const name of roots) {
    const dir = resolvePackage(name, ROOT);
    if (!dir) throw new Error(`${name} (RUNTIME_PACKAGES) is not installed: run npm ci`);
    visit(dir);
  }
  return [...seen].map((d) => relative(ROOT, d)).sort();
}

/** Copies runtimeClosure() into `target` (a node_modules folder), each package at its path; answers the packages. */
export function copyRuntimeModules(target: string): string[] {
  const packages = runtimeClosure();
  for (const p of packages) {
    // node_modules/a/node_modules/b → <target>/a/node_modules/b; a package's own nested node_modules come with their
    // own entry, so each copy leaves them out.
    cpSync(join(ROOT, p), resolve(target, relative('node_modules', p)), { recursive: true, filter: (src) => !relative(join(ROOT, p), src).startsWith('node_modules') });
  }
  return packages;
}

/**
 * Loads every runtime package from `target` as the built server would (SQLite's binary included, by opening a
 * database in memory): a dependency the copy missed fails here, at build time, not at a user's first login.
 */
export function checkRuntimeModules(target: string): void {
  const load = createRequire(join(resolve(target), '..', 'gatehouse-check.js'));
  for (const name of RUNTIME_PACKAGES) {
    const m = load(name) as unknown;
    if (name === 'better-sqlite3') new (m as typeof import('better-sqlite3'))(':memory:').close();
  }
}

if (import.meta.main) {
  const [check, target] = process.argv[2] === '--check' ? [true, process.argv[3]] : [false, process.argv[2]];
  if (!target) throw new Error('usage: node scripts/image/runtime-modules.ts [--check] <node_modules folder>');
  if (check) {
    checkRuntimeModules(target);
    console.log(`runtime-modules: ${RUNTIME_PACKAGES.join(', ')} load from ${target}`);
  } else {
    console.log(`runtime-modules: ${copyRuntimeModules(target).length} packages into ${target}`);
  }
}
