// The typed client (client/) has one function per API route: its route table must match the server's OpenAPI
// document, so a new route without a client function, or a renamed one, fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGatehouse } from '../src/gatehouse.ts';
import { testConfig } from './support/harness.ts';
import { NOT_WRAPPED, ROUTES } from '../client/src/routes.ts';

test('every API route has a function in the typed client, and every client route exists', async () => {
  const g = await createGatehouse(testConfig('sqlite://:memory:', { GITHUB_CLIENT_ID: 'id', GITHUB_CLIENT_SECRET: 'secret' }));
  try {
    const spec = (await g.app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
    const server = new Set(Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
    const client = new Set<string>(Object.values(ROUTES).map(([method, path]) => `${method} ${path}`));
    const notWrapped = new Set<string>(NOT_WRAPPED);
    assert.deepEqual([...server].filter((r) => !client.has(r) && !notWrapped.has(r)), [], 'API routes without a client function');
    assert.deepEqual([...client].filter((r) => !server.has(r)), [], 'client functions for routes the server does not have');
  } finally {
    await g.close();
  }
});
