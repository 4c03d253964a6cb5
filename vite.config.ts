/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { elementPlugin, serviceWorkerPlugin } from './scripts/bundled-assets.mjs';
import { securityHeaders } from './scripts/security-headers.mjs';

export default defineConfig({
  // The service worker and <tab-swarm> (for public/embed.html), beside index.html.
  plugins: [serviceWorkerPlugin(), elementPlugin()],
  build: {
    outDir: 'dist/app',
    target: 'es2022',
  },
  // What `npm start` (and `vite preview`) serve the build with: index.html's policy as a header, with
  // frame-ancestors 'none', nosniff and no-referrer (scripts/security-headers.mjs).
  preview: {
    headers: securityHeaders(new URL('./index.html', import.meta.url)),
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    setupFiles: ['./test/setup-equality.ts'],
    reporters: ['default', './test/browser-time-reporter.ts'],
  },
});
