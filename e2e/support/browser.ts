// What every browser test needs: Debian's Chromium (Playwright cannot download one here), a free loopback port,
// and a Gatehouse listening on it with PUBLIC_URL naming that port.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createGatehouse, type Gatehouse } from '../../src/gatehouse.ts';
import { testConfig } from '../../test/support/harness.ts';
import { freePort } from '../../test/support/net.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

/**
 * `localhost: true` for passkeys: WebAuthn refuses an IP address as the relying party's ID, so such a test browses
 * http://localhost:<port> (a secure context, like 127.0.0.1), which this browser resolves to 127.0.0.1 only.
 */
export function launchBrowser(opts: { localhost?: boolean } = {}): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const args = opts.localhost ? [...CHROMIUM_ARGS, '--host-resolver-rules=MAP localhost 127.0.0.1'] : CHROMIUM_ARGS;
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

/**
 * Starts Gatehouse on 127.0.0.1 with PUBLIC_URL naming its real port; retries if the port was taken meanwhile.
 * `host: 'localhost'` names it http://localhost:<port> (passkeys need a domain; see launchBrowser).
 */
export async function startGatehouse(databaseUrl: string, env: Record<string, string> = {}, opts: { host?: 'localhost' } = {}): Promise<{ g: Gatehouse; origin: string }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const origin = `http://${opts.host ?? '127.0.0.1'}:${port}`;
    const g = await createGatehouse(testConfig(databaseUrl, { HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: origin, ...env }));
    try {
      await g.app.listen({ host: '127.0.0.1', port });
      return { g, origin };
    } catch (err) {
      await g.close();
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 3) throw err;
    }
  }
}
