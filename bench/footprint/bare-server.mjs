// The floor of the footprint comparison: a bare `node:http` server (no framework, no dependency, and plain
// JavaScript, so that Node loads no TypeScript stripper either) that answers 200 to any GET. Run as its own process
// by start.ts: `node bench/footprint/bare-server.mjs` with HOST and PORT set.
import { createServer } from 'node:http';

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"status":"ok"}');
});
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => server.close(() => process.exit(0)));
