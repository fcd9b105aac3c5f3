// Writes deploy/helm/gatehouse/README.md's values table from values.yaml: each key with a `# -- description`
// comment above it becomes a row (key, default, description). `--check` writes nothing and exits 1 when the README
// is out of date (test/deploy/chart.test.ts runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const chart = join(import.meta.dirname, '..', 'deploy', 'helm', 'gatehouse');
const START = '<!-- generated:values -->';
const END = '<!-- /generated:values -->';

export function valuesTable(valuesYaml: string): string {
  const values = parse(valuesYaml) as Record<string, unknown>;
  const rows: string[] = [];
  const stack: { indent: number; key: string }[] = [];
  let doc: string[] = [];
  for (const line of valuesYaml.split('\n')) {
    const comment = /^\s*# -- (.*)$/.exec(line);
    if (comment) { doc = [comment[1]!]; continue; }
    const more = /^\s*#\s+(.*)$/.exec(line);
    if (more && doc.length) { doc.push(more[1]!); continue; }
    const key = /^(\s*)([A-Za-z0-9_]+):/.exec(line);
    if (!key) { if (!/^\s*-/.test(line)) doc = []; continue; }
    const indent = key[1]!.length;
    while (stack.length && stack.at(-1)!.indent >= indent) stack.pop();
    stack.push({ indent, key: key[2]! });
    if (!doc.length) continue;
    const path = stack.map((s) => s.key);
    const value = path.reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], values);
    rows.push(`| \`${path.join('.')}\` | \`${JSON.stringify(value).replaceAll('|', '\\|')}\` | ${doc.join(' ').replaceAll('|', '\\|')} |`);
    doc = [];
  }
  return ['| key | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

export function renderReadme(readme: string, valuesYaml: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md needs the markers ${START} … ${END}`);
  return `${readme.slice(0, a + START.length)}\n${valuesTable(valuesYaml)}\n${readme.slice(b)}`;
}

if (import.meta.main) {
  const file = join(chart, 'README.md');
  const before = readFileSync(file, 'utf8');
  const after = renderReadme(before, readFileSync(join(chart, 'values.yaml'), 'utf8'));
  if (process.argv.includes('--check')) {
    if (after !== before) { console.error('deploy/helm/gatehouse/README.md is out of date: run node scripts/chart-readme.ts'); process.exit(1); }
  } else if (after !== before) {
    writeFileSync(file, after);
    console.log('wrote deploy/helm/gatehouse/README.md');
  }
}
