// custom-elements.json, made from the element's source by the custom elements manifest analyzer:
// the JSDoc of <tab-swarm> (attributes, events, parts, CSS custom properties) and of the functions
// dist/tabswarm-element.js exports. `npm run manifest` writes it; test/build/manifest.test.ts fails
// when the committed file is not what the source gives.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { create, ts } from '@custom-elements-manifest/analyzer/index.js';
import { litPlugin } from '@custom-elements-manifest/analyzer/src/features/framework-plugins/lit/lit.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The sources of what dist/tabswarm-element.js exports (see src/element/index.ts). */
const SOURCES = ['src/element/tab-swarm.ts', 'src/element/shared.ts'];
const MODULE = 'dist/tabswarm-element.js';
const PUBLIC_FUNCTIONS = new Set(['configureTabSwarm', 'tabSwarmClient', 'tabSwarmShared']);

/**
 * One module, as the package ships it: the element and the exported functions of its sources, at
 * the built file's path; nothing private, protected or internal.
 */
function shippedModule() {
  return {
    name: 'tabswarm-shipped-module',
    packageLinkPhase({ customElementsManifest: manifest }) {
      const declarations = [];
      for (const mod of manifest.modules) {
        for (const d of mod.declarations ?? []) {
          if (d.kind === 'class' && d.customElement) {
            d.members = (d.members ?? []).filter((m) => !m.privacy && !m.static && m.name !== 'render');
            for (const m of d.members) delete m.inheritedFrom;
            declarations.push(d);
          } else if (d.kind === 'function' && PUBLIC_FUNCTIONS.has(d.name)) {
            declarations.push(d);
          }
        }
      }
      const element = declarations.find((d) => d.customElement);
      manifest.schemaVersion = '2.1.0';
      manifest.readme = 'README.md';
      manifest.modules = [
        {
          kind: 'javascript-module',
          path: MODULE,
          description: 'Defines <tab-swarm>. Built by `npm run build` (with tabswarm-sw.js beside it); package export "tabswarm/element".',
          declarations,
          exports: [
            { kind: 'custom-element-definition', name: element.tagName, declaration: { name: element.name, module: MODULE } },
            ...declarations.map((d) => ({ kind: 'js', name: d.name, declaration: { name: d.name, module: MODULE } })),
          ],
        },
      ];
    },
  };
}

/** The manifest the source gives, as text (what custom-elements.json holds). */
export function elementManifest() {
  const modules = SOURCES.map((path) => ts.createSourceFile(path, readFileSync(new URL(path, `file://${ROOT}/`), 'utf8'), ts.ScriptTarget.ES2022, true));
  const manifest = create({ modules, plugins: [...litPlugin(), shippedModule()], context: { dev: false } });
  return JSON.stringify(manifest, null, 2) + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL('custom-elements.json', `file://${ROOT}/`), elementManifest());
  console.log('[tabswarm] custom-elements.json written from src/element');
}
