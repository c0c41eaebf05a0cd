import react from '@vitejs/plugin-react';
import { defineConfig, loadEnv } from 'vite';

// The collector serves dist/ at / (index.html fallback for client routes). During `pnpm dev`,
// /api is proxied to the collector named by VITE_DEV_COLLECTOR (default http://127.0.0.1:8080).
export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, import.meta.dirname, 'VITE_');
  return {
    plugins: [
      react(),
      {
        // The entry prefetches the opened page's API answers (src/app/start.ts) only when the API is
        // on the dashboard's own origin: VITE_API_BASE empty, as when the collector serves dist/.
        name: 'renderwatch-api-origin',
        transformIndexHtml: () =>
          (env['VITE_API_BASE'] ?? '') === '' ? [{ tag: 'meta', attrs: { name: 'renderwatch-api', content: 'same-origin' }, injectTo: 'head' }] : [],
      },
    ],
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      chunkSizeWarningLimit: 1000,
      // @renderwatch/schema's modules only define zod schemas (a module-level call is not a side
      // effect): a page chunk then carries the schemas of its own API answers, not the entry.
      rolldownOptions: { treeshake: { moduleSideEffects: (id: string) => !/[\\/]schema[\\/]src[\\/]/.test(id) } },
    },
    server: { proxy: { '/api': env['VITE_DEV_COLLECTOR'] ?? 'http://127.0.0.1:8080' } },
  };
});
