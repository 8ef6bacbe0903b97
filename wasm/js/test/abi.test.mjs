// The ABI as wasm/ABI.md states it, through consent.mjs.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Consent, wasiImports } from '../consent.mjs';
import { need } from './runner.mjs';

const wasm = need('dist/consent-test.wasm', 'make wasm-test');
const transcript = JSON.parse(need('dist/conformance.json', 'make transcript'));
const good = '{"now":"2026-03-01T10:00:00+08:00","locale":"en","device":{"platform":"ios","version":"17.2"},"event":{"type":"launch"}}';

test('info and version', async () => {
  const e = await Consent.load(wasm);
  assert.equal(e.abiVersion(), 1);
  const info = e.info();
  assert.equal(info.abi, 1);
  assert.deepEqual(info.policy, { id: 'msxf', version: '2022-03-29' });
  assert.match(info.hash, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(info.locales, ['zh-CN', 'en', 'zh-TW']);
  assert.equal(info.keys.length, 2);
});

test('bundles: only a newer one signed by a trusted key is taken', async () => {
  const e = await Consent.load(wasm);
  const rev = transcript.bundles.revision;
  const stripped = rev.slice(0, rev.lastIndexOf(',"signatures":[')) + ',"signatures":[]}';
  for (const [env, code] of [['hello', 'bad_bundle'], [transcript.bundles.reference, 'older_version'], [stripped, 'bad_signature']]) {
    const r = e.loadBundle(env);
    assert.equal(r.error?.code, code, JSON.stringify(r));
    assert.equal(e.info().policy.version, '2022-03-29', 'a rejected bundle changed the active one');
  }
  const r = e.loadBundle(transcript.bundles.revision);
  assert.equal(r.ok, true);
  assert.equal(e.info().policy.version, '2023-09-01');
});

test('bad input gets an error and the module keeps answering', async () => {
  const e = await Consent.load(wasm);
  const fresh = (await Consent.load(wasm)).decideJSON(good);
  for (const bad of ['{"now":', '', '[]', '\u0000', 'x'.repeat(300 << 10)]) {
    const r = JSON.parse(e.decideJSON(bad));
    assert.ok(r.error?.code, `${bad.slice(0, 20)}: ${JSON.stringify(r)}`);
  }
  assert.equal(e.decideJSON(good), fresh);
});

test('a pointer that is not the host\'s buffer gets bad_pointer', async () => {
  const shim = wasiImports();
  const { instance } = await WebAssembly.instantiate(wasm, shim.imports);
  shim.setMemory(instance.exports.memory);
  instance.exports._initialize();
  const packed = BigInt.asUintN(64, instance.exports.consent_decide(8, 4));
  const ptr = Number(packed >> 32n), len = Number(packed & 0xffffffffn);
  const out = JSON.parse(new TextDecoder().decode(new Uint8Array(instance.exports.memory.buffer, ptr, len)));
  assert.equal(out.error.code, 'bad_pointer');
});

test('the shim\'s poll_oneoff throws, as browser shims do', () => {
  assert.throws(() => wasiImports().imports.wasi_snapshot_preview1.poll_oneoff(0, 0, 0, 0), /poll_oneoff/);
});
