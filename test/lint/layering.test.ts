/**
 * The layering rules of eslint.config.js fail on code that breaks them: src/core importing from
 * outside src/core or a package, and the library, element, worker, transport and store importing
 * the app. Linted as if the code stood at those paths, with only the layering rules on.
 */
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const ROOT = new URL('../..', import.meta.url).pathname;

async function layeringErrors(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: ROOT,
    // No type information for a file that is not on disk: only the layering rules run.
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    ruleFilter: ({ ruleId }) => ruleId === 'import-x/no-restricted-paths' || ruleId === 'no-restricted-imports',
  });
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${path}` });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layering rules', () => {
  it('src/core imports nothing from outside src/core, nor any package', async () => {
    const errors = await layeringErrors(
      'src/core/layering-fixture.ts',
      "import { Client } from '../client/index.js';\nimport { html } from 'lit';\nimport { BitField } from './wire/index.js';\nexport const x = [Client, html, BitField];\n",
    );
    expect(errors).toEqual([
      expect.stringMatching(/^import-x\/no-restricted-paths: .*"\.\.\/client\/index\.js".*src\/core imports nothing outside src\/core/),
      expect.stringMatching(/^no-restricted-imports: 'lit' .*src\/core imports no package/),
    ]);
  });

  it('the element, the library, the worker, the transport and the store never import the app', async () => {
    for (const dir of ['element', 'client', 'sw', 'transport', 'store']) {
      const errors = await layeringErrors(
        `src/${dir}/layering-fixture.ts`,
        "import { formatBytes } from '../app/components/file-list.js';\nexport const y = formatBytes;\n",
      );
      expect(errors, dir).toEqual([expect.stringMatching(new RegExp(`^import-x/no-restricted-paths: .*src/${dir} must not import the app`))]);
    }
  });

  it('allows what the architecture allows: the app importing the library and shared helpers, the element importing the library', async () => {
    expect(
      await layeringErrors(
        'src/app/layering-fixture.ts',
        "import { Client } from '../client/index.js';\nimport { formatBytes } from '../shared/format.js';\nexport const z = [Client, formatBytes];\n",
      ),
    ).toEqual([]);
    expect(
      await layeringErrors(
        'src/element/layering-fixture.ts',
        "import { Client } from '../client/index.js';\nimport { formatBytes } from '../shared/format.js';\nexport const z = [Client, formatBytes];\n",
      ),
    ).toEqual([]);
    // The pure-JavaScript SHA and AES of pages without SubtleCrypto.
    expect(
      await layeringErrors(
        'src/core/layering-fixture.ts',
        "import { sha1 } from '@noble/hashes/legacy.js';\nimport { ctr } from '@noble/ciphers/aes.js';\nexport const w = [sha1, ctr];\n",
      ),
    ).toEqual([]);
  });
});
