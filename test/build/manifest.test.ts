import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { elementManifest } from '../../scripts/element-manifest.mjs';

describe('custom-elements.json', () => {
  it('is what the custom elements manifest analyzer makes of the element’s source (run `npm run manifest` after changing its JSDoc)', () => {
    const committed = readFileSync(new URL('../../custom-elements.json', import.meta.url), 'utf8');
    expect(committed).toBe(elementManifest());
  });
});
