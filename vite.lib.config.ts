// Library builds: self-contained ES modules under dist/ (the app build goes to dist/app). Vite splits
// code shared by several entries into chunks, so each entry is built on its own:
// TABSWARM_LIB=core|tabswarm|tabswarm-element selects it (`npm run build:lib` builds all). The
// element's build also writes the streaming service worker, tabswarm-sw.js, beside it.
import { defineConfig } from 'vite';
import { serviceWorkerPlugin } from './scripts/bundled-assets.mjs';

const ENTRIES = {
  core: 'src/core/index.ts',
  tabswarm: 'src/client/index.ts',
  'tabswarm-element': 'src/element/index.ts',
} as const;

type Entry = keyof typeof ENTRIES;
const selected = (process.env.TABSWARM_LIB ?? 'core') as Entry;
if (!(selected in ENTRIES)) throw new Error(`TABSWARM_LIB must be one of ${Object.keys(ENTRIES).join(', ')}`);

export default defineConfig({
  publicDir: false,
  plugins: selected === 'tabswarm-element' ? [serviceWorkerPlugin()] : [],
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: true,
    // The element is dropped into pages as it is: minified (the libraries are read by bundlers).
    minify: selected === 'tabswarm-element',
    lib: {
      entry: { [selected]: ENTRIES[selected] },
      formats: ['es'],
    },
    // One file per library, dynamic imports (the JavaScript cipher of private shares) included.
    rolldownOptions: { output: { codeSplitting: false } },
  },
});
