// Scripts built from one entry into one self-contained file and emitted as an asset of another build,
// so that they are served beside its pages; the dev server builds them on request.
// - tabswarm-sw.js, the streaming service worker (src/sw/sw.ts), a classic script served at the app's
//   root so that its scope covers the app (and beside dist/tabswarm-element.js in the library build);
// - tabswarm-element.js, <tab-swarm> (src/element/index.ts), beside the app for public/embed.html and
//   the app's Embed page (the library build writes the same module to dist/).
import { build } from 'vite';
import { fileURLToPath } from 'node:url';

/**
 * @typedef {{ name: string, entry: string, fileName: string, format: 'es' | 'iife', globalName?: string }} Asset
 */

/**
 * @param {Asset} asset
 * @param {boolean} minify
 * @returns {Promise<string>} the script's code
 */
async function buildAsset(asset, minify) {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    publicDir: false,
    build: {
      write: false,
      target: 'es2022',
      minify,
      sourcemap: false,
      lib: { entry: asset.entry, formats: [asset.format], name: asset.globalName, fileName: () => asset.fileName },
      // One file: dynamic imports (the JavaScript cipher of private shares) are inlined.
      rolldownOptions: { output: { codeSplitting: false } },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  const chunks = outputs.flatMap((o) => ('output' in o ? o.output : [])).filter((o) => o.type === 'chunk');
  const chunk = chunks[0];
  if (!chunk || chunk.type !== 'chunk') throw new Error(`the build of ${asset.fileName} produced no script`);
  if (chunks.length > 1) throw new Error(`the build of ${asset.fileName} produced ${chunks.length} scripts, not one`);
  return chunk.code;
}

/**
 * @param {Asset} asset
 * @returns {import('vite').Plugin}
 */
function bundledAssetPlugin(asset) {
  return {
    name: asset.name,
    async generateBundle() {
      this.emitFile({ type: 'asset', fileName: asset.fileName, source: await buildAsset(asset, true) });
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if ((req.url ?? '').split('?')[0] !== `/${asset.fileName}`) return next();
        buildAsset(asset, false).then(
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

const entry = (path) => fileURLToPath(new URL(path, import.meta.url));

/** @returns {import('vite').Plugin} */
export function serviceWorkerPlugin() {
  return bundledAssetPlugin({
    name: 'tabswarm-service-worker',
    entry: entry('../src/sw/sw.ts'),
    fileName: 'tabswarm-sw.js',
    format: 'iife',
    globalName: 'tabswarmServiceWorker',
  });
}

/** @returns {import('vite').Plugin} */
export function elementPlugin() {
  return bundledAssetPlugin({ name: 'tabswarm-element', entry: entry('../src/element/index.ts'), fileName: 'tabswarm-element.js', format: 'es' });
}
