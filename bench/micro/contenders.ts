// The libraries bench/micro/ measures Gatehouse's own parts against, from bench/micro/contenders/ (its own
// package.json and lock, installed there on first use: lib/install-peer.ts). They are not the product's
// dependencies, so they load by path, and each benchmark states the little of their API it uses.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { installPeer, peerVersion } from '../lib/install-peer.ts';

const DIR = fileURLToPath(new URL('./contenders/', import.meta.url));

/** The module `name` from bench/micro/contenders/ (installed first if needed), and its version. */
export async function contender(name: string): Promise<{ module: unknown; version: string }> {
  installPeer(DIR, "bench/micro's contenders", (line) => console.log(line));
  const resolved = createRequire(`${DIR}package.json`).resolve(name);
  return { module: await import(pathToFileURL(resolved).href), version: peerVersion(DIR, name) };
}
