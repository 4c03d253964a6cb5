// ESLint: typescript-eslint's strict type-checked rules on every TypeScript file, and the layering
// rules that keep the architecture honest (see README, Architecture):
// - src/core imports nothing outside src/core: no package, no DOM-side module (it runs in Node and
//   in browsers, and is type-checked without the DOM library as well: tsconfig.core.json);
// - the library (src/client), the element (src/element), the service worker (src/sw), the transport
//   and the store never import the app (src/app): shared helpers live below them all.
// test/lint/layering.test.ts shows these rules failing on code that breaks them.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** Zones for import-x/no-restricted-paths: who may not import from where. */
export const LAYERS = [
  { target: './src/core', from: './src', except: ['./core'], message: 'src/core imports nothing outside src/core.' },
  ...['client', 'element', 'sw', 'transport', 'store', 'tracker', 'sim'].map((dir) => ({
    target: `./src/${dir}`,
    from: './src/app',
    message: `src/${dir} must not import the app: move what both need below them.`,
  })),
];

export default tseslint.config(
  // src/core/globals.d.ts declares the few platform globals the core uses, for tsconfig.core.json
  // alone (it clashes with the DOM types of tsconfig.json), so no project can lint it with types.
  { ignores: ['dist/', 'node_modules/', '.vite/', 'coverage/', '**/*.js', '**/*.mjs', 'src/core/globals.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    // Resolves `./x.js` to `./x.ts` as TypeScript does, so that the layering zones see every import.
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: LAYERS }],
      // Numbers and booleans in messages read well; objects do not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // Deliberate: `return this.drop(...)` ends a void handler; `void promise` marks fire-and-forget work.
      '@typescript-eslint/no-confusing-void-expression': [
        'error',
        { ignoreArrowShorthand: true, ignoreVoidOperator: true, ignoreVoidReturningFunctions: true },
      ],
      // With noUncheckedIndexedAccess every `a[i]` is `T | undefined`; `a[i]!` where the index is known
      // to be in range is the project's idiom (the alternative, a check that cannot fail, hides intent).
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // An async method that implements a promise-returning interface turns a throw into a rejection.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      // Bare module specifiers (packages) are outside src/core too; the exceptions are @noble/hashes and
      // @noble/ciphers (pure JavaScript, no dependencies, no platform API: they run anywhere the core
      // does), the SHA-1 and AES of pages without SubtleCrypto (sha1.ts, private/cipher.ts).
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!@noble/(hashes|ciphers)/)[^.]',
              message: 'src/core imports no package (but @noble/hashes and @noble/ciphers): it runs anywhere as it is.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests may poke at what they test.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-empty-function': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Test beds are set up in beforeAll and torn down with `?.` in afterAll: after a failed set-up
      // they are undefined whatever their declared type says.
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
);
