/**
 * Polls `check` every `everyMs` until it holds or `ms` pass; returns how long it took, or Infinity. A check that
 * throws (a server not up yet, a refused connection) counts as "not yet".
 */
export async function within(ms: number, check: () => Promise<boolean>, everyMs = 25): Promise<number> {
  const start = Date.now();
  while (Date.now() - start <= ms) {
    if (await check().catch(() => false)) return Date.now() - start;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return Infinity;
}
