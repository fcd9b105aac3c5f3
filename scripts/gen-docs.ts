// Rewrites the generated tables in README.md (configuration) and docs/errors.md (error codes) from the code.
// Run `npm run docs` after changing src/config/variables.ts or src/errors.ts; the tests fail until you do.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VARIABLES } from '../src/config/variables.ts';
import { ERRORS } from '../src/errors.ts';

const root = join(import.meta.dirname, '..');

export const configTable = (): string => ['| variable | default | meaning |', '|---|---|---|',
  ...Object.entries(VARIABLES).map(([n, v]) => `| \`${n}\` | ${v.default === undefined ? '—' : v.default === '' ? '(empty)' : `\`${v.default}\``} | ${v.doc} |`)].join('\n');

export const errorsTable = (): string => ['| code | status | meaning |', '|---|---|---|',
  ...Object.entries(ERRORS).map(([c, e]) => `| \`${c}\` | ${e.status} | ${e.message} |`)].join('\n');

/** Replaces what stands between <!-- generated:NAME --> and <!-- /generated:NAME -->. */
export function fill(text: string, name: string, content: string): string {
  const re = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(\\n<!-- /generated:${name} -->)`);
  if (!re.test(text)) throw new Error(`no generated:${name} markers`);
  return text.replace(re, (_m, open: string, close: string) => `${open}${content}${close}`);
}

if (import.meta.main) {
  const readme = join(root, 'README.md');
  writeFileSync(readme, fill(readFileSync(readme, 'utf8'), 'config', configTable()));
  const errors = join(root, 'docs', 'errors.md');
  writeFileSync(errors, fill(readFileSync(errors, 'utf8'), 'errors', errorsTable()));
  console.log('README.md and docs/errors.md updated');
}
