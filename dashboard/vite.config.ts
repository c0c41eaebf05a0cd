import react from '@vitejs/plugin-react';
import { defineConfig, loadEnv } from 'vite';

// The collector serves dist/ at / (index.html fallback for client routes). During `pnpm dev`,
// /api is proxied to the collector named by VITE_DEV_COLLECTOR (default http://127.0.0.1:8080).
export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, import.meta.dirname, 'VITE_');
  return {
    plugins: [react()],
    // One bundle (~230 kB gzip, the budget is 400 kB): fewer requests beat splitting here.
    build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1000 },
    server: { proxy: { '/api': env['VITE_DEV_COLLECTOR'] ?? 'http://127.0.0.1:8080' } },
  };
});
