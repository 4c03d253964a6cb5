/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { serviceWorkerPlugin } from './scripts/service-worker.mjs';
import { elementPlugin } from './scripts/element-bundle.mjs';

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
