// Gatehouse plus the clothes routes, in one process. Same settings as `gatehouse serve` (environment, .env).
// Run from the repository root:  . scripts/node24.sh && node examples/clothes/main.ts
import { createGatehouse, loadConfig } from 'gatehouse';
import { clothesRoutes } from './app.ts';

const config = loadConfig();
const g = await createGatehouse(config, { plugins: [clothesRoutes] });
await g.app.listen({ host: config.host, port: config.port });
g.logger.info({ url: config.publicUrl, docs: `${config.publicUrl}/docs` }, 'clothes example is serving');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    g.close().then(() => process.exit(0), (err) => {
      g.logger.error({ err }, 'error while stopping');
      process.exit(1);
    });
  });
}
