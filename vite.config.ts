/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { serviceWorkerPlugin } from './scripts/service-worker.mjs';

export default defineConfig({
  plugins: [serviceWorkerPlugin()],
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
