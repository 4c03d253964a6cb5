// Builds the service worker (src/sw/sw.ts) into one self-contained classic script, served at the app's
// root as /tabswarm-sw.js so that its scope covers the app. The app build emits it beside index.html
// (serviceWorkerPlugin, in vite.config.ts); the dev server builds it on request; the benchmark serves it
// beside the library bundle.
import { build } from 'vite';
import { fileURLToPath } from 'node:url';

export const SERVICE_WORKER_FILE = 'tabswarm-sw.js';
const ENTRY = fileURLToPath(new URL('../src/sw/sw.ts', import.meta.url));

/**
 * @param {{ minify?: boolean }} [options]
 * @returns {Promise<string>} the worker's code
 */
export async function buildServiceWorker(options = {}) {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    publicDir: false,
    build: {
      write: false,
      target: 'es2022',
      minify: options.minify ?? true,
      sourcemap: false,
      lib: { entry: ENTRY, formats: ['iife'], name: 'tabswarmServiceWorker', fileName: () => SERVICE_WORKER_FILE },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  const chunk = outputs.flatMap((o) => ('output' in o ? o.output : [])).find((o) => o.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('the service worker build produced no script');
  return chunk.code;
}

/** @returns {import('vite').Plugin} */
export function serviceWorkerPlugin() {
  return {
    name: 'tabswarm-service-worker',
    async generateBundle() {
      this.emitFile({ type: 'asset', fileName: SERVICE_WORKER_FILE, source: await buildServiceWorker() });
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if ((req.url ?? '').split('?')[0] !== `/${SERVICE_WORKER_FILE}`) return next();
        buildServiceWorker({ minify: false }).then(
          (code) => {
            res.setHeader('content-type', 'text/javascript; charset=utf-8');
            res.setHeader('cache-control', 'no-store');
            res.end(code);
          },
          (e) => next(e),
        );
      });
    },
  };
}
