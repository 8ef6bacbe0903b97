// The loaders: Consent.load from bytes, a Module, a Response (streamed when
// served as application/wasm) or a URL; loadWX and loadAlipay against
// stand-ins of the mini-program runtimes; fromInstance with createWASI.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Consent, createWASI } from '../consent.mjs';
import { testModuleBytes } from '../testlib/conformance.mjs';

const bytes = testModuleBytes();
const module = await WebAssembly.compile(bytes);
const good = '{"now":"2026-03-01T10:00:00+08:00","locale":"zh-CN","device":{"platform":"android","version":"33"},"os":{},"event":{"type":"launch"}}';
const want = (await Consent.load(module)).decideJSON(good);

function works(engine) {
  assert.ok(engine instanceof Consent);
  assert.equal(engine.decideJSON(good), want);
  assert.equal(engine.info().abi, 1);
}

/** Counts WebAssembly.instantiateStreaming calls during fn. */
async function streamed(fn) {
  const real = WebAssembly.instantiateStreaming;
  let n = 0;
  WebAssembly.instantiateStreaming = (...args) => {
    n++;
    return real.apply(WebAssembly, args);
  };
  try {
    await fn();
  } finally {
    WebAssembly.instantiateStreaming = real;
  }
  return n;
}

test('load: bytes in every form', async () => {
  works(await Consent.load(bytes)); // a Node Buffer
  works(await Consent.load(new Uint8Array(bytes)));
  works(await Consent.load(new Uint8Array(bytes).buffer));
  const padded = new Uint8Array(bytes.length + 7);
  padded.set(bytes, 3);
  works(await Consent.load(padded.subarray(3, 3 + bytes.length))); // a view at an offset
  works(await Consent.load(new DataView(padded.buffer, 3, bytes.length)));
});

test('load: a compiled WebAssembly.Module', async () => {
  works(await Consent.load(module));
});

test('load: a Response, streamed when it is application/wasm', async () => {
  const wasm = () => new Response(bytes, { headers: { 'Content-Type': 'application/wasm' } });
  assert.equal(await streamed(async () => works(await Consent.load(wasm()))), 1);
  assert.equal(await streamed(async () => works(await Consent.load(Promise.resolve(wasm())))), 1);
  const other = new Response(bytes, { headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(await streamed(async () => works(await Consent.load(other))), 0, 'another type is read, not streamed');
  const failed = new Response('not here', { status: 404, statusText: 'Not Found' });
  await assert.rejects(Consent.load(failed), /HTTP 404 Not Found/);
});

test('load: a URL, fetched', async (t) => {
  const server = createServer((req, res) => {
    if (req.url === '/consent.wasm') {
      res.writeHead(200, { 'Content-Type': 'application/wasm' });
      res.end(bytes);
    } else if (req.url === '/plain.wasm') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end(bytes);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${server.address().port}`;
  assert.equal(await streamed(async () => works(await Consent.load(`${base}/consent.wasm`))), 1);
  assert.equal(await streamed(async () => works(await Consent.load(new URL('/consent.wasm', base)))), 1);
  assert.equal(await streamed(async () => works(await Consent.load(`${base}/plain.wasm`))), 0);
  await assert.rejects(Consent.load(`${base}/missing.wasm`), /HTTP 404/);
});

test('load: what it cannot take is a clear error', async () => {
  await assert.rejects(Consent.load(new URL('file:///tmp/consent.wasm')), /read the file and pass its bytes/);
  await assert.rejects(Consent.load(42), TypeError);
  await assert.rejects(Consent.load(null), TypeError);
  await assert.rejects(Consent.load(new Uint8Array([0, 97, 115, 109])), WebAssembly.CompileError);
});

test('fromInstance: an instance made with createWASI', async () => {
  const wasi = createWASI();
  const { instance } = await WebAssembly.instantiate(bytes, wasi.imports);
  wasi.initialize(instance);
  works(Consent.fromInstance(instance));
  assert.throws(() => wasi.initialize(instance), /initialize called twice/);
});

test('the shim and its setMemory, for hosts that call _initialize themselves', async () => {
  const wasi = createWASI();
  const instance = await WebAssembly.instantiate(module, wasi.imports);
  wasi.setMemory(instance.exports.memory);
  instance.exports._initialize();
  works(Consent.fromInstance(instance));
});

test('loadWX: WXWebAssembly.instantiate with the path in the package', async (t) => {
  const seen = [];
  globalThis.WXWebAssembly = {
    async instantiate(path, imports) {
      seen.push(path);
      if (typeof path !== 'string') throw new TypeError('WXWebAssembly takes a path');
      if (path !== '/consent.wasm') throw new Error(`no file ${path} in the package`);
      return WebAssembly.instantiate(bytes, imports); // {module, instance}
    },
  };
  t.after(() => delete globalThis.WXWebAssembly);
  works(await Consent.loadWX('/consent.wasm'));
  assert.deepEqual(seen, ['/consent.wasm']);
  await assert.rejects(Consent.loadWX(bytes), TypeError);
  await assert.rejects(Consent.loadWX('/missing.wasm'), /no file/);
  delete globalThis.WXWebAssembly;
  await assert.rejects(Consent.loadWX('/consent.wasm'), /WXWebAssembly is not available/);
});

test('loadAlipay: my.WebAssembly, then MYWebAssembly, then WebAssembly', async (t) => {
  const stand = (name, seen) => ({
    async instantiate(src, imports) {
      seen.push([name, typeof src]);
      return WebAssembly.instantiate(typeof src === 'string' ? bytes : src, imports);
    },
  });
  t.after(() => {
    delete globalThis.my;
    delete globalThis.MYWebAssembly;
  });
  const seen = [];
  globalThis.my = { WebAssembly: stand('my.WebAssembly', seen) };
  globalThis.MYWebAssembly = stand('MYWebAssembly', seen);
  works(await Consent.loadAlipay('/consent.wasm'));
  works(await Consent.loadAlipay(bytes));
  delete globalThis.my;
  works(await Consent.loadAlipay('/consent.wasm'));
  delete globalThis.MYWebAssembly;
  works(await Consent.loadAlipay(bytes));
  assert.deepEqual(seen, [['my.WebAssembly', 'string'], ['my.WebAssembly', 'object'], ['MYWebAssembly', 'string']]);
  await assert.rejects(Consent.loadAlipay('/consent.wasm'), /takes bytes, not a path/);
});
