// `node bench/main/loadgen-cost.ts`: what the load generator itself costs the login rate on a machine it shares with the
// server. Logins at 50 connections, alternately from autocannon (lib/load.ts: the headline rows of `npm run bench`) and
// from the lean phase client (lib/phase-load.ts: the argon2id comparison), PAIRS times 4 s each, against one server.
// Prints each pair, the mean ratio, and each generator's own CPU. Nothing is written. (Measured 2026-11-30: −9.3 %
// while autocannon's warm-up left its last logins to be hashed inside the measured run; −1.7 % once lib/load.ts waited
// for the server to go quiet in between — within this host's noise, ±13 % per pair.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatehouse } from '../lib/gatehouse.ts';
import { freePort } from '../lib/server.ts';
import { createUser } from '../lib/fixtures.ts';
import { runLoad } from '../lib/load.ts';
import { startPhaseLoad } from '../lib/phase-load.ts';
import { settle } from '../lib/cpu.ts';
import { runBench } from '../lib/main.ts';

const HOST = '127.0.0.1';
const PAIRS = 5;
const SECONDS = 4;

runBench('loadgen-cost', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-loadgen-'));
  const port = await freePort(HOST);
  const { server } = await startGatehouse(dir, HOST, port);
  try {
    const user = await createUser(server.origin, 'login@bench.example.com', 'bench password, long enough');
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const body = new URLSearchParams({ username: user.email, password: user.password }).toString();
    const lean = await startPhaseLoad({ host: HOST, port, connections: 50, request: { method: 'POST', path: '/auth/jwt/login', headers, body }, timeoutMs: 10_000 });
    try {
      await lean.run(2, 0.1);
      const ratios: number[] = [];
      for (let i = 0; i < PAIRS; i++) {
        await settle(server.pid);
        const a = await runLoad({ title: 'autocannon', origin: server.origin, serverPid: server.pid, path: '/auth/jwt/login', method: 'POST', headers, body, connections: 50, duration: SECONDS, warmup: 1 });
        await settle(server.pid);
        const p = await lean.run(1, SECONDS);
        ratios.push(a.rps / p.rps);
        console.log(`pair ${i + 1}: autocannon ${a.rps.toFixed(1)} logins/s (its CPU ${a.cpu.load}%, ${a.errors + a.timeouts + a.non2xx} failed), `
          + `lean client ${p.rps.toFixed(1)} logins/s (its CPU ${p.cpuPercent}%, ${p.errors + p.timeouts + p.non2xx} failed)`);
      }
      const mean = ratios.reduce((x, y) => x + y, 0) / ratios.length;
      const pct = (r: number) => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(1)} %`;
      console.log(`autocannon's login rate against the lean client's: ${pct(mean)} (mean of ${PAIRS} pairs; per pair ${ratios.map(pct).join(', ')})`);
    } finally {
      lean.close();
    }
    return 0;
  } finally {
    await server.stop(12_000);
    rmSync(dir, { recursive: true, force: true });
  }
});
