// Library build: self-contained ES modules under dist/ (the app build goes to dist/app).
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: true,
    minify: false,
    lib: {
      entry: { core: 'src/core/index.ts' },
      formats: ['es'],
    },
  },
});
