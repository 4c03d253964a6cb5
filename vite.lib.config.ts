// Library builds: self-contained ES modules under dist/ (the app build goes to dist/app). Vite splits
// code shared by several entries into chunks, so each entry is built on its own:
// TABSWARM_LIB=core|tabswarm selects it (`npm run build:lib` builds all).
import { defineConfig } from 'vite';

const ENTRIES = {
  core: 'src/core/index.ts',
  tabswarm: 'src/client/index.ts',
} as const;

type Entry = keyof typeof ENTRIES;
const selected = (process.env.TABSWARM_LIB ?? 'core') as Entry;
if (!(selected in ENTRIES)) throw new Error(`TABSWARM_LIB must be one of ${Object.keys(ENTRIES).join(', ')}`);

export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: true,
    minify: false,
    lib: {
      entry: { [selected]: ENTRIES[selected] },
      formats: ['es'],
    },
  },
});
