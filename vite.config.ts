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
    // A test that fails is run once more. Browser tests drive real browsers, WebRTC and a tracker on
    // a 2-core machine running several of them at once; about one CI run in two saw one of ~1,300
    // tests fail at a connection that never formed, each time a different test, not reproduced in
    // dozens of runs alone or under load. The run still fails when a test fails twice, and every test
    // that passed only on its retry is listed at the end with its first error (test-reporter.ts).
    retry: 1,
    setupFiles: ['./test/setup-equality.ts'],
    reporters: ['default', './test/test-reporter.ts'],
  },
});
