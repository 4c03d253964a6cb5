// Builds `<tab-swarm>` (src/element/index.ts) into one self-contained ES module for the app build, so
// that the app's server also serves /tabswarm-element.js beside /tabswarm-sw.js: the example page
// (public/embed.html) and the app's Embed page use it. The library build writes the same module to
// dist/ (vite.lib.config.ts, TABSWARM_LIB=tabswarm-element).
import { build } from 'vite';
import { fileURLToPath } from 'node:url';

export const ELEMENT_FILE = 'tabswarm-element.js';
const ENTRY = fileURLToPath(new URL('../src/element/index.ts', import.meta.url));

/** @returns {Promise<string>} the module's code */
export async function buildElement() {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    publicDir: false,
    build: {
      write: false,
      target: 'es2022',
      minify: true,
      sourcemap: false,
      lib: { entry: ENTRY, formats: ['es'], fileName: () => ELEMENT_FILE },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  const chunk = outputs.flatMap((o) => ('output' in o ? o.output : [])).find((o) => o.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('the element build produced no module');
  return chunk.code;
}

/** @returns {import('vite').Plugin} */
export function elementPlugin() {
  return {
    name: 'tabswarm-element',
    async generateBundle() {
      this.emitFile({ type: 'asset', fileName: ELEMENT_FILE, source: await buildElement() });
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if ((req.url ?? '').split('?')[0] !== `/${ELEMENT_FILE}`) return next();
        buildElement().then(
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
