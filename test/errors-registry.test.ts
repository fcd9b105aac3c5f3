import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERRORS } from '../src/errors.ts';
import { createGatehouse, type Gatehouse } from '../src/gatehouse.ts';
import { testConfig } from './support/harness.ts';
import { errorsTable } from '../scripts/gen-docs.ts';

const root = join(import.meta.dirname, '..');
let g: Gatehouse;
let spec: { info: { description: string }; paths: Record<string, Record<string, { responses: Record<string, { content?: { 'application/json': { schema: unknown } } }> }>> };

before(async () => {
  g = await createGatehouse(testConfig('sqlite://:memory:'));
  spec = (await g.app.inject('/openapi.json')).json();
});
after(() => g.close());

/** Every error code an OpenAPI response schema names, with the status it is documented under. */
function documentedCodes(): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  const walk = (node: unknown, status: number) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, status));
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (typeof o.const === 'string') out.set(o.const, (out.get(o.const) ?? new Set()).add(status));
    if (Array.isArray(o.enum)) for (const e of o.enum) if (typeof e === 'string') out.set(e, (out.get(e) ?? new Set()).add(status));
    Object.values(o).forEach((v) => walk(v, status));
  };
  for (const ops of Object.values(spec.paths)) {
    for (const op of Object.values(ops)) {
      for (const [status, res] of Object.entries(op.responses ?? {})) {
        if (Number(status) >= 400 && Number(status) !== 422) walk(res.content?.['application/json']?.schema, Number(status));
      }
    }
  }
  return out;
}

test('docs/errors.md lists exactly the registry: every code with its status and meaning', () => {
  const md = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
  assert.ok(md.includes(`<!-- generated:errors -->\n${errorsTable()}\n<!-- /generated:errors -->`), 'run npm run docs');
  const rows = [...md.matchAll(/^\| `([^`]+)` \| (\d{3}) \| (.+) \|$/gm)].map((m) => m[1]);
  assert.deepEqual(rows, Object.keys(ERRORS));
});

test('every code the OpenAPI document names is in the registry, under the registry\'s status', () => {
  for (const [code, statuses] of documentedCodes()) {
    assert.ok(Object.hasOwn(ERRORS, code), `${code} is documented but not in the registry`);
    assert.deepEqual([...statuses], [ERRORS[code as keyof typeof ERRORS].status], code);
  }
});

test('every registry code is documented: on the routes that answer it, or (global ones) in the description', () => {
  const documented = documentedCodes();
  for (const [code, e] of Object.entries(ERRORS)) {
    if ('global' in e) assert.ok(spec.info.description.includes(`\`${code}\` (${e.status})`), `${code} missing from the description`);
    else assert.ok(documented.has(code), `${code} is in the registry but no route documents it`);
  }
});

test('every route with a body documents 422, and every secured route documents 401', () => {
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops) as [string, { requestBody?: unknown; security?: unknown; responses: Record<string, unknown> }][]) {
      if (op.requestBody) assert.ok(op.responses['422'], `${method} ${path} lacks 422`);
      if (op.security) assert.ok(op.responses['401'], `${method} ${path} lacks 401`);
    }
  }
});
