// A WeChat mini-program, as far as Node can stand in for one: no
// TextEncoder, TextDecoder, crypto or WebAssembly globals, only
// WXWebAssembly, which takes a path in the package. consent.mjs must then
// use its own UTF-8 codec (which must agree with TextEncoder/TextDecoder)
// and still answer every conformance case as the native engine does.
import test from 'node:test';
import assert from 'node:assert/strict';
import { cases, replay, testModuleBytes, transcript } from '../testlib/conformance.mjs';

const RealWebAssembly = globalThis.WebAssembly;
const RealEncoder = globalThis.TextEncoder;
const RealDecoder = globalThis.TextDecoder;
const bytes = testModuleBytes();
const module = await RealWebAssembly.compile(bytes);
const native = transcript();

delete globalThis.TextEncoder;
delete globalThis.TextDecoder;
delete globalThis.crypto;
delete globalThis.WebAssembly;
globalThis.WXWebAssembly = {
  async instantiate(path, imports) {
    if (typeof path !== 'string') throw new TypeError('WXWebAssembly.instantiate takes a path in the package');
    if (path !== '/consent.wasm') throw new Error(`${path}: no such file in the package`);
    return { module, instance: await RealWebAssembly.instantiate(module, imports) };
  },
};
// Imported only now, so that it sees the mini-program's globals.
const { Consent, utf8Encode, utf8Decode } = await import('../consent.mjs');

test('the runtime is a mini-program stand-in', () => {
  assert.equal(typeof TextEncoder, 'undefined');
  assert.equal(typeof TextDecoder, 'undefined');
  assert.equal(typeof crypto, 'undefined');
  assert.equal(typeof WebAssembly, 'undefined');
});

// A deterministic generator, so that a failure repeats.
let seed = 0x9e3779b9;
function rand(n) {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
}

test('the pure-JS UTF-8 encoder agrees with TextEncoder', () => {
  const enc = new RealEncoder();
  const fixed = ['', 'ascii', '隐私政策', 'Face ID登入', '😀 emoji', '\ud800', 'a\udc00b', '\ud800\ud800\udc00', 'end\ud83d',
    '\u0000\u007f\u0080\u07ff\u0800\uffff', '\ufeffbom', '\u2028\u2029'];
  for (const s of fixed) assert.deepEqual(utf8Encode(s), enc.encode(s), JSON.stringify(s));
  const pools = [[0x20, 0x7f], [0x80, 0x800], [0x800, 0xd800], [0xd800, 0xe000], [0xe000, 0x10000]];
  for (let k = 0; k < 2000; k++) {
    let s = '';
    for (let i = rand(40); i > 0; i--) {
      const [lo, hi] = pools[rand(pools.length)];
      s += String.fromCharCode(lo + rand(hi - lo));
    }
    assert.deepEqual(utf8Encode(s), enc.encode(s), JSON.stringify(s));
  }
});

test('the pure-JS UTF-8 decoder agrees with TextDecoder, also on invalid bytes', () => {
  const dec = new RealDecoder('utf-8', { ignoreBOM: true });
  const fixed = [[], [0xef, 0xbb, 0xbf, 0x41], [0xc0, 0x80], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80],
    [0xf0, 0x9f, 0x98], [0xe4, 0xbd], [0xff, 0xfe], [0x80], [0xf0, 0x9f, 0x98, 0x80, 0xc3]];
  for (const b of fixed) assert.equal(utf8Decode(new Uint8Array(b)), dec.decode(new Uint8Array(b)), JSON.stringify(b));
  const lead = [0x41, 0xc2, 0xdf, 0xe0, 0xe4, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0x80, 0xbf, 0xc0, 0xff];
  for (let k = 0; k < 5000; k++) {
    const b = new Uint8Array(rand(24));
    for (let i = 0; i < b.length; i++) b[i] = rand(3) === 0 ? lead[rand(lead.length)] : rand(2) ? 0x80 + rand(64) : rand(256);
    assert.equal(utf8Decode(b), dec.decode(b), JSON.stringify([...b]));
  }
  const long = new RealEncoder().encode('隐私政策😀'.repeat(5000)); // more than one chunk of code units
  assert.equal(utf8Decode(long), dec.decode(long));
});

test('conformance cases through Consent.loadWX', async (t) => {
  const byFile = new Map(native.cases.map((j) => [j.file, j]));
  for (const j of cases()) {
    await t.test(j.name, () => replay(assert, j, byFile.get(j.file), native.bundles, () => Consent.loadWX('/consent.wasm')));
  }
});

test('Consent.load says what to use when there is no WebAssembly', async () => {
  await assert.rejects(Consent.load(bytes), /no WebAssembly .*Consent.loadWX/);
});
