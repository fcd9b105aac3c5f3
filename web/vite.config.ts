import { fileURLToPath } from 'node:url';
import { loadEnv } from 'vite';
import { defineConfig, type Plugin } from 'vitest/config';
import react from '@vitejs/plugin-react';

const repo = fileURLToPath(new URL('..', import.meta.url));

/**
 * A Content-Security-Policy <meta> for the built page, for when it is hosted apart from Gatehouse (which also sends
 * the header itself, see src/http/spa.ts). Build only: Vite's dev server needs inline scripts.
 */
function contentSecurityPolicy(apiUrl: string | undefined): Plugin {
  const connect = ["'self'", ...(apiUrl ? [new URL(apiUrl).origin] : [])].join(' ');
  const policy = `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${connect}; `
    + "object-src 'none'; base-uri 'self'; form-action 'self'";
  return {
    name: 'gatehouse-csp',
    apply: 'build',
    transformIndexHtml: (html) => html.replace(/(<meta charset="[^"]*" \/>)/, `$1\n    <meta http-equiv="Content-Security-Policy" content="${policy}" />`),
  };
}

export default defineConfig(({ mode }) => ({
  plugins: [react(), contentSecurityPolicy(loadEnv(mode, fileURLToPath(new URL('.', import.meta.url)), 'VITE_').VITE_API_URL)],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  // Standalone development: `npm run dev:web` serves the SPA at http://127.0.0.1:5173; with VITE_API_URL pointing at
  // Gatehouse and CORS_ORIGINS=http://127.0.0.1:5173 on the server. Same host name on both: cookies are SameSite.
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  preview: { host: '127.0.0.1', port: 4173 },
  test: {
    dir: repo,
    include: ['client/src/**/*.test.ts', 'web/src/**/*.test.{ts,tsx}'],
    environment: 'node',
    isolate: false, // the tests share no state; one worker per file would only cost start-up time
  },
}));
