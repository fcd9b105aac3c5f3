// The ceiling: a minimal Fastify app (no hooks, no schemas, no logger) answering GET / with {"hello":"world"}.
// Run as its own process by the benchmark: `node bench/main/hello.ts` with HOST and PORT in the environment.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));

await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) });
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => { app.close().then(() => process.exit(0), () => process.exit(1)); });
}
