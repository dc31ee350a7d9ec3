// Gives the wasm's imports from wasm-bindgen's glue short names, in the
// .wasm and in the glue alike. wasm-bindgen names each import
// `__wbg_<name>_<16 hex digits>`; those digits do not compress, and 94 of
// them cost about 1.5 KB of the gzipped .wasm. The glue keeps its shape;
// only the names of the keys of its import object change.
//   node scripts/short-imports.mjs <dir>   (a wasm-pack --target web output)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const wasmPath = join(dir, 'background_manager_bg.wasm');
const jsPath = join(dir, 'background_manager.js');
const MODULE = './background_manager_bg.js';

const bytes = readFileSync(wasmPath);
let js = readFileSync(jsPath, 'utf8');

function leb(buf, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = buf[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

function uleb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

function name(buf, at) {
  const [len, start] = leb(buf, at);
  return [buf.subarray(start, start + len).toString('utf8'), start + len];
}

const enc = (s) => { const b = Buffer.from(s, 'utf8'); return [...uleb(b.length), ...b]; };

// A short name per import, in order: a0, a1, ...
let next = 0;
const renamed = new Map();
const exported = new Map();
const out = [bytes.subarray(0, 8)];
let at = 8;
while (at < bytes.length) {
  const id = bytes[at];
  const [size, start] = leb(bytes, at + 1);
  const end = start + size;
  if (id === 7) {
    out.push(exportSection(start, end));
    at = end;
    continue;
  }
  if (id !== 2) {
    out.push(bytes.subarray(at, end));
    at = end;
    continue;
  }
  let p = start;
  const [count, first] = leb(bytes, p);
  p = first;
  const body = [...uleb(count)];
  for (let i = 0; i < count; i++) {
    const [module, a] = name(bytes, p);
    const [field, b] = name(bytes, a);
    // The import's description, copied as is: kind, then its type.
    const kind = bytes[b];
    let q = b + 1;
    if (kind === 0) q = leb(bytes, q)[1];
    else if (kind === 1) { q += 1; const flags = bytes[q++]; q = leb(bytes, q)[1]; if (flags & 1) q = leb(bytes, q)[1]; }
    else if (kind === 2) { const flags = bytes[q++]; q = leb(bytes, q)[1]; if (flags & 1) q = leb(bytes, q)[1]; }
    else if (kind === 3) q += 2;
    else if (kind === 4) q = leb(bytes, q + 1)[1];
    else throw new Error(`import ${module} ${field}: unknown kind ${kind}`);
    let short = field;
    if (module === MODULE && /^__wbg_\w+_[0-9a-f]{16}$/.test(field)) {
      short = renamed.get(field) ?? `a${(next++).toString(36)}`;
      renamed.set(field, short);
    }
    body.push(...enc(module), ...enc(short), ...bytes.subarray(b, q));
    p = q;
  }
  out.push(Buffer.from([2, ...uleb(body.length), ...body]));
  at = end;
}

// The export section with every export but `memory` renamed x0, x1, ...
function exportSection(start, end) {
  let p = start;
  const [count, first] = leb(bytes, p);
  p = first;
  const body = [...uleb(count)];
  let n = 0;
  for (let i = 0; i < count; i++) {
    const [field, a] = name(bytes, p);
    const kind = bytes[a];
    const [, b] = leb(bytes, a + 1);
    let short = field;
    if (field !== 'memory') {
      short = `x${(n++).toString(36)}`;
      exported.set(field, short);
    }
    body.push(...enc(short), ...bytes.subarray(a, b));
    p = b;
  }
  return Buffer.from([7, ...uleb(body.length), ...body]);
}

// Each import name is a key of the glue's import object, and appears nowhere else.
for (const [long, short] of renamed) {
  const key = new RegExp(`\\b${long}:`, 'g');
  const hits = js.match(key)?.length ?? 0;
  if (hits !== 1 || js.split(long).length !== 2) {
    throw new Error(`short-names: ${long} appears ${js.split(long).length - 1} times in the glue, expected once as a key`);
  }
  js = js.replace(key, `${short}:`);
}
// The glue reads exports as `wasm.<name>` only (a same-named JS wrapper
// function keeps its name).
for (const [long, short] of exported) {
  js = js.replace(new RegExp(`\\bwasm\\.${long}\\b`, 'g'), `wasm.${short}`);
}
if (/\bwasm\.(?!memory\b|x[0-9a-z]+\b)\w+/.test(js)) {
  throw new Error(`short-names: the glue reads an export that was not renamed: ${js.match(/\bwasm\.(?!memory\b|x[0-9a-z]+\b)\w+/)[0]}`);
}
writeFileSync(wasmPath, Buffer.concat(out));
writeFileSync(jsPath, js);
// The raw module's declarations name the exports too.
const dtsPath = join(dir, 'background_manager_bg.wasm.d.ts');
if (existsSync(dtsPath)) {
  let dts = readFileSync(dtsPath, 'utf8');
  for (const [long, short] of exported) dts = dts.replace(new RegExp(`\\b${long}\\b`, 'g'), short);
  writeFileSync(dtsPath, dts);
}
console.error(`short-names: ${renamed.size} imports and ${exported.size} exports renamed in ${dir}`);
