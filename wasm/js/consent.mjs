// consent.mjs: load the consent engine's WebAssembly module (consent.wasm)
// in a browser, a webview, Node, or a WeChat/Alipay mini-program, and ask
// it for decisions. No dependencies. The module's ABI is in wasm/ABI.md.

const ABI_VERSION = 1;
const EBADF = 8;
const ENOSYS = 52;

// UTF-8 without TextEncoder/TextDecoder, which some mini-program runtimes lack.
function utf8Encode(s) {
  if (typeof TextEncoder !== 'undefined') return new TextEncoder().encode(s);
  const out = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

function utf8Decode(b) {
  if (typeof TextDecoder !== 'undefined') return new TextDecoder().decode(b);
  let s = '';
  for (let i = 0; i < b.length;) {
    let c = b[i++];
    if (c >= 0xf0) c = ((c & 7) << 18) | ((b[i++] & 63) << 12) | ((b[i++] & 63) << 6) | (b[i++] & 63);
    else if (c >= 0xe0) c = ((c & 15) << 12) | ((b[i++] & 63) << 6) | (b[i++] & 63);
    else if (c >= 0xc0) c = ((c & 31) << 6) | (b[i++] & 63);
    s += String.fromCodePoint(c);
  }
  return s;
}

function randomFill(view) {
  const c = globalThis.crypto;
  for (let i = 0; i < view.length; i += 65536) {
    const part = view.subarray(i, Math.min(i + 65536, view.length));
    if (c && c.getRandomValues) c.getRandomValues(part);
    else for (let j = 0; j < part.length; j++) part[j] = (Math.random() * 256) | 0;
  }
}

/**
 * The module's own WASI shim: exactly the wasi_snapshot_preview1 imports
 * consent.wasm has, answered as wasm/ABI.md says. poll_oneoff throws, as
 * browser shims do: the module never calls it.
 * @param {{stdout?: (line: string) => void, stderr?: (line: string) => void}} [options]
 * @returns {{imports: WebAssembly.Imports, setMemory: (m: WebAssembly.Memory) => void}}
 */
export function wasiImports(options = {}) {
  let memory = null;
  const view = () => new DataView(memory.buffer);
  const bytes = () => new Uint8Array(memory.buffer);
  const out = { 1: options.stdout || ((l) => console.log(l)), 2: options.stderr || ((l) => console.error(l)) };
  const pending = { 1: '', 2: '' };
  const wasi = {
    args_sizes_get(argc, size) { view().setUint32(argc, 0, true); view().setUint32(size, 0, true); return 0; },
    args_get() { return 0; },
    environ_sizes_get(count, size) { view().setUint32(count, 0, true); view().setUint32(size, 0, true); return 0; },
    environ_get() { return 0; },
    clock_time_get(id, precision, result) {
      const ns = BigInt(Math.round((typeof performance !== 'undefined' && id !== 0 ? performance.now() : Date.now()) * 1e6));
      view().setBigUint64(result, ns, true);
      return 0;
    },
    random_get(ptr, len) { randomFill(bytes().subarray(ptr, ptr + len)); return 0; },
    fd_write(fd, iovs, iovsLen, nwritten) {
      const dv = view();
      let n = 0;
      let text = '';
      for (let i = 0; i < iovsLen; i++) {
        const p = dv.getUint32(iovs + i * 8, true);
        const l = dv.getUint32(iovs + i * 8 + 4, true);
        text += utf8Decode(bytes().subarray(p, p + l));
        n += l;
      }
      dv.setUint32(nwritten, n, true);
      if (fd === 1 || fd === 2) {
        const lines = (pending[fd] + text).split('\n');
        pending[fd] = lines.pop();
        for (const line of lines) out[fd](line);
        return 0;
      }
      return EBADF;
    },
    proc_exit(code) { throw new Error(`consent.wasm exited with code ${code}`); },
    fd_fdstat_get(fd, stat) {
      if (fd > 2) return EBADF;
      const dv = view();
      for (let i = 0; i < 24; i++) dv.setUint8(stat + i, 0);
      dv.setUint8(stat, 2); // character device
      return 0;
    },
    fd_fdstat_set_flags() { return 0; },
    fd_prestat_get() { return EBADF; },
    fd_prestat_dir_name() { return EBADF; },
    fd_close() { return EBADF; },
    fd_read() { return ENOSYS; },
    sched_yield() { return 0; },
    poll_oneoff() { throw new Error('poll_oneoff is not supported: consent.wasm never sleeps'); },
  };
  return { imports: { wasi_snapshot_preview1: wasi }, setMemory(m) { memory = m; } };
}

/** A consent engine running in a module instance. */
export class Consent {
  /**
   * Instantiates consent.wasm from bytes, a fetch Response, or a URL.
   * @param {ArrayBuffer|Uint8Array|Response|URL|string} source
   * @param {{stdout?: (line: string) => void, stderr?: (line: string) => void}} [options]
   * @returns {Promise<Consent>}
   */
  static async load(source, options = {}) {
    const shim = wasiImports(options);
    let result;
    if (typeof source === 'string' || source instanceof URL) source = fetch(source);
    if (source && typeof source.then === 'function') source = await source;
    if (typeof Response !== 'undefined' && source instanceof Response) {
      if (WebAssembly.instantiateStreaming && (source.headers.get('content-type') || '').startsWith('application/wasm')) {
        result = await WebAssembly.instantiateStreaming(source, shim.imports);
      } else {
        result = await WebAssembly.instantiate(await source.arrayBuffer(), shim.imports);
      }
    } else {
      result = await WebAssembly.instantiate(source, shim.imports);
    }
    return Consent.#start(result.instance || result, shim);
  }

  /**
   * Instantiates consent.wasm in a WeChat mini-program: `path` is the
   * module's path in the package ("/consent.wasm"), as WXWebAssembly wants.
   * @param {string} path
   * @param {object} [options]
   * @returns {Promise<Consent>}
   */
  static async loadWX(path, options = {}) {
    const WX = globalThis.WXWebAssembly;
    if (!WX) throw new Error('WXWebAssembly is not available: not a WeChat mini-program runtime');
    const shim = wasiImports(options);
    const result = await WX.instantiate(path, shim.imports);
    return Consent.#start(result.instance || result, shim);
  }

  /**
   * Instantiates consent.wasm in an Alipay mini-program (`my.WebAssembly`
   * where the runtime has it, else the standard WebAssembly), from a
   * package path or bytes.
   * @param {string|ArrayBuffer|Uint8Array} source
   * @param {object} [options]
   * @returns {Promise<Consent>}
   */
  static async loadAlipay(source, options = {}) {
    const my = globalThis.my;
    const WA = (my && my.WebAssembly) || globalThis.WebAssembly;
    const shim = wasiImports(options);
    const result = await WA.instantiate(source, shim.imports);
    return Consent.#start(result.instance || result, shim);
  }

  /**
   * Wraps an instance the host made itself (with node:wasi, say) and has
   * already initialised.
   * @param {WebAssembly.Instance} instance
   * @returns {Consent}
   */
  static fromInstance(instance) { return new Consent(instance); }

  static #start(instance, shim) {
    shim.setMemory(instance.exports.memory);
    instance.exports._initialize();
    return new Consent(instance);
  }

  #x; #buf = 0; #size = 0;

  constructor(instance) {
    this.#x = instance.exports;
    const v = this.#x.consent_abi_version();
    if (v !== ABI_VERSION) throw new Error(`consent.wasm has ABI ${v}; this host speaks ${ABI_VERSION}`);
  }

  #read(packed) {
    const p = BigInt.asUintN(64, BigInt(packed));
    const ptr = Number(p >> 32n);
    const len = Number(p & 0xffffffffn);
    return utf8Decode(new Uint8Array(this.#x.memory.buffer, ptr, len));
  }

  #call(fn, bytes) {
    const n = Math.max(bytes.length, 1);
    if (n > this.#size) {
      if (this.#buf) this.#x.consent_free(this.#buf);
      const size = Math.max(n, 4096);
      this.#buf = this.#x.consent_alloc(size);
      if (!this.#buf) throw new Error(`consent_alloc(${size}) refused: the input is over 4 MiB or the module holds too much`);
      this.#size = size;
    }
    new Uint8Array(this.#x.memory.buffer, this.#buf, bytes.length).set(bytes);
    return this.#read(fn(this.#buf, bytes.length));
  }

  /**
   * Decides one request (CONTRACT.md): the response, or {error}.
   * @param {object|string} request
   * @returns {object}
   */
  decide(request) {
    return JSON.parse(this.decideJSON(typeof request === 'string' ? request : JSON.stringify(request)));
  }

  /** The raw JSON form of decide. @param {string} json @returns {string} */
  decideJSON(json) { return this.#call(this.#x.consent_decide, utf8Encode(json)); }

  /**
   * Replaces the active bundle with a newer one signed by a trusted key.
   * @param {Uint8Array|ArrayBuffer|string} envelope
   * @returns {object} {ok, policy, hash} or {error}
   */
  loadBundle(envelope) {
    const bytes = typeof envelope === 'string' ? utf8Encode(envelope) : new Uint8Array(envelope);
    return JSON.parse(this.#call(this.#x.consent_load_bundle, bytes));
  }

  /** The module's build, ABI, active policy, bundle hash, locales and keys. @returns {object} */
  info() { return JSON.parse(this.#read(this.#x.consent_info())); }

  /** @returns {number} */
  abiVersion() { return this.#x.consent_abi_version(); }
}
