// (b) Every conformance case through Node's own WASI (node:wasi):
// instantiated and initialised by Node, wrapped with Consent.fromInstance.
// The requests and responses must be the transcript's, byte for byte.
import test from 'node:test';
import assert from 'node:assert/strict';
import { WASI } from 'node:wasi';
import { Consent } from '../consent.mjs';
import { cases, replay, testModuleBytes, transcript } from '../testlib/conformance.mjs';

const native = transcript();
const module = await WebAssembly.compile(testModuleBytes());
const byFile = new Map(native.cases.map((j) => [j.file, j]));

async function viaNodeWASI() {
  const wasi = new WASI({ version: 'preview1', args: [], env: {}, returnOnExit: true });
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  wasi.initialize(instance);
  return Consent.fromInstance(instance);
}

test('conformance cases through node:wasi', async (t) => {
  const all = cases();
  assert.equal(all.length, native.cases.length, 'dist/conformance.json is stale');
  for (const j of all) {
    await t.test(j.name, () => replay(assert, j, byFile.get(j.file), native.bundles, viaNodeWASI));
  }
});

test('node:wasi and the module\'s own shim answer info alike', async () => {
  const a = (await viaNodeWASI()).info();
  const b = (await Consent.load(module)).info();
  assert.deepEqual(a, b);
});
