import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VARIABLES } from '../src/config/variables.ts';
import { createGatehouse } from '../src/gatehouse.ts';
import { testConfig } from './support/harness.ts';
import { configTable } from '../scripts/gen-docs.ts';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const section = (title: string) => readme.split(`\n## ${title}\n`)[1]!.split('\n## ')[0]!;

test('README\'s configuration table is the one generated from the code (npm run docs)', () => {
  assert.ok(readme.includes(`<!-- generated:config -->\n${configTable()}\n<!-- /generated:config -->`), 'run npm run docs');
  for (const name of Object.keys(VARIABLES)) assert.ok(section('Configuration').includes(`| \`${name}\` |`), name);
});

test('README\'s API table lists every route of the OpenAPI document', async () => {
  const g = await createGatehouse(testConfig('sqlite://:memory:'));
  try {
    const spec = (await g.app.inject('/openapi.json')).json();
    const api = section('API');
    for (const [path, ops] of Object.entries(spec.paths as Record<string, object>)) {
      for (const method of Object.keys(ops)) assert.ok(api.includes(`\`${method.toUpperCase()} ${path}`), `${method.toUpperCase()} ${path} is not in README`);
    }
  } finally {
    await g.close();
  }
});
