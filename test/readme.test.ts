import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VARIABLES } from '../src/config/variables.ts';
import { createGatehouse } from '../src/gatehouse.ts';
import { testConfig } from './support/harness.ts';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const section = (title: string) => readme.split(`\n## ${title}\n`)[1]!.split('\n## ')[0]!;

test('README\'s configuration table lists every variable, with its default and meaning', () => {
  const rows = new Map([...section('Configuration').matchAll(/^\| `(\w+)` \| (.+?) \| (.+) \|$/gm)].map((m) => [m[1], [m[2], m[3]]]));
  assert.deepEqual([...rows.keys()], Object.keys(VARIABLES));
  for (const [name, v] of Object.entries(VARIABLES)) {
    const [def, doc] = rows.get(name)!;
    assert.equal(def, v.default === undefined ? '—' : v.default === '' ? '(empty)' : `\`${v.default}\``, name);
    assert.equal(doc, v.doc, name);
  }
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
