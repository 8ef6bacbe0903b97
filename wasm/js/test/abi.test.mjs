// (c) The ABI of wasm/ABI.md, through consent.mjs and through the raw
// exports: the version, info, bundles, bad pointers, bad input, the
// request buffer, and the module's own WASI shim.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Consent, createWASI, wasiImports, MAX_BUFFER } from '../consent.mjs';
import { testModuleBytes, transcript } from '../testlib/conformance.mjs';

const native = transcript();
const module = await WebAssembly.compile(testModuleBytes());
const reference = JSON.parse(native.bundles.reference);
const revision = JSON.parse(native.bundles.revision);
const good = '{"now":"2026-03-01T10:00:00+08:00","locale":"en","device":{"platform":"ios","version":"17.2"},"os":{},"event":{"type":"launch"}}';

/** A raw instance initialised with the module's own shim. */
async function raw(options) {
  const wasi = createWASI(options);
  const instance = await WebAssembly.instantiate(module, wasi.imports);
  wasi.initialize(instance);
  return instance.exports;
}

/** Decodes an answer (ptr << 32) | len from the raw exports. */
function answer(x, packed) {
  assert.equal(typeof packed, 'bigint');
  const v = BigInt.asUintN(64, packed);
  const ptr = Number(v >> 32n);
  const len = Number(v & 0xffffffffn);
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(x.memory.buffer, ptr, len)));
}

test('abiVersion is 1', async () => {
  const e = await Consent.load(module);
  assert.equal(e.abiVersion(), 1);
  assert.equal((await raw()).consent_abi_version(), 1);
});

test('info names the module, ABI, policy, bundle hash, locales, keys and service keys', async () => {
  const info = (await Consent.load(module)).info();
  assert.deepEqual(Object.keys(info), ['module', 'abi', 'policy', 'hash', 'locales', 'keys', 'service_keys']);
  assert.equal(typeof info.module, 'string');
  assert.ok(info.module.endsWith('-test'), `module ${info.module}: not the test build`);
  assert.equal(info.abi, 1);
  assert.deepEqual(info.policy, { id: 'msxf', version: '2022-03-29' });
  assert.equal(info.hash, reference.hash, 'the embedded bundle is not the transcript\'s reference bundle');
  assert.deepEqual(info.locales, reference.payload.policy.locales);
  assert.ok(info.keys.length >= 2, 'the test module trusts the release key and the test key');
  assert.ok(info.keys.includes(revision.signatures[0].key), 'the test module does not trust the test key');
  assert.deepEqual(info.service_keys, ['abc43d9ca5e20c8d'], 'the test module trusts the test service key (hostsim/testdata/keys/service.pub) alone');
});

test('loadBundle: rejected bundles leave the active one in place', async () => {
  const e = await Consent.load(module);
  // Edited as text: the payload's bytes must stay as they are, or its hash no longer matches.
  const env = native.bundles.revision;
  const at = env.lastIndexOf(',"signatures":[');
  assert.ok(at > 0);
  const stripped = env.slice(0, at) + ',"signatures":[]}';
  const sig = revision.signatures[0].sig;
  const forged = env.replace(sig, (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1));
  assert.notEqual(forged, env);
  const changed = native.bundles.revision.replace('"version":"2023-09-01"', '"version":"2023-09-02"');
  assert.notEqual(changed, native.bundles.revision);
  const cases = [
    ['garbage', 'hello', 'bad_bundle'],
    ['empty', '', 'bad_bundle'],
    ['the reference bundle', native.bundles.reference, 'older_version'],
    ['the revision without its signature', stripped, 'bad_signature'],
    ['the revision with a forged signature', forged, 'bad_signature'],
    ['the revision with a changed payload', changed, 'bad_bundle'],
  ];
  for (const [what, env, code] of cases) {
    const r = e.loadBundle(env);
    assert.equal(r.error && r.error.code, code, `${what}: ${JSON.stringify(r)}`);
    assert.ok(r.error.message, `${what}: no message`);
    assert.equal(e.info().policy.version, '2022-03-29', `${what}: a rejected bundle changed the active one`);
    assert.equal(e.info().hash, reference.hash);
  }
});

test('loadBundle: the signed revision is taken, as a string or bytes, once', async () => {
  for (const form of ['string', 'Uint8Array', 'ArrayBuffer']) {
    const e = await Consent.load(module);
    const bytes = new TextEncoder().encode(native.bundles.revision);
    const env = form === 'string' ? native.bundles.revision : form === 'Uint8Array' ? bytes : bytes.buffer;
    assert.deepEqual(e.loadBundle(env), { ok: true, policy: { id: 'msxf', version: '2023-09-01' }, hash: revision.hash }, form);
    assert.deepEqual(e.info().policy, { id: 'msxf', version: '2023-09-01' });
    assert.equal(e.info().hash, revision.hash);
    assert.equal(e.loadBundle(native.bundles.revision).error.code, 'older_version');
    assert.equal(e.loadBundle(native.bundles.reference).error.code, 'older_version');
    assert.equal(e.info().policy.version, '2023-09-01');
  }
});

test('a pointer that is not a live buffer from consent_alloc gets bad_pointer', async () => {
  const x = await raw();
  const buf = x.consent_alloc(256);
  assert.notEqual(buf, 0);
  new Uint8Array(x.memory.buffer, buf, good.length).set(new TextEncoder().encode(good));
  for (const [what, ptr, len] of [
    ['an address in no buffer', 8, 4],
    ['a null pointer', 0, 0],
    ['inside a buffer, not its start', buf + 1, 4],
    ['a length past the buffer', buf, 257],
    ['a negative length', buf, -1],
  ]) {
    assert.equal(answer(x, x.consent_decide(ptr, len)).error.code, 'bad_pointer', `decide: ${what}`);
    assert.equal(answer(x, x.consent_load_bundle(ptr, len)).error.code, 'bad_pointer', `load_bundle: ${what}`);
  }
  assert.ok(answer(x, x.consent_decide(buf, good.length)).actions, 'the buffer itself works');
  x.consent_free(buf);
  assert.equal(answer(x, x.consent_decide(buf, good.length)).error.code, 'bad_pointer', 'a freed buffer');
  x.consent_free(buf); // twice: ignored
  x.consent_free(12345); // not a buffer: ignored
});

test('consent_alloc refuses 0, over 4 MiB, a 65th buffer and over 16 MiB live', async () => {
  const x = await raw();
  assert.equal(x.consent_alloc(0), 0);
  assert.equal(x.consent_alloc(-1), 0);
  assert.equal(x.consent_alloc(MAX_BUFFER + 1), 0);
  const small = [];
  for (let i = 0; i < 64; i++) small.push(x.consent_alloc(1));
  assert.ok(small.every((p) => p !== 0));
  assert.equal(x.consent_alloc(1), 0, 'a 65th buffer');
  small.forEach((p) => x.consent_free(p));
  const big = [];
  for (let i = 0; i < 4; i++) big.push(x.consent_alloc(MAX_BUFFER));
  assert.ok(big.every((p) => p !== 0));
  assert.equal(x.consent_alloc(1), 0, 'over 16 MiB live');
  big.forEach((p) => x.consent_free(p));
  assert.notEqual(x.consent_alloc(MAX_BUFFER), 0, 'freed buffers count no more');
});

test('bad requests get errors, never a throw, and the module keeps answering', async () => {
  const fresh = (await Consent.load(module)).decideJSON(good);
  const e = await Consent.load(module);
  const cases = [
    ['{"now":', 'bad_json'],
    ['', 'bad_json'],
    ['[]', 'bad_type'],
    ['\u0000', 'bad_json'],
    ['{"now":"2026-03-01T10:00:00+08:00","now":"2026-03-01T10:00:00+08:00"}', 'duplicate_field'],
    ['{"now":"yesterday","device":{"platform":"ios","version":"17.2"},"event":{"type":"launch"}}', 'bad_time'],
    ['{"now":"2026-03-01T10:00:00+08:00","device":{"platform":"symbian"},"event":{"type":"launch"}}', 'unknown_platform'],
    ['x'.repeat(300 << 10), 'too_large'],
  ];
  for (const [req, code] of cases) {
    const r = e.decide(req);
    assert.ok(r.error, `${JSON.stringify(req.slice(0, 30))}: ${JSON.stringify(r).slice(0, 200)}`);
    assert.equal(r.error.code, code, `${JSON.stringify(req.slice(0, 30))}: ${r.error.message}`);
    assert.ok(r.error.message);
  }
  assert.equal(e.decideJSON(good), fresh);
  // Invalid UTF-8 can only come through the raw exports: in a field it is
  // bad_utf8 naming the field.
  const x = await raw();
  const bytes = [...new TextEncoder().encode('{"now":"'), 0xff, 0x22, 0x7d];
  const buf = x.consent_alloc(bytes.length);
  new Uint8Array(x.memory.buffer, buf, bytes.length).set(bytes);
  const bad = answer(x, x.consent_decide(buf, bytes.length)).error;
  assert.equal(bad.code, 'bad_utf8');
  assert.equal(bad.field, 'now');
});

test('decide takes a request object or its JSON, and returns the parsed response', async () => {
  const e = await Consent.load(module);
  const r = e.decide(JSON.parse(good));
  assert.deepEqual(r, JSON.parse(e.decideJSON(good)));
  assert.deepEqual(r.actions.map((a) => a.type), ['show_policy']);
  const next = e.decide({ ...JSON.parse(good), state: r.state, event: { type: 'policy_answer', accepted: true } });
  assert.equal(next.receipts[0].kind, 'policy');
  assert.equal(next.state.accepted, '2022-03-29');
});

// A proxy of the instance that counts consent_alloc and consent_free.
async function counted(refuse) {
  const x = await raw();
  const calls = { alloc: [], free: [] };
  const exports = {
    ...x,
    consent_alloc(n) {
      calls.alloc.push(n);
      return refuse.now ? 0 : x.consent_alloc(n);
    },
    consent_free(p) {
      calls.free.push(p);
      return x.consent_free(p);
    },
  };
  return { engine: Consent.fromInstance({ exports }), calls };
}

test('one request buffer, reused, grown when a request is bigger', async () => {
  const { engine, calls } = await counted({ now: false });
  const fresh = (await Consent.load(module)).decideJSON(good);
  assert.equal(engine.decideJSON(good), fresh);
  engine.decideJSON(good);
  engine.decideJSON('{"now":');
  assert.equal(calls.alloc.length, 1, 'small requests share the first buffer');
  assert.equal(calls.free.length, 0);
  const big = '{"pad":"' + 'x'.repeat(100 << 10) + '"}';
  assert.equal(engine.decide(big).error.code, 'unknown_field');
  assert.equal(calls.alloc.length, 2, 'a bigger request grows the buffer');
  assert.equal(calls.free.length, 1, 'the old buffer is freed');
  assert.ok(calls.alloc[1] >= big.length);
  assert.equal(engine.decideJSON(good), fresh);
  assert.equal(engine.loadBundle(native.bundles.revision).ok, true, 'a bundle goes through the same buffer');
  const allocs = calls.alloc.length;
  engine.decideJSON(good);
  engine.info();
  assert.equal(calls.alloc.length, allocs, 'the grown buffer is reused');
});

test('an input over 4 MiB throws a clear error; the engine goes on', async () => {
  const { engine, calls } = await counted({ now: false });
  const fresh = (await Consent.load(module)).decideJSON(good);
  assert.equal(engine.decideJSON(good), fresh);
  assert.throws(() => engine.decideJSON('x'.repeat(MAX_BUFFER + 1)), /at most 4194304 \(4 MiB\)/);
  assert.throws(() => engine.loadBundle(new Uint8Array(MAX_BUFFER + 1)), /4 MiB/);
  assert.equal(calls.alloc.length, 1, 'no allocation is tried for an input the module cannot take');
  assert.equal(engine.decideJSON(good), fresh);
  // 4 MiB exactly is a buffer the module grants; the engine answers too_large.
  assert.equal(engine.decide('x'.repeat(MAX_BUFFER)).error.code, 'too_large');
});

test('consent_alloc returning 0 throws a clear error, and the next call allocates afresh', async () => {
  const refuse = { now: true };
  const { engine, calls } = await counted(refuse);
  assert.throws(() => engine.decideJSON(good), /consent_alloc\(4096\) returned 0/);
  refuse.now = false;
  assert.ok(engine.decide(good).actions);
  refuse.now = true;
  assert.throws(() => engine.decideJSON('{"pad":"' + 'x'.repeat(10000) + '"}'), /consent_alloc\(\d+\) returned 0/);
  refuse.now = false;
  assert.ok(engine.decide(good).actions, 'no stale pointer is used after a refusal');
  assert.equal(calls.free.length, 1);
});

test('an instance of another ABI, or not consent.wasm, is refused', async () => {
  const x = await raw();
  assert.throws(() => Consent.fromInstance({ exports: { ...x, consent_abi_version: () => 2 } }), /ABI 2; this host speaks ABI 1/);
  assert.throws(() => Consent.fromInstance({ exports: { memory: x.memory } }), /not consent.wasm: the instance lacks consent_abi_version/);
});

// ---------------------------------------------------------------- the shim

test('the shim\'s poll_oneoff throws, as browser shims\' does', () => {
  const wasi = createWASI();
  wasi.setMemory(new WebAssembly.Memory({ initial: 1 }));
  assert.throws(() => wasi.imports.wasi_snapshot_preview1.poll_oneoff(0, 0, 1, 0), /poll_oneoff is not supported/);
});

test('the module calls only the WASI functions ABI.md lists', async () => {
  const wasi = createWASI();
  const calls = [];
  const wrapped = {};
  for (const [name, fn] of Object.entries(wasi.wasiImport)) {
    wrapped[name] = (...args) => {
      calls.push(name);
      return fn(...args);
    };
  }
  const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wrapped });
  wasi.initialize(instance);
  const atStart = new Set(calls);
  const startUp = ['args_sizes_get', 'environ_sizes_get', 'fd_fdstat_get', 'fd_fdstat_set_flags', 'fd_prestat_get', 'clock_time_get', 'random_get'];
  for (const name of atStart) assert.ok(startUp.includes(name), `_initialize called ${name}`);
  for (const name of ['args_sizes_get', 'environ_sizes_get', 'fd_prestat_get']) assert.ok(atStart.has(name), `_initialize did not call ${name}`);
  calls.length = 0;
  const e = Consent.fromInstance(instance);
  e.info();
  e.loadBundle('hello');
  e.loadBundle(native.bundles.revision);
  e.decide('{"now":');
  let state = null;
  for (const event of [{ type: 'launch' }, { type: 'policy_answer', accepted: true }, { type: 'enter', scenario: 'loan_apply', step: 'id_verify' }]) {
    const r = e.decide({ now: '2026-03-01T10:00:00+08:00', device: { platform: 'android', version: '33' }, state, event });
    assert.ok(!r.error, JSON.stringify(r));
    state = r.state;
  }
  for (const name of new Set(calls)) {
    assert.ok(['clock_time_get', 'random_get', 'fd_write', 'proc_exit'].includes(name), `after start-up the module called ${name}`);
  }
});

test('the shim\'s answers: no args, no env, stdio character devices, no preopens, clock, random', () => {
  const memory = new WebAssembly.Memory({ initial: 4 });
  const wasi = createWASI();
  wasi.setMemory(memory);
  const w = wasi.wasiImport;
  const dv = () => new DataView(memory.buffer);
  dv().setUint32(0, 7, true);
  dv().setUint32(4, 7, true);
  assert.equal(w.args_sizes_get(0, 4), 0);
  assert.deepEqual([dv().getUint32(0, true), dv().getUint32(4, true)], [0, 0]);
  dv().setUint32(0, 7, true);
  assert.equal(w.environ_sizes_get(0, 4), 0);
  assert.equal(dv().getUint32(0, true), 0);
  for (const fd of [0, 1, 2]) {
    new Uint8Array(memory.buffer, 64, 24).fill(0xff);
    assert.equal(w.fd_fdstat_get(fd, 64), 0);
    assert.equal(dv().getUint8(64), 2, 'a character device');
    assert.equal(dv().getUint16(66, true), 0, 'no flags');
  }
  assert.equal(w.fd_fdstat_get(3, 64), 8, 'EBADF');
  assert.equal(w.fd_fdstat_set_flags(1, 4), 0);
  assert.equal(w.fd_prestat_get(3, 64), 8, 'EBADF: no preopened directories');
  assert.equal(w.fd_prestat_dir_name(3, 64, 8), 52);
  assert.equal(w.fd_read(0, 0, 0, 0), 52);
  assert.equal(w.fd_close(3), 52);
  assert.equal(w.sched_yield(), 0);
  assert.equal(w.args_get(0, 0), 0);
  assert.equal(w.environ_get(0, 0), 0);

  const before = BigInt(Date.now()) * 1000000n;
  assert.equal(w.clock_time_get(0, 1000n, 128), 0);
  const now = dv().getBigUint64(128, true);
  assert.ok(now >= before && now <= BigInt(Date.now()) * 1000000n, 'realtime in nanoseconds');
  assert.equal(w.clock_time_get(1, 1n, 128), 0);
  const m1 = dv().getBigUint64(128, true);
  assert.equal(w.clock_time_get(1, 1n, 128), 0);
  assert.ok(dv().getBigUint64(128, true) >= m1, 'monotonic');
  assert.equal(w.clock_time_get(9, 1n, 128), 28, 'EINVAL for an unknown clock');

  const n = 3 * 65536 + 17; // more than one getRandomValues chunk
  new Uint8Array(memory.buffer, 4096, n + 16).fill(0);
  assert.equal(w.random_get(4096, n), 0);
  const filled = new Uint8Array(memory.buffer, 4096, n + 16);
  const tail = filled.subarray(n - 4096, n);
  assert.ok(tail.some((b) => b !== 0), 'the last chunk is filled');
  assert.ok(filled.subarray(n).every((b) => b === 0), 'nothing past len');
});

test('fd_write sends whole lines to stdout and stderr, and counts the bytes', () => {
  const out = [];
  const err = [];
  const memory = new WebAssembly.Memory({ initial: 1 });
  const wasi = createWASI({ stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  wasi.setMemory(memory);
  const mem = new Uint8Array(memory.buffer);
  const dv = new DataView(memory.buffer);
  const write = (fd, ...parts) => {
    let at = 1024;
    parts.forEach((p, i) => {
      mem.set(p, at);
      dv.setUint32(256 + i * 8, at, true);
      dv.setUint32(256 + i * 8 + 4, p.length, true);
      at += p.length;
    });
    assert.equal(wasi.wasiImport.fd_write(fd, 256, parts.length, 512), 0);
    return dv.getUint32(512, true);
  };
  const enc = (s) => new TextEncoder().encode(s);
  const euro = enc('€'); // three bytes, split across iovecs and calls
  assert.equal(write(1, enc('hello '), euro.subarray(0, 1)), 7);
  assert.deepEqual(out, []);
  assert.equal(write(1, euro.subarray(1), enc(' world\nsecond line\npart')), 25);
  assert.deepEqual(out, ['hello € world', 'second line']);
  assert.equal(write(2, enc('panic: 你好\n')), 14);
  assert.deepEqual(err, ['panic: 你好']);
  assert.equal(wasi.wasiImport.fd_write(3, 256, 0, 512), 8, 'EBADF for other fds');
  assert.throws(() => wasi.wasiImport.proc_exit(2), (e) => e.code === 2 && /proc_exit 2/.test(e.message));
  assert.deepEqual(out, ['hello € world', 'second line', 'part'], 'proc_exit flushes a partial line');
});
