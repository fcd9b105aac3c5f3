// The server's node flags (src/cli/node-flags.ts) are given where the built server is started for real: `npm start`
// and the image's entrypoint. A flag added to one and not the other would make the image and `npm start` differ.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { SERVER_NODE_FLAGS } from '../src/cli/node-flags.ts';

const root = new URL('../', import.meta.url);
const startScript = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: { start: string } }).scripts.start;
const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(new URL('Containerfile', root), 'utf8'))![1]!) as string[];

test('npm start runs the built server with the server\'s node flags, before the script', () => {
  assert.match(startScript, new RegExp(`\\bnode ${SERVER_NODE_FLAGS.join(' ')} dist/server/gatehouse\\.js serve\\b`));
});

test('the image\'s entrypoint runs node with the same flags, before the script', () => {
  assert.deepEqual(entrypoint, ['/usr/local/bin/node', ...SERVER_NODE_FLAGS, '/app/dist/server/gatehouse.js']);
});

test('this Node accepts every flag on its command line (a misspelt or retired V8 flag would stop the server)', () => {
  const r = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, '-e', 'process.exit(0)'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
});
