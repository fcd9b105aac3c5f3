// bench/results/latest.json: the last run, machine-readable. Written whole or not at all.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_FILE = fileURLToPath(new URL('../results/latest.json', import.meta.url));

export function writeResults(data: unknown, file = RESULTS_FILE): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = file.replace(/\.json$/, '.tmp.json'); // git-ignored
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`);
  renameSync(tmp, file);
}
