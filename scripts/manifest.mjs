// Makes pkg/ the package users install: the entry (src/package/), the
// licences, and package.json and jsr.json written from Cargo.toml, the one
// place the name, version, description, licence and repository are kept.
// wasm-pack's own package.json is replaced. Run by scripts/build.sh.
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const pkg = new URL('pkg/', root);
const cargo = readFileSync(new URL('Cargo.toml', root), 'utf8');
const field = (name) => cargo.match(new RegExp(`^${name} = "(.*)"$`, 'm'))?.[1];
const [name, version, description, license, repository] =
  ['name', 'version', 'description', 'license', 'repository'].map(field);
if (!name || !version || !repository) throw new Error('Cargo.toml lacks name, version or repository');

// wasm-pack's pkg/.gitignore ignores everything, which deno publish obeys;
// the repository's own .gitignore already keeps pkg/ out of git.
rmSync(new URL('.gitignore', pkg), { force: true });
for (const file of ['index.js', 'index.d.ts', 'durable.js', 'durable.d.ts', 'load.js']) copyFileSync(new URL(`src/package/${file}`, root), new URL(file, pkg));
for (const file of ['LICENSE-MIT', 'LICENSE-APACHE']) copyFileSync(new URL(file, root), new URL(file, pkg));

const files = [
  'index.js', 'index.d.ts', 'background_manager.js', 'background_manager.d.ts',
  'background_manager_bg.wasm', 'background_manager_bg.wasm.d.ts', 'snippets/',
  'durable.js', 'durable.d.ts', 'durable/', 'load.js',
  'README.md', 'LICENSE-MIT', 'LICENSE-APACHE',
];
const manifest = {
  name,
  version,
  description,
  keywords: ['ai', 'agents', 'background-tasks', 'task-manager', 'webassembly', 'wasm', 'deno', 'browser'],
  license,
  repository: { type: 'git', url: `git+${repository}.git` },
  type: 'module',
  main: './index.js',
  module: './index.js',
  types: './index.d.ts',
  exports: {
    '.': { types: './index.d.ts', default: './index.js' },
    './durable': { types: './durable.d.ts', default: './durable.js' },
    './background_manager_bg.wasm': './background_manager_bg.wasm',
    './durable/background_manager_bg.wasm': './durable/background_manager_bg.wasm',
    './package.json': './package.json',
  },
  files,
  // The generated module and its snippets run code at import.
  sideEffects: ['./background_manager.js', './snippets/*', './durable/background_manager.js', './durable/snippets/*'],
  engines: { node: '>=20.16' },
};
writeFileSync(new URL('package.json', pkg), JSON.stringify(manifest, null, 2) + '\n');
// JSR publishes the same files (`deno publish` from pkg/).
const jsr = {
  name: `@${name}/${name}`,
  version,
  license,
  exports: { '.': './index.js', './durable': './durable.js' },
  publish: { include: files },
};
writeFileSync(new URL('jsr.json', pkg), JSON.stringify(jsr, null, 2) + '\n');
