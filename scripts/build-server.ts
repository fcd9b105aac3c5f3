// `npm run build:server`: the server that `npm start` and the container image run — dist/server/, built from src/ by
// rolldown (the bundler Vite already brings for the web app; pinned beside it in package.json).
//
// Why a build, when Node runs the TypeScript in src/ as it is (`npm run dev`, the tests, `npx gatehouse`): loading
// ~1,000 modules one by one is most of a cold start, and every module's source stays resident. One minified file per
// lazily loaded part measured, on this 2-core VM with bench/footprint (SQLite, defaults, medians of 3 starts):
// src/ 522 ms to the first 200 and 122.6 MiB idle; bundled 402 ms / 102 MiB; minified 297 ms / 98.8 MiB; the
// figures after the rest of issue #17's work are in bench/results/footprint.md. Nothing is transformed but types
// (erasable syntax only), so the built server runs the same code as src/.
//
// - Entries: src/bin.mjs (the `gatehouse` command, every subcommand) and the password-hashing thread, which
//   hash-pool.ts starts from the file beside it (hash-worker.js here, hash-worker.ts in src/). Each `import()` in
//   src/ (a subcommand, PostgreSQL's or Redis' code, mail, passkeys, TOTP, metrics) stays a chunk of its own, loaded
//   only when used. The chunks sit in dist/server/ itself: two folders below the project, like src/http/, so the
//   web app's files are found the same way (src/http/spa.ts).
// - Left to node_modules (the image keeps only these and their dependencies: RUNTIME_PACKAGES): native addons
//   (argon2, bcrypt; SQLite and pg are loaded by createRequire, which the bundler leaves alone, like typebox/compile,
//   prom-client and the password dictionary), and @fastify/swagger-ui, which serves files from its own folder.
// - ASCII output (non-ASCII characters escaped): V8 keeps a script's source for its lifetime, and one character
//   outside Latin-1 stores the whole file at two bytes per character. Comments are dropped, so the licences of the
//   bundled packages go to LICENSES.txt beside the code. Source maps are written (never loaded unless
//   NODE_OPTIONS=--enable-source-maps): a stack trace can then name src/ files and lines.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SERVER_DIST = join(ROOT, 'dist', 'server');

/** Packages never bundled: native addons, and a package that reads files next to itself at run time. */
const EXTERNAL_PACKAGES = ['@node-rs/argon2', '@node-rs/bcrypt', 'better-sqlite3', '@fastify/swagger-ui'];
/** Packages src/ loads with createRequire (the bundler leaves such calls alone); test/built-server.test.ts checks the list. */
const REQUIRED_AT_RUN_TIME = ['better-sqlite3', 'pg', 'typebox', 'prom-client', '@zxcvbn-ts/language-common'];
/**
 * Every package the built server loads from node_modules: the image ships these and what they depend on, and no other
 * (scripts/image/runtime-modules.ts).
 */
export const RUNTIME_PACKAGES: readonly string[] = [...new Set([...EXTERNAL_PACKAGES, ...REQUIRED_AT_RUN_TIME])];
/** pg's optional native binding, never installed: pg loads it only when asked to, so it is left as an import. */
const EXTERNAL = [...EXTERNAL_PACKAGES.map((p) => new RegExp(`^${p.replace(/[/.]/g, '\\$&')}(/|$)`)), /^pg-native$/];

export interface BuiltChunk {
  fileName: string;
  /** Chunks this one imports statically (loaded with it) and by import() (loaded when that code runs). */
  imports: string[];
  dynamicImports: string[];
  /** The source files and packages' files bundled into it. */
  moduleIds: string[];
}

export interface BuiltServer {
  /** The entry to run: `node <entry> serve`. */
  entry: string;
  /** The files written, relative to the output folder. */
  files: string[];
  chunks: BuiltChunk[];
}

/** Builds the server into `outDir` (default dist/server/, emptied first). */
export async function buildServer(outDir = SERVER_DIST): Promise<BuiltServer> {
  const { build } = await import('rolldown');
  rmSync(outDir, { recursive: true, force: true });
  const licences = new Map<string, string>();
  const output = await build({
    cwd: ROOT,
    input: { gatehouse: join(ROOT, 'src/bin.mjs'), 'hash-worker': join(ROOT, 'src/crypto/hash-worker.ts') },
    platform: 'node',
    external: EXTERNAL,
    logLevel: 'warn',
    plugins: [{
      name: 'gatehouse-licences',
      generateBundle(_options, bundle) {
        for (const file of Object.values(bundle)) {
          if (file.type === 'chunk') for (const id of file.moduleIds) notePackage(id, licences);
        }
      },
    }],
    output: {
      dir: outDir,
      format: 'esm',
      entryFileNames: '[name].js',
      chunkFileNames: '[name]-[hash].js',
      minify: true,
      charset: 'ascii',
      comments: false,
      sourcemap: true,
    },
  });
  writeFileSync(join(outDir, 'LICENSES.txt'), licenceText(licences));
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  const files = output.output.map((o) => o.fileName);
  const chunks = output.output.flatMap((o) => o.type === 'chunk'
    ? [{ fileName: o.fileName, imports: o.imports, dynamicImports: o.dynamicImports, moduleIds: o.moduleIds }] : []);
  return { entry: join(outDir, 'gatehouse.js'), files: [...files, 'LICENSES.txt', 'package.json'], chunks };
}

/** Records the licence of the npm package a bundled module belongs to (the nearest package.json under node_modules). */
function notePackage(id: string, licences: Map<string, string>): void {
  const at = id.lastIndexOf('/node_modules/');
  if (at < 0) return;
  const rest = id.slice(at + '/node_modules/'.length).split('/');
  const pkgDir = id.slice(0, at + '/node_modules/'.length) + rest.slice(0, rest[0]!.startsWith('@') ? 2 : 1).join('/');
  if (licences.has(pkgDir)) return;
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
  const file = readdirSync(pkgDir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = file ? readFileSync(join(pkgDir, file), 'utf8').trim() : `(no licence file in the package; package.json says ${pkg.license ?? 'nothing'})`;
  licences.set(pkgDir, `${pkg.name}@${pkg.version} (${pkg.license ?? 'see below'})\n\n${text}`);
}

function licenceText(licences: Map<string, string>): string {
  const entries = [...licences.values()].sort();
  return `Gatehouse's built server (dist/server/) includes code from these npm packages, under these licences.\n\n`
    + entries.map((e) => `${'='.repeat(80)}\n${e}\n`).join('\n');
}

if (import.meta.main) {
  const started = performance.now();
  const built = await buildServer();
  const size = built.files.filter((f) => f.endsWith('.js')).reduce((n, f) => n + readFileSync(join(SERVER_DIST, f)).length, 0);
  console.log(`server built: ${relative(ROOT, dirname(built.entry))}/ (${built.files.filter((f) => f.endsWith('.js')).length} files, ${(size / 1024).toFixed(0)} KiB of JavaScript) in ${Math.round(performance.now() - started)} ms`);
  if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) console.log('(the web app is not built: npm run build:web)');
}
