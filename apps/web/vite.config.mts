import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// The web workspace: static files in apps/web/dist, served by the api at `/`.
// Everything is bundled: no font, script or icon is loaded from outside (government intranets).
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    // `npx vite --config apps/web/vite.config.ts` for UI work against a running api on :3000.
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
