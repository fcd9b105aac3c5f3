// `npm run bench:all`: every benchmark, one after the other on a quiet machine (~13 minutes), then
// bench/results/README.md, which gathers their markdown reports: the core bars, refresh/s, Gatehouse vs Better Auth
// on SQLite and PostgreSQL, the users-table scale curve, one instance vs two. The soak (10 min, `npm run bench:soak`)
// runs on its own. A suite that fails is reported and the others still run; the exit code says whether all ran.
// `npm run bench:all -- --gather` only rewrites README.md from the reports already there.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeMarkdown } from './lib/markdown.ts';

const SUITES = [
  ['run.ts', 'latest.md'],
  ['refresh/run.ts', 'refresh.md'],
  ['compare/run.ts', 'compare.md'],
  ['scale/run.ts', 'scale.md'],
  ['instances/run.ts', 'instances.md'],
] as const;
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

let failed = 0;
const suites = process.argv.includes('--gather') ? [] : SUITES;
for (const [script] of suites) {
  process.stdout.write(`\n=== ${script} (${new Date().toISOString()})\n`);
  const r = spawnSync(process.execPath, [here(`./${script}`)], { stdio: 'inherit' });
  if (r.status !== 0) { failed++; process.stderr.write(`bench:all: ${script} failed (${r.signal ?? `exit ${r.status}`})\n`); }
}
const parts = ['# Benchmark results', '', 'Written by `npm run bench:all`; each section is one suite\'s own report (and its JSON sits next to it).',
  'The soak is in [soak.md](soak.md).', ''];
for (const [, md] of SUITES) {
  const file = here(`./results/${md}`);
  if (existsSync(file)) parts.push(readFileSync(file, 'utf8').replace(/^(#+) /gm, '#$1 '), '');
}
writeMarkdown(here('./results/README.md'), parts.join('\n'));
process.stdout.write(`\nwritten: ${here('./results/README.md')}\n`);
process.exitCode = failed === 0 ? 0 : 1;
