/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { elementPlugin, serviceWorkerPlugin } from './scripts/bundled-assets.mjs';

export default defineConfig({
  // The service worker and <tab-swarm> (for public/embed.html), beside index.html.
  plugins: [serviceWorkerPlugin(), elementPlugin()],
  build: {
    outDir: 'dist/app',
    target: 'es2022',
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
