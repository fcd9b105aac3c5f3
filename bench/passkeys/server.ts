// The server under test for bench/passkeys/run.ts: Gatehouse on a SQLite file with production settings (OWASP
// argon2id parameters, rate limits off), listening on the port it is given; answers its CPU time over IPC.
import { loadConfig } from '../../src/config/config.ts';
import { createGatehouse } from '../../src/gatehouse.ts';

const [dbFile, port] = [process.argv[2]!, Number(process.argv[3])];
const origin = `http://127.0.0.1:${port}`;
const config = loadConfig({
  ...process.env, NODE_ENV: 'production', PUBLIC_URL: origin, HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: `sqlite:///${dbFile}`,
  APP_SECRET: process.env.APP_SECRET ?? 'bench-passkeys-0123456789abcdef0123456789abcdef', RATE_LIMITS: 'false', LOG_LEVEL: 'warn',
  MAIL_FOLDER: `${dbFile}.mail`,
}, { dotenv: false });
const g = await createGatehouse(config, { mailWorker: false });
await g.app.listen({ host: '127.0.0.1', port });
// process.cpuUsage() covers every thread of the process: the argon2id workers included.
process.on('message', (m) => {
  if (m === 'cpu') { const u = process.cpuUsage(); process.send!({ cpu: (u.user + u.system) / 1e6 }); }
  if (m === 'stop') void g.close().then(() => process.exit(0));
});
process.send!({ ready: origin });
