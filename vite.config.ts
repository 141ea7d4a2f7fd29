import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The renderer: one web app that runs inside Electron (loaded from disk or the app protocol, hence
 * relative `base`) and as the web softphone (served by scripts/lib/static-server.ts).
 */
export default defineConfig({
  root: 'renderer',
  base: './',
  publicDir: 'public',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // One bundle on purpose: the app is loaded from disk or loopback, and libphonenumber's full metadata
    // (shared/dial/dial-string.ts explains why 'max') is most of its size.
    chunkSizeWarningLimit: 1200,
  },
  server: { port: 15173, strictPort: false },
});
