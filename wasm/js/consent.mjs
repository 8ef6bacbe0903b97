// consent.mjs: the JavaScript host of consent.wasm, the consent engine built
// as a WebAssembly (GOOS=wasip1) reactor. It loads the module in browsers,
// webviews, Node, and WeChat and Alipay mini-programs, and asks it what to
// show next. One file, no dependencies, no imports: copy it anywhere.
//
// The module's ABI is in wasm/ABI.md, the JSON it answers in
// engine/CONTRACT.md. The WASI shim below answers exactly the imports the
// module has (wasi_snapshot_preview1), as ABI.md measures them.
//
// The code keeps to what old webviews and mini-program compilers take:
// no private class members, no `?.`/`??`, no BigInt literals (BigInt itself
// is needed: the module's answers are i64).

/** The ABI version this host speaks (`consent_abi_version`). */
export const ABI_VERSION = 1;

/** The largest buffer `consent_alloc` grants: 4 MiB. */
export const MAX_BUFFER = 4 << 20;

// WASI errno values (wasi_snapshot_preview1).
const ESUCCESS = 0;
const EBADF = 8;
const EINVAL = 28;
const ENOSYS = 52;

// The global object, also where `globalThis` is missing (old mini-program
// base libraries).
const G = typeof globalThis !== 'undefined' ? globalThis
  : typeof self !== 'undefined' ? self // eslint-disable-line no-restricted-globals
    : typeof global !== 'undefined' ? global : {};

const HAS_BIGINT = typeof BigInt === 'function';
const B32 = HAS_BIGINT ? BigInt(32) : 0;
const MASK32 = HAS_BIGINT ? BigInt(0xffffffff) : 0;
const B1E6 = HAS_BIGINT ? BigInt(1000000) : 0;

// ---------------------------------------------------------------- UTF-8

const nativeEncoder = typeof G.TextEncoder === 'function' ? new G.TextEncoder() : null;
// ignoreBOM: a leading U+FEFF is kept, as the pure-JS decoder keeps it.
const nativeDecoder = typeof G.TextDecoder === 'function' ? new G.TextDecoder('utf-8', { ignoreBOM: true }) : null;

/**
 * Encodes a string as UTF-8: TextEncoder where the runtime has it, else a
 * pure-JS encoder with the same output (a lone surrogate becomes U+FFFD).
 * @param {string} s
 * @returns {Uint8Array}
 */
export function utf8Encode(s) {
  if (nativeEncoder) return nativeEncoder.encode(s);
  const out = new Uint8Array(s.length * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else {
        c = 0xfffd;
      }
    }
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 63);
    } else if (c < 0x10000) {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 63);
      out[n++] = 0x80 | (c & 63);
    } else {
      out[n++] = 0xf0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 63);
      out[n++] = 0x80 | ((c >> 6) & 63);
      out[n++] = 0x80 | (c & 63);
    }
  }
  return out.subarray(0, n);
}

/**
 * Decodes UTF-8: TextDecoder where the runtime has it, else a pure-JS
 * decoder with the same output (the WHATWG algorithm: each maximal invalid
 * subpart becomes one U+FFFD; a leading BOM is kept).
 * @param {Uint8Array} b
 * @returns {string}
 */
export function utf8Decode(b) {
  if (nativeDecoder) return nativeDecoder.decode(b);
  let s = '';
  let units = [];
  const emit = (cp) => {
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else {
      units.push(cp);
    }
    if (units.length >= 8192) {
      s += String.fromCharCode.apply(null, units);
      units = [];
    }
  };
  let cp = 0;
  let seen = 0;
  let needed = 0;
  let lower = 0x80;
  let upper = 0xbf;
  for (let i = 0; i < b.length; i++) {
    const x = b[i];
    if (needed === 0) {
      if (x <= 0x7f) {
        emit(x);
      } else if (x >= 0xc2 && x <= 0xdf) {
        needed = 1;
        cp = x & 0x1f;
      } else if (x >= 0xe0 && x <= 0xef) {
        if (x === 0xe0) lower = 0xa0;
        if (x === 0xed) upper = 0x9f;
        needed = 2;
        cp = x & 0xf;
      } else if (x >= 0xf0 && x <= 0xf4) {
        if (x === 0xf0) lower = 0x90;
        if (x === 0xf4) upper = 0x8f;
        needed = 3;
        cp = x & 0x7;
      } else {
        emit(0xfffd);
      }
      continue;
    }
    if (x < lower || x > upper) {
      cp = needed = seen = 0;
      lower = 0x80;
      upper = 0xbf;
      emit(0xfffd);
      i--; // the byte starts over
      continue;
    }
    lower = 0x80;
    upper = 0xbf;
    cp = (cp << 6) | (x & 0x3f);
    if (++seen === needed) {
      emit(cp);
      cp = needed = seen = 0;
    }
  }
  if (needed !== 0) emit(0xfffd);
  return s + String.fromCharCode.apply(null, units);
}

// ---------------------------------------------------------------- WASI

/**
 * Fills a view of the module's memory with random bytes: crypto.getRandomValues
 * in chunks of 65536 (its limit), or Math.random where there is no crypto.
 * @param {Uint8Array} view
 */
function fillRandom(view) {
  const c = G.crypto;
  const secure = c && typeof c.getRandomValues === 'function';
  for (let i = 0; i < view.length; i += 65536) {
    const part = view.subarray(i, Math.min(i + 65536, view.length));
    if (secure) {
      c.getRandomValues(part);
    } else {
      // WeChat has no synchronous crypto. The Go runtime only seeds its
      // hash maps with these bytes; the engine itself reads no randomness.
      for (let j = 0; j < part.length; j++) part[j] = (Math.random() * 256) | 0;
    }
  }
}

let lastMono = 0;
/**
 * A monotonic clock in milliseconds: performance.now, or Date.now kept from
 * going backwards.
 * @returns {number}
 */
function monotonicMillis() {
  const p = G.performance;
  let t = p && typeof p.now === 'function' ? p.now() : Date.now();
  if (t < lastMono) t = lastMono; // never backwards, even on Date.now
  lastMono = t;
  return t;
}

/**
 * @typedef {object} ConsentOptions
 * @property {(line: string) => void} [stdout] receives what the module
 *   writes to fd 1, a line at a time (default: console.log)
 * @property {(line: string) => void} [stderr] receives what the module
 *   writes to fd 2, a line at a time (default: console.error). The module
 *   writes only on a runtime fault.
 */

/**
 * @typedef {object} WASIShim
 * @property {{wasi_snapshot_preview1: Object<string, Function>}} imports
 *   the import object to instantiate consent.wasm with
 * @property {Object<string, Function>} wasiImport the
 *   wasi_snapshot_preview1 functions alone (as node:wasi names them)
 * @property {(memory: WebAssembly.Memory) => void} setMemory tells the shim
 *   the instance's memory (before any call into the module)
 * @property {(instance: WebAssembly.Instance) => void} initialize sets the
 *   memory and calls the reactor's `_initialize` once, like node:wasi's
 *   `wasi.initialize(instance)`
 * @property {() => void} flush hands on a partial last line of output
 */

/**
 * Creates the module's own WASI shim: the wasi_snapshot_preview1 functions
 * consent.wasm imports, answered as wasm/ABI.md says, for hosts that have
 * no WASI of their own (browsers, webviews, mini-programs). No arguments,
 * no environment, no preopened directories; fds 0-2 are character devices;
 * `poll_oneoff` throws, as browser shims' does: the module never sleeps.
 *
 * Use it to instantiate the module yourself:
 *
 *     const wasi = createWASI();
 *     const { instance } = await WebAssembly.instantiate(bytes, wasi.imports);
 *     wasi.initialize(instance);
 *     const engine = Consent.fromInstance(instance);
 *
 * @param {ConsentOptions} [options]
 * @returns {WASIShim}
 */
export function createWASI(options) {
  const opts = options || {};
  let memory = null;
  let initialized = false;
  const sinks = {
    1: typeof opts.stdout === 'function' ? opts.stdout : (line) => console.log(line),
    2: typeof opts.stderr === 'function' ? opts.stderr : (line) => console.error(line),
  };
  // Bytes written but not yet ended by a newline, per fd: a character may
  // be split across iovecs or calls.
  const pending = { 1: [], 2: [] };

  const mem = () => {
    if (!memory) throw new Error('consent.mjs: the WASI shim has no memory yet: call setMemory or initialize first');
    return memory.buffer;
  };
  const view = () => new DataView(mem());
  const bytes = () => new Uint8Array(mem());

  const send = (fd, byteList) => {
    try {
      sinks[fd](utf8Decode(Uint8Array.from(byteList)));
    } catch (e) {
      // A host's logger failing must not fail the module's call.
    }
  };
  const emitLines = (fd, final) => {
    const buf = pending[fd];
    let start = 0;
    for (let i = 0; i < buf.length; i++) {
      if (buf[i] === 10) {
        send(fd, buf.slice(start, i));
        start = i + 1;
      }
    }
    let rest = buf.slice(start);
    if (final && rest.length) {
      send(fd, rest);
      rest = [];
    }
    pending[fd] = rest;
  };
  const flush = () => {
    emitLines(1, true);
    emitLines(2, true);
  };

  const wasi = {
    args_sizes_get(argcPtr, sizePtr) {
      const dv = view();
      dv.setUint32(argcPtr, 0, true);
      dv.setUint32(sizePtr, 0, true);
      return ESUCCESS;
    },
    args_get() { return ESUCCESS; },
    environ_sizes_get(countPtr, sizePtr) {
      const dv = view();
      dv.setUint32(countPtr, 0, true);
      dv.setUint32(sizePtr, 0, true);
      return ESUCCESS;
    },
    environ_get() { return ESUCCESS; },
    clock_time_get(id, precision, resultPtr) {
      let ns;
      if (id === 0) { // realtime
        ns = BigInt(Date.now()) * B1E6;
      } else if (id >= 1 && id <= 3) { // monotonic, process and thread CPU time
        ns = BigInt(Math.round(monotonicMillis() * 1e6));
      } else {
        return EINVAL;
      }
      view().setBigUint64(resultPtr, ns, true);
      return ESUCCESS;
    },
    random_get(ptr, len) {
      fillRandom(bytes().subarray(ptr, ptr + len));
      return ESUCCESS;
    },
    fd_write(fd, iovs, iovsLen, nwrittenPtr) {
      if (fd !== 1 && fd !== 2) return EBADF;
      const dv = view();
      const all = bytes();
      let total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const p = dv.getUint32(iovs + i * 8, true);
        const l = dv.getUint32(iovs + i * 8 + 4, true);
        const chunk = all.subarray(p, p + l);
        for (let j = 0; j < chunk.length; j++) pending[fd].push(chunk[j]);
        total += l;
      }
      dv.setUint32(nwrittenPtr, total, true);
      emitLines(fd, false);
      return ESUCCESS;
    },
    proc_exit(code) {
      flush();
      const err = new Error(`consent.wasm exited (proc_exit ${code}): the module failed; see what it wrote to stderr`);
      err.code = code;
      throw err;
    },
    fd_fdstat_get(fd, statPtr) {
      if (fd > 2) return EBADF;
      // struct fdstat: u8 filetype, u16 flags, u64 rights_base, u64 rights_inheriting.
      const dv = view();
      for (let i = 0; i < 24; i++) dv.setUint8(statPtr + i, 0);
      dv.setUint8(statPtr, 2); // character device
      dv.setUint32(statPtr + 8, fd === 0 ? 1 << 1 : 1 << 6, true); // fd_read, or fd_write
      return ESUCCESS;
    },
    fd_fdstat_set_flags() { return ESUCCESS; },
    fd_prestat_get() { return EBADF; }, // no preopened directories
    fd_prestat_dir_name() { return ENOSYS; },
    fd_read() { return ENOSYS; },
    fd_close() { return ENOSYS; },
    sched_yield() { return ESUCCESS; },
    poll_oneoff() {
      throw new Error('consent.mjs: poll_oneoff is not supported (the module never sleeps or waits)');
    },
  };

  return {
    imports: { wasi_snapshot_preview1: wasi },
    wasiImport: wasi,
    setMemory(m) { memory = m; },
    initialize(instance) {
      if (initialized) throw new Error('consent.mjs: initialize called twice');
      initialized = true;
      memory = instance.exports.memory;
      if (typeof instance.exports._initialize !== 'function') {
        throw new Error('consent.mjs: the module has no _initialize export: it is not the consent.wasm reactor');
      }
      instance.exports._initialize();
    },
    flush,
  };
}

/**
 * The same as {@link createWASI}: the shim's `{ imports, setMemory, initialize }`.
 * @param {ConsentOptions} [options]
 * @returns {WASIShim}
 */
export function wasiImports(options) {
  return createWASI(options);
}

// ---------------------------------------------------------------- loading

/**
 * Whether x is bytes: an ArrayBuffer or any view of one.
 * @param {unknown} x
 * @returns {boolean}
 */
function isBytes(x) {
  return x instanceof ArrayBuffer || (typeof ArrayBuffer.isView === 'function' && ArrayBuffer.isView(x));
}

/**
 * Whether x is a fetch Response (or a polyfill's).
 * @param {unknown} x
 * @returns {boolean}
 */
function isResponseLike(x) {
  return x != null && typeof x === 'object' && typeof x.arrayBuffer === 'function' && typeof x.status === 'number';
}

/**
 * Whether a Response is served as application/wasm, which
 * instantiateStreaming requires.
 * @param {Response} response
 * @returns {boolean}
 */
function isWasmType(response) {
  const ct = response.headers && typeof response.headers.get === 'function' ? response.headers.get('content-type') : '';
  return String(ct || '').split(';')[0].trim().toLowerCase() === 'application/wasm';
}

/**
 * The instance of what an instantiate call resolved to.
 * @param {WebAssembly.WebAssemblyInstantiatedSource|WebAssembly.Instance} result
 * @returns {WebAssembly.Instance}
 */
function instanceOf(result) {
  // instantiate(bytes or a path) gives {module, instance}; instantiate(Module) gives the Instance.
  return result && result.instance ? result.instance : result;
}

/**
 * Initialises a fresh instance through its shim and wraps it.
 * @param {WebAssembly.WebAssemblyInstantiatedSource|WebAssembly.Instance} result
 * @param {WASIShim} wasi
 * @returns {Consent}
 */
function start(result, wasi) {
  const instance = instanceOf(result);
  if (!instance || !instance.exports) throw new Error('consent.mjs: instantiation gave no instance');
  wasi.initialize(instance);
  return new Consent(instance);
}

// ---------------------------------------------------------------- the engine

/**
 * A consent engine: one instance of consent.wasm. Every method is
 * synchronous and answers with the engine's JSON contract
 * (engine/CONTRACT.md). An instance is for one thread; use one per user
 * session or share it, the module keeps no user state (the state travels
 * in the requests).
 */
export class Consent {
  /**
   * Wraps an initialised instance. Hosts use the static loaders or
   * {@link Consent.fromInstance}.
   * @param {WebAssembly.Instance} instance
   */
  constructor(instance) {
    if (!HAS_BIGINT) throw new Error('consent.mjs: this runtime has no BigInt, which the module\'s i64 answers need');
    const x = instance && instance.exports;
    const missing = ['memory', 'consent_abi_version', 'consent_alloc', 'consent_free', 'consent_decide', 'consent_load_bundle', 'consent_info']
      .filter((name) => !x || !x[name]);
    if (missing.length) throw new Error(`consent.mjs: not consent.wasm: the instance lacks ${missing.join(', ')}`);
    const v = x.consent_abi_version();
    if (v !== ABI_VERSION) throw new Error(`consent.mjs: consent.wasm has ABI ${v}; this host speaks ABI ${ABI_VERSION}`);
    /** @private */
    this._x = x;
    /** @private the request buffer from consent_alloc, reused */
    this._buf = 0;
    /** @private its size */
    this._size = 0;
  }

  /**
   * Instantiates consent.wasm with the shim of {@link createWASI}, from its
   * bytes, a compiled `WebAssembly.Module`, a fetch `Response` (or a promise
   * of one), or a URL, which it fetches. A Response served as
   * `application/wasm` is compiled while it streams
   * (`WebAssembly.instantiateStreaming`); any other is read first.
   *
   * In Node, pass the bytes (`await readFile(path)`): Node's fetch does not
   * read files.
   *
   * @param {ArrayBuffer|ArrayBufferView|WebAssembly.Module|Response|Promise<Response>|URL|string} source
   * @param {ConsentOptions} [options]
   * @returns {Promise<Consent>}
   */
  static async load(source, options) {
    const WA = G.WebAssembly;
    if (!WA) {
      throw new Error('consent.mjs: this runtime has no WebAssembly (in a WeChat mini-program use Consent.loadWX, in Alipay Consent.loadAlipay)');
    }
    const wasi = createWASI(options);
    let src = source;
    if (src && typeof src.then === 'function') src = await src;
    if (typeof src === 'string' || (typeof URL === 'function' && src instanceof URL)) {
      const url = String(src);
      if (/^file:/i.test(url)) {
        throw new Error(`consent.mjs: cannot fetch ${url}: read the file and pass its bytes (Consent.load(await readFile(path)))`);
      }
      if (typeof G.fetch !== 'function') throw new Error(`consent.mjs: no fetch in this runtime to get ${url}: pass the module's bytes`);
      src = await G.fetch(url);
    }
    if (isResponseLike(src)) {
      if (src.ok === false) {
        throw new Error(`consent.mjs: fetching consent.wasm failed: HTTP ${src.status} ${src.statusText || ''} ${src.url || ''}`.trim());
      }
      if (typeof WA.instantiateStreaming === 'function' && typeof G.Response === 'function' &&
        src instanceof G.Response && isWasmType(src)) {
        return start(await WA.instantiateStreaming(src, wasi.imports), wasi);
      }
      return start(await WA.instantiate(await src.arrayBuffer(), wasi.imports), wasi);
    }
    if (typeof WA.Module === 'function' && src instanceof WA.Module) {
      return start(await WA.instantiate(src, wasi.imports), wasi);
    }
    if (isBytes(src)) {
      // Any view (a DataView too) as the Uint8Array of its bytes.
      const b = src instanceof ArrayBuffer ? src : new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
      return start(await WA.instantiate(b, wasi.imports), wasi);
    }
    throw new TypeError('consent.mjs: Consent.load takes the module\'s bytes (ArrayBuffer, Uint8Array), a WebAssembly.Module, a Response or a URL');
  }

  /**
   * Instantiates consent.wasm in a WeChat mini-program (base library 2.13
   * or later), with `WXWebAssembly.instantiate(path, imports)`. `path` is
   * the module's absolute path in the mini-program's package, such as
   * "/consent.wasm", or "/consent.wasm.br" for a Brotli-compressed copy
   * (base library 2.14 or later), which keeps it under the package size limit.
   * @param {string} path
   * @param {ConsentOptions} [options]
   * @returns {Promise<Consent>}
   */
  static async loadWX(path, options) {
    /* global WXWebAssembly */
    const WX = typeof WXWebAssembly !== 'undefined' ? WXWebAssembly : G.WXWebAssembly;
    if (!WX || typeof WX.instantiate !== 'function') {
      throw new Error('consent.mjs: WXWebAssembly is not available: not a WeChat mini-program, or its base library is older than 2.13');
    }
    if (typeof path !== 'string') {
      throw new TypeError('consent.mjs: WXWebAssembly takes the .wasm file\'s path in the package, such as "/consent.wasm"');
    }
    const wasi = createWASI(options);
    return start(await WX.instantiate(path, wasi.imports), wasi);
  }

  /**
   * Instantiates consent.wasm in an Alipay mini-program: with
   * `my.WebAssembly` where the runtime has it, else the global
   * `MYWebAssembly`, else the standard `WebAssembly`. The first two take the
   * module's absolute path in the package ("/consent.wasm"); the standard
   * one takes its bytes.
   * @param {string|ArrayBuffer|ArrayBufferView} pathOrBytes
   * @param {ConsentOptions} [options]
   * @returns {Promise<Consent>}
   */
  static async loadAlipay(pathOrBytes, options) {
    /* global my, MYWebAssembly */
    const myApi = typeof my !== 'undefined' ? my : G.my;
    let WA = myApi && myApi.WebAssembly;
    if (!WA) WA = typeof MYWebAssembly !== 'undefined' ? MYWebAssembly : G.MYWebAssembly;
    const standard = !WA;
    if (standard) WA = G.WebAssembly;
    if (!WA || typeof WA.instantiate !== 'function') {
      throw new Error('consent.mjs: no WebAssembly in this runtime (Alipay has it from base library 2.9.7, client 10.5.60)');
    }
    if (standard && typeof pathOrBytes === 'string') {
      throw new TypeError(`consent.mjs: this runtime's WebAssembly takes bytes, not a path: read ${pathOrBytes} and pass its bytes`);
    }
    if (!standard && typeof pathOrBytes !== 'string' && !isBytes(pathOrBytes)) {
      throw new TypeError('consent.mjs: Consent.loadAlipay takes the .wasm file\'s path in the package or its bytes');
    }
    const wasi = createWASI(options);
    return start(await WA.instantiate(pathOrBytes, wasi.imports), wasi);
  }

  /**
   * Wraps an instance that the host made and initialised itself, for
   * example with Node's own WASI:
   *
   *     const wasi = new WASI({ version: 'preview1' });
   *     const { instance } = await WebAssembly.instantiate(bytes, wasi.getImportObject());
   *     wasi.initialize(instance);
   *     const engine = Consent.fromInstance(instance);
   *
   * (or with {@link createWASI} and its `initialize`).
   * @param {WebAssembly.Instance} instance
   * @returns {Consent}
   */
  static fromInstance(instance) {
    return new Consent(instance);
  }

  /**
   * Shows the first popup at once and loads the module in the background:
   * see {@link Launch}. `options.engine` is a Consent or the promise a
   * loader returns (`Consent.load(url)`, `Consent.loadWX(path)`).
   * @param {LaunchOptions} options
   * @returns {Launch}
   */
  static launch(options) {
    return new Launch(options);
  }

  /**
   * Copies an input into the request buffer, growing it when the input is
   * bigger, and calls `fn(ptr, len)`; returns the answer as a string.
   * @private
   * @param {(ptr: number, len: number) => bigint} fn
   * @param {Uint8Array} input
   * @returns {string}
   */
  _call(fn, input) {
    const x = this._x;
    const n = input.length;
    if (n > MAX_BUFFER) {
      throw new Error(`consent.mjs: the input is ${n} bytes; the module takes at most ${MAX_BUFFER} (4 MiB)`);
    }
    if (!this._buf || n > this._size) {
      const size = Math.min(MAX_BUFFER, Math.max(n, 4096, this._size * 2));
      if (this._buf) x.consent_free(this._buf);
      this._buf = 0;
      this._size = 0;
      const ptr = x.consent_alloc(size);
      if (!ptr) {
        throw new Error(`consent.mjs: consent_alloc(${size}) returned 0: the module refused the buffer (at most 4 MiB each, 16 MiB and 64 buffers in all)`);
      }
      this._buf = ptr;
      this._size = size;
    }
    // A fresh view: the memory may have grown in consent_alloc or any call.
    new Uint8Array(x.memory.buffer, this._buf, n).set(input);
    return this._read(fn(this._buf, n));
  }

  /**
   * Reads an answer `(ptr << 32) | len` out of the module's memory.
   * @private
   * @param {bigint} packed
   * @returns {string}
   */
  _read(packed) {
    const v = BigInt.asUintN(64, BigInt(packed));
    const ptr = Number(v >> B32);
    const len = Number(v & MASK32);
    return utf8Decode(new Uint8Array(this._x.memory.buffer, ptr, len));
  }

  /**
   * Decides one request: the response, or `{error: {code, message,
   * field}}` for bad input, which it returns rather than throws (the host
   * then keeps its previous state). A request object is sent as
   * `JSON.stringify` writes it; one it cannot write (a BigInt, a cycle) or
   * that has no JSON form (undefined, a function) gets a `bad_json` error
   * answer from the host itself, as text that is not JSON gets from the
   * module.
   * @param {object|string} request the request (engine/CONTRACT.md), or its JSON
   * @returns {object} the response
   */
  decide(request) {
    let json = request;
    if (typeof request !== 'string') {
      try {
        json = JSON.stringify(request);
      } catch (e) {
        // A BigInt, a cycle or a throwing toJSON: bad input, answered as
        // the module answers text that is not JSON, not thrown.
        return { error: { code: 'bad_json', message: `consent.mjs: the request cannot be written as JSON: ${e && e.message ? e.message : e}` } };
      }
      if (json === undefined) {
        return { error: { code: 'bad_json', message: `consent.mjs: the request is ${typeof request}, which has no JSON form: pass the request object or its JSON` } };
      }
    }
    return JSON.parse(this.decideJSON(json));
  }

  /**
   * `decide` on JSON text: the request's JSON in, the response's JSON out,
   * exactly as the module wrote it.
   * @param {string} json
   * @returns {string}
   */
  decideJSON(json) {
    return this._call((p, n) => this._x.consent_decide(p, n), utf8Encode(String(json)));
  }

  /**
   * Replaces the active policy bundle with a newer one signed by a key the
   * module trusts: `{ok: true, policy: {id, version}, hash}`, or
   * `{error: {code, message}}` with code `bad_bundle`, `bad_signature` or
   * `older_version`; a rejected bundle leaves the active one in place.
   * @param {Uint8Array|ArrayBuffer|ArrayBufferView|string} envelope the signed envelope (JSON)
   * @returns {object}
   */
  loadBundle(envelope) {
    let bytes;
    if (typeof envelope === 'string') bytes = utf8Encode(envelope);
    else if (envelope instanceof ArrayBuffer) bytes = new Uint8Array(envelope);
    else if (ArrayBuffer.isView(envelope)) bytes = new Uint8Array(envelope.buffer, envelope.byteOffset, envelope.byteLength);
    else throw new TypeError('consent.mjs: loadBundle takes the envelope as a string or bytes');
    return JSON.parse(this._call((p, n) => this._x.consent_load_bundle(p, n), bytes));
  }

  /**
   * What the module is: `{module, abi, policy: {id, version}, hash,
   * locales, keys}`: its build, the ABI version, the active policy, its
   * bundle's hash, its locales and the ids of the keys it trusts.
   * @returns {object}
   */
  info() {
    return JSON.parse(this._read(this._x.consent_info()));
  }

  /**
   * The module's ABI version (`consent_abi_version`): 1.
   * @returns {number}
   */
  abiVersion() {
    return this._x.consent_abi_version();
  }
}

// ---------------------------------------------------------------- the first popup

/**
 * The bundle locale the engine answers a requested BCP 47 tag in, as the
 * engine matches it (engine/locale.go): the same tag; for Chinese,
 * zh-TW for Hant, TW, HK and MO and zh-CN otherwise; the first locale of
 * the same language; else the default. Case and "_" do not matter.
 * @param {string[]} locales the bundle's locales
 * @param {string} defaultLocale the policy's default
 * @param {string} [tag]
 * @returns {string}
 */
export function matchLocale(locales, defaultLocale, tag) {
  if (!tag) return defaultLocale;
  const norm = (t) => String(t).replace(/_/g, '-').toLowerCase();
  const want = norm(tag);
  for (let i = 0; i < locales.length; i++) if (norm(locales[i]) === want) return locales[i];
  const subtags = want.split('-');
  const lang = subtags[0];
  if (lang === 'zh') {
    let zh = 'zh-CN';
    for (let i = 1; i < subtags.length; i++) {
      const sub = subtags[i];
      if (sub === 'hant' || sub === 'tw' || sub === 'hk' || sub === 'mo') {
        zh = 'zh-TW';
        break;
      }
      if (sub === 'hans' || sub === 'cn' || sub === 'sg') break;
    }
    if (locales.indexOf(zh) >= 0) return zh;
  }
  for (let i = 0; i < locales.length; i++) if (norm(locales[i]).split('-')[0] === lang) return locales[i];
  return defaultLocale;
}

/**
 * The precomputed actions of a fresh install's launch (first-launch.json,
 * which `promptc first-launch` writes and the package ships) for a locale,
 * matched as the engine matches it, and a platform; null if the file has
 * none for them.
 * @param {FirstLaunch} firstLaunch the parsed first-launch.json
 * @param {string} [locale] the request's `locale`
 * @param {string} platform the request's `device.platform`
 * @returns {object[]|null}
 */
export function firstLaunchActions(firstLaunch, locale, platform) {
  const f = firstLaunch;
  if (!f || f.format !== 1 || !f.actions || !f.locales) return null;
  const byPlatform = f.actions[matchLocale(f.locales, f.default_locale, locale)];
  const actions = byPlatform && byPlatform[platform];
  return Array.isArray(actions) ? actions : null;
}

/** A promise whose rejection no one need handle (the caller may not await it). */
function quiet(p) {
  p.catch(() => {});
  return p;
}

/** An Error of an engine's error answer, with its `code` and `field`. */
function engineError(what, e) {
  const err = new Error(`consent.mjs: ${what}: ${e.code}${e.field ? ` (${e.field})` : ''}: ${e.message}`);
  err.code = e.code;
  err.field = e.field;
  return err;
}

/**
 * @typedef {object} LaunchOptions
 * @property {Consent|Promise<Consent>} engine the engine, or the promise of
 *   a loader: the module loads while the precomputed popup is on screen
 * @property {FirstLaunch} [firstLaunch] the parsed first-launch.json; absent,
 *   nothing is shown until the module answers
 * @property {object} request the launch's request without `event`: `locale`,
 *   `device`, `os`, `installation`, `state` (the stored one, or a promise of
 *   it), `state_key`, `checkpoint`... Every decision sends it, with `now`
 *   the time of the decision unless `request.now` is given, the state of
 *   the last response, and its event
 * @property {(actions: object[], from: 'precomputed'|'module') => void} show
 *   draws these actions in place of what was shown: at once with the
 *   precomputed popup, then whenever the module's answer calls for another
 *   screen
 * @property {(response: object) => (void|Promise<void>)} [record] keeps each
 *   response of the module: enqueue its receipts, then save its state. The
 *   next decision waits for its promise
 */

/**
 * The first popup before the module is ready. `Consent.launch(options)`
 * shows the precomputed answer to a fresh install's launch at once
 * (`show(actions, 'precomputed')`), while the module loads; the user may
 * answer it at any time (`answer(event)`). When the module is ready it
 * replays the launch with the real request, and the module's answer is
 * the record (`record(response)`):
 *
 * - its actions are those shown: the user's answers, given before or
 *   after, are handed to the module in order as the next events, and each
 *   response is recorded and shown;
 * - they differ (a stored state with consent on record, another bundle):
 *   the host follows the module: `show(actions, 'module')`, and the
 *   answers given to the precomputed popup are not handed over (they are
 *   in `dropped`): they answered a screen the module did not ask for.
 *
 * The precomputed popup is shown only for a fresh install: when
 * `request.state` is absent, null, or a promise not yet read.
 */
export class Launch {
  /**
   * @param {LaunchOptions} options
   */
  constructor(options) {
    const o = options || {};
    if (!o.engine) throw new TypeError('consent.mjs: Consent.launch needs engine: a Consent, or the promise Consent.load(...) returns');
    if (!o.request || typeof o.request !== 'object') {
      throw new TypeError('consent.mjs: Consent.launch needs request: the launch request without its event ({locale, device, state, ...})');
    }
    if (typeof o.show !== 'function') throw new TypeError('consent.mjs: Consent.launch needs show(actions, from), which draws the actions');
    /** @private */
    this._o = o;
    /** The engine once the module is ready, else null. */
    this.engine = null;
    /** The module's last response (the record), else null. */
    this.response = null;
    /** The actions on screen, as last given to `show`. */
    this.shown = null;
    /** Where they came from: 'precomputed' or 'module'. */
    this.from = null;
    /** The answers to the precomputed popup not handed to the module, because its launch asked otherwise. */
    this.dropped = [];
    /** @private how many times show was called: an answer belongs to the screen it was given on */
    this._screen = 0;
    /** @private the screen the precomputed popup was (0: none) */
    this._precomputed = 0;
    /** @private the module's launch asked for another screen than the precomputed one */
    this._differs = false;

    const state = o.request.state;
    const fresh = state == null || typeof state.then === 'function';
    const pre = fresh ? firstLaunchActions(o.firstLaunch, o.request.locale, o.request.device && o.request.device.platform) : null;
    if (pre) {
      this._show(pre, 'precomputed');
      this._precomputed = this._screen;
    }
    /** @private the launch replayed on the module */
    this._launched = quiet(this._replay());
    /** @private the last answer handed over (settled, never rejected), after which the next one is */
    this._tail = this._launched;
    /**
     * Resolves to `{engine, response}`, the module's last response, once
     * the module has replayed the launch and been handed the answers given
     * until then; rejects if the module failed to load or refused the
     * launch request (the error's `code` and `field` are the engine's), and
     * nothing is recorded then.
     * @type {Promise<{engine: Consent, response: object}>}
     */
    this.ready = quiet(this._launched.then(() => this._tail).then(() => ({ engine: this.engine, response: this.response })));
  }

  /** @private */
  _show(actions, from) {
    this._screen++;
    this.shown = actions;
    this.from = from;
    this._o.show(actions, from);
  }

  /** @private one decision on the module: the request, now, the last state and the event */
  _decide(state, event) {
    const req = Object.assign({}, this._o.request, { state, event });
    if (req.now == null) req.now = new Date().toISOString();
    return this.engine.decide(req);
  }

  /** @private waits for the module, replays the launch, follows it */
  async _replay() {
    const engine = await this._o.engine;
    if (!engine || typeof engine.decide !== 'function') throw new TypeError('consent.mjs: Consent.launch: engine did not give a Consent');
    const state = await this._o.request.state;
    this.engine = engine;
    const r = this._decide(state == null ? null : state, { type: 'launch' });
    if (r.error) throw engineError('the module refused the launch', r.error);
    if (this._o.record) await this._o.record(r);
    this.response = r;
    if (!this._precomputed || JSON.stringify(r.actions) !== JSON.stringify(this.shown)) {
      this._differs = this._precomputed > 0;
      this._show(r.actions, 'module');
    }
    return { engine, response: r };
  }

  /**
   * Hands the user's answer to what is shown (`{type: 'policy_answer',
   * accepted: true}`, say) to the module, now if it is ready, else as soon
   * as it is and has replayed the launch. Resolves to the module's
   * response, which was recorded and shown; to an error answer (bad input:
   * nothing recorded or shown), as `decide` returns it; or to null for an
   * answer to the precomputed popup that the module's launch did not ask
   * for (see `dropped`). Rejects if the module failed to load or refused
   * the launch, or if `record` failed for this answer.
   * @param {object} event
   * @returns {Promise<object|null>}
   */
  answer(event) {
    if (!event || typeof event !== 'object' || typeof event.type !== 'string') {
      throw new TypeError('consent.mjs: answer takes an event, such as {type: "policy_answer", accepted: true}');
    }
    const screen = this._screen;
    const before = this._tail;
    const p = this._launched.then(() => before).then(() => this._handOver(event, screen));
    this._tail = p.then(() => {}, () => {});
    return quiet(p);
  }

  /** @private */
  async _handOver(event, screen) {
    if (this._differs && screen === this._precomputed) {
      this.dropped.push(event);
      return null;
    }
    const r = this._decide(this.response.state, event);
    if (r.error) return r;
    if (this._o.record) await this._o.record(r);
    this.response = r;
    this._show(r.actions, 'module');
    return r;
  }
}
