// The upload queue of consent receipts: a host hands it the receipts each
// engine response carries (format 2, hash-chained per installation), it
// persists them at once, uploads them in order to the consent-record
// service (`records serve`, README "The consent-record service") and keeps
// the signed checkpoint the service answers, which the host sends with its
// engine requests (`checkpoint`). Transports for fetch (browsers,
// webviews, Node 18+), wx.request (WeChat) and my.request (Alipay); any
// storage adapter of storage.mjs. No imports, no dependencies.
//
// What the service answers, and what the queue does:
//
//   200            the batch is stored (or was already: an answer lost on
//                  the way, then re-sent): keep its checkpoint, go on
//   409            gap, fork, replayed_head: the record holds another
//                  chain than this queue. The queue stops (persisted) and
//                  reports the service's head; the host restores its state
//                  from the record (fetchChain, the engine's restore event)
//                  and calls resync
//   400            bad_batch, bad_hash: a receipt the service will never
//                  take; the queue stops, as for 409
//   413            the batch is too big for something on the way: halved
//                  and sent again, down to one receipt
//   401, other 4xx reported at once, never retried; the queue goes on at
//                  the next flush (a new token, say)
//   5xx, 408, 429, retried with exponential backoff (Retry-After
//   no answer      honoured), then reported as retryable
//
// Storage layout, under `${prefix}${installation}/`: `meta` (JSON: the
// first segment not wholly acknowledged, how many of its receipts are, the
// checkpoint, why the queue stopped) and segments `0`, `1`, ... (JSON
// arrays of receipts, each at most segmentSize characters). enqueue only
// writes the newest segment, one key per call; an acknowledgement writes
// meta, then removes the segments it consumed. A key is written whole or
// not at all on every platform, so the app may be killed at any point:
// what enqueue resolved is there at the next start, and what the service
// acknowledged but meta does not say yet is sent again and answered
// with the same checkpoint.

/** The service's bounds on one upload (records.MaxBatch, records.MaxBatchSize). */
export const MAX_BATCH = 1000;
export const MAX_BATCH_BYTES = 1 << 20;

const INSTALLATION = /^[A-Za-z0-9._:-]{1,64}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const CONFLICT = new Set(['gap', 'fork', 'replayed_head']);

/**
 * An error of the queue or of the service. `code` is the service's error
 * code (`gap`, `fork`, `replayed_head`, `bad_batch`, `bad_hash`,
 * `unauthorized`, ...) or the queue's own: `network` (no answer after the
 * retries), `http_<status>` (an answer without an error body),
 * `bad_answer` (an answer that is not the service's), `bad_receipt`
 * (enqueue refused a receipt), `bad_storage` (what storage holds is not
 * the queue's).
 */
export class RecordsError extends Error {
  constructor(code, message, details = {}) {
    super(message);
    this.name = 'RecordsError';
    this.code = code;
    /** The HTTP status, when the service answered. */
    this.status = details.status;
    /** The field at fault, as the service or the queue names it (`receipts[3].hash`). */
    this.field = details.field;
    /** The service's head when it refused a batch: {seq, hash}. */
    this.head = details.head;
    /** The seq of the receipt at fault, or the first of the batch refused. */
    this.seq = details.seq;
    /** The same call may succeed later (network errors, 5xx, 429). */
    this.retryable = Boolean(details.retryable);
    /** The queue stopped: flush fails with this error until resync. */
    this.stopped = Boolean(details.stopped);
    if (details.cause !== undefined) this.cause = details.cause;
  }

  /** What meta keeps of a stopping error. */
  toJSON() {
    const out = { code: this.code, message: this.message };
    for (const k of ['status', 'field', 'head', 'seq']) if (this[k] !== undefined) out[k] = this[k];
    return out;
  }
}

// ---------------------------------------------------------------- transports
//
// Sources for the mini-program shapes (looked up when this was written):
// WeChat's API reference, wx.request (url, method, header, data, dataType
// "json" or anything else for text, responseType, timeout from base library
// 2.10.0; success({statusCode, header, data}); fail({errMsg})). Alipay's,
// as the mPaaS copy at help.aliyun.com has it (document 67556), my.request
// (url, method GET/POST/DELETE, headers whose keys and values are strings,
// data, timeout, dataType json/text/base64/arraybuffer; success({status,
// headers, data}); errors 11 to 20 in fail, 19 for an HTTP error).

function lowerHeaders(h) {
  const out = {};
  if (h && typeof h === 'object') {
    for (const k of Object.keys(h)) out[k.toLowerCase()] = String(h[k]);
  }
  return out;
}

function bodyText(data) {
  if (data === undefined || data === null) return '';
  if (typeof data === 'string') return data;
  return JSON.stringify(data); // a runtime that parsed the JSON despite dataType
}

/**
 * A transport over fetch (browsers, webviews, Node 18+): `request` ->
 * Promise<{status, headers, body}>, rejecting when no answer came (the
 * network, the timeout). A page on another origin than the service needs
 * CORS, which the service does not answer: serve it from the same origin
 * or relay through the app.
 */
export function fetchTransport(fetchFn = globalThis.fetch) {
  if (typeof fetchFn !== 'function') throw new TypeError('fetchTransport: no fetch: pass one (Node 18+ and browsers have globalThis.fetch)');
  return async (req) => {
    const ctrl = req.timeout && typeof AbortController === 'function' ? new AbortController() : null;
    const timer = ctrl ? setTimeout(() => ctrl.abort(), req.timeout) : null;
    try {
      const res = await fetchFn(req.url, { method: req.method, headers: req.headers, body: req.body, signal: ctrl ? ctrl.signal : undefined });
      const body = await res.text();
      const headers = {};
      res.headers.forEach((v, k) => {
        headers[k.toLowerCase()] = v;
      });
      return { status: res.status, headers, body };
    } finally {
      if (timer) clearTimeout(timer);
    }
  };
}

/**
 * WeChat: wx.request({url, method, header, data, dataType, responseType,
 * timeout}), answered by success({statusCode, header, data}) whatever the
 * HTTP status, fail({errMsg}) when no answer came. The service's domain
 * must be among the mini-program's request domains (HTTPS).
 */
export function wxTransport(wx = globalThis.wx) {
  if (!wx || typeof wx.request !== 'function') throw new TypeError('wxTransport: wx.request is not a function: pass the mini-program\'s wx');
  return (req) => new Promise((resolve, reject) => {
    const opts = {
      url: req.url,
      method: req.method,
      header: req.headers,
      dataType: 'text', // anything but json: the body as text, not parsed
      responseType: 'text',
      success: (res) => resolve({ status: res.statusCode, headers: lowerHeaders(res.header), body: bodyText(res.data) }),
      fail: (res) => {
        const e = new Error(`wx.request: ${res && res.errMsg ? res.errMsg : 'failed'}`);
        e.cause = res;
        reject(e);
      },
    };
    if (req.body !== undefined) opts.data = req.body;
    if (req.timeout) opts.timeout = req.timeout;
    wx.request(opts);
  });
}

/**
 * Alipay: my.request({url, method, headers, data, dataType, timeout}) --
 * `headers` where WeChat has `header` -- answered by success({status,
 * headers, data}); an HTTP error may come to fail instead, with the same
 * members (status, headers, data), which is read as the answer it is; a
 * fail with no HTTP status ({error, errorMessage}: 12 network, 13 timeout,
 * ...) is no answer. my.request takes GET and POST (the queue uses no
 * other), over HTTPS to a domain of the mini-program's allow list.
 */
export function myTransport(my = globalThis.my) {
  if (!my || typeof my.request !== 'function') throw new TypeError('myTransport: my.request is not a function: pass the mini-program\'s my');
  return (req) => new Promise((resolve, reject) => {
    const opts = {
      url: req.url,
      method: req.method,
      headers: req.headers,
      dataType: 'text',
      success: (res) => resolve({ status: res.status, headers: lowerHeaders(res.headers), body: bodyText(res.data) }),
      fail: (res) => {
        // Older clients put the error number (11 to 23) in status: only a
        // real HTTP status is an answer.
        if (res && typeof res.status === 'number' && res.status >= 100) {
          resolve({ status: res.status, headers: lowerHeaders(res.headers), body: bodyText(res.data) });
          return;
        }
        const e = new Error(`my.request: error ${res && (res.error ?? res.status)}: ${res && res.errorMessage ? res.errorMessage : 'failed'}`);
        e.cause = res;
        reject(e);
      },
    };
    if (req.body !== undefined) opts.data = req.body;
    if (req.timeout) opts.timeout = req.timeout;
    my.request(opts);
  });
}

// ---------------------------------------------------------------- helpers

/** The UTF-8 length of s (mini-programs have no TextEncoder). */
function utf8Length(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

const BATCH_OVERHEAD = utf8Length('{"receipts":[]}');

function defaultSleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Milliseconds a Retry-After header asks for (seconds or an HTTP date), or undefined. */
function retryAfter(value, now) {
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** Reads a receipt handed to enqueue (an object, or its JSON): {seq, hash, prev, json}. */
function readReceipt(r, field, installation) {
  const bad = (msg, member) => new RecordsError('bad_receipt', `${member ? `${field}.${member}` : field} ${msg}`, { field: member ? `${field}.${member}` : field });
  let obj = r;
  if (typeof r === 'string') {
    try {
      obj = JSON.parse(r);
    } catch (e) {
      throw bad(`is not JSON: ${e.message}`);
    }
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw bad(`is not a receipt object but ${obj === null ? 'null' : Array.isArray(obj) ? 'an array' : `a ${typeof obj}`}`);
  if (obj.v !== 2) {
    throw bad(`is ${JSON.stringify(obj.v)}: the service takes receipts of format 2 (the engine writes them from issue 13 on)`, 'v');
  }
  if (obj.installation === undefined) {
    throw bad('is missing: the engine names the installation in a receipt when the request carries `installation`', 'installation');
  }
  if (obj.installation !== installation) {
    throw bad(`is ${JSON.stringify(obj.installation)}: this queue uploads installation ${JSON.stringify(installation)}`, 'installation');
  }
  if (!Number.isSafeInteger(obj.seq) || obj.seq < 1) throw bad(`is ${JSON.stringify(obj.seq)}: a seq is an integer from 1`, 'seq');
  if (typeof obj.hash !== 'string' || !HEX64.test(obj.hash)) throw bad('is not 64 lower-case hex digits', 'hash');
  if (typeof obj.prev !== 'string' || (obj.prev !== '' && !HEX64.test(obj.prev))) throw bad('is not "" or 64 lower-case hex digits', 'prev');
  return { seq: obj.seq, hash: obj.hash, prev: obj.prev, json: JSON.stringify(obj) };
}

/** A checkpoint as the service signs it: {v, installation, seq, head, time, key, sig}. */
function isCheckpoint(c) {
  return c !== null && typeof c === 'object' && c.v === 1 && typeof c.installation === 'string' && Number.isSafeInteger(c.seq) &&
    typeof c.head === 'string' && typeof c.time === 'string' && typeof c.key === 'string' && typeof c.sig === 'string';
}

function parseJSON(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The error an answer carries: RecordsError fields from the service's {error, head} body. */
function answerError(res, batch) {
  const body = parseJSON(res.body);
  const err = body && typeof body === 'object' && body.error && typeof body.error === 'object' ? body.error : null;
  const code = err && typeof err.code === 'string' ? err.code : `http_${res.status}`;
  const message = err && typeof err.message === 'string' ? err.message : `the service answered HTTP ${res.status}`;
  const field = err && typeof err.field === 'string' && err.field !== '' ? err.field : undefined;
  let head;
  if (body && body.head && typeof body.head === 'object' && Number.isSafeInteger(body.head.seq) && typeof body.head.hash === 'string') {
    head = { seq: body.head.seq, hash: body.head.hash };
  }
  let seq;
  if (batch) {
    const m = field && /^receipts\[(\d+)\]/.exec(field);
    const i = m ? Number(m[1]) : 0;
    seq = batch[Math.min(i, batch.length - 1)].seq;
  }
  return { code, message, field, head, seq, status: res.status };
}

// ---------------------------------------------------------------- the queue

/**
 * Opens the queue of one installation over a storage adapter: reads what
 * an earlier run left (receipts not acknowledged, the checkpoint, a stop).
 * See ReceiptQueue for the options.
 */
export function openQueue(options) {
  return ReceiptQueue.open(options);
}

export class ReceiptQueue {
  /** Use ReceiptQueue.open (or openQueue): the constructor reads no storage. */
  constructor(options) {
    if (!options || typeof options !== 'object') throw new TypeError('ReceiptQueue: options are required: {url, token, installation, storage}');
    const o = options;
    if (typeof o.url !== 'string' || !/^https?:\/\/[^/]/.test(o.url)) {
      throw new TypeError(`ReceiptQueue: options.url must be the service's http(s) URL, not ${JSON.stringify(o.url)}`);
    }
    if (typeof o.token !== 'function' && (typeof o.token !== 'string' || o.token === '')) {
      throw new TypeError('ReceiptQueue: options.token must be the app token (a string) or a function returning it');
    }
    if (typeof o.installation !== 'string' || !INSTALLATION.test(o.installation)) {
      throw new TypeError(`ReceiptQueue: options.installation ${JSON.stringify(o.installation)} is not 1 to 64 characters of A-Z a-z 0-9 . _ : -`);
    }
    const s = o.storage;
    if (!s || typeof s.get !== 'function' || typeof s.set !== 'function' || typeof s.remove !== 'function') {
      throw new TypeError('ReceiptQueue: options.storage must be a storage adapter (get, set, remove: storage.mjs)');
    }
    const int = (name, def, min, max) => {
      const v = o[name] === undefined ? def : o[name];
      if (!Number.isSafeInteger(v) || v < min || v > max) throw new RangeError(`ReceiptQueue: options.${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(o[name])}`);
      return v;
    };
    this._url = o.url.replace(/\/+$/, '');
    this._token = o.token;
    this._installation = o.installation;
    this._storage = s;
    if (o.transport !== undefined && typeof o.transport !== 'function') throw new TypeError('ReceiptQueue: options.transport must be a function (fetchTransport, wxTransport, myTransport)');
    this._transport = o.transport || fetchTransport();
    if (o.prefix !== undefined && typeof o.prefix !== 'string') throw new TypeError('ReceiptQueue: options.prefix must be a string');
    this._prefix = `${o.prefix === undefined ? 'jitconsent.records.' : o.prefix}${o.installation}/`;
    this._batchSize = int('batchSize', 100, 1, MAX_BATCH);
    this._maxBytes = int('maxBatchBytes', MAX_BATCH_BYTES, 1024, MAX_BATCH_BYTES);
    this._segmentSize = int('segmentSize', 64 * 1024, 1024, 1 << 30);
    this._retries = int('retries', 4, 0, 100);
    this._retryDelay = int('retryDelay', 1000, 0, 3600000);
    this._maxRetryDelay = int('maxRetryDelay', 60000, 0, 86400000);
    this._timeout = int('timeout', 30000, 0, 3600000);
    for (const f of ['sleep', 'random', 'onRetry']) {
      if (o[f] !== undefined && typeof o[f] !== 'function') throw new TypeError(`ReceiptQueue: options.${f} must be a function`);
    }
    this._sleep = o.sleep || defaultSleep;
    this._random = o.random || Math.random;
    this._onRetry = o.onRetry || null;
    // What storage holds: segments from _first on; _skip of the first are acknowledged.
    this._segs = []; // [{n, entries: [{seq, hash, prev, json}], chars}]
    this._first = 0;
    this._skip = 0;
    this._checkpoint = null;
    this._stopped = null;
    this._lock = Promise.resolve();
    this._flushing = null;
    this._resyncing = null;
  }

  /** Opens the queue: reads the state an earlier run left in storage. */
  static async open(options) {
    const q = new ReceiptQueue(options);
    await q._load();
    return q;
  }

  /** The installation whose receipts this queue uploads. */
  get installation() {
    return this._installation;
  }

  /** The latest checkpoint the service signed, or null: send it as the engine requests' `checkpoint`. */
  get checkpoint() {
    return this._checkpoint;
  }

  /** How many receipts wait for the service's acknowledgement. */
  get pending() {
    let n = -this._skip;
    for (const s of this._segs) n += s.entries.length;
    return Math.max(0, n);
  }

  /** Why the queue stopped (a RecordsError with `stopped`), or null. */
  get stopped() {
    return this._stopped;
  }

  /** The receipts waiting, oldest first (parsed copies). */
  pendingReceipts() {
    return this._pendingEntries().map((e) => JSON.parse(e.json));
  }

  _metaKey() {
    return `${this._prefix}meta`;
  }

  _segKey(n) {
    return `${this._prefix}${n}`;
  }

  _pendingEntries() {
    const out = [];
    this._segs.forEach((s, i) => {
      for (let j = i === 0 ? this._skip : 0; j < s.entries.length; j++) out.push(s.entries[j]);
    });
    return out;
  }

  /** Runs fn after every storage operation before it (enqueue, acknowledgement, resync). */
  _exclusive(fn) {
    const run = this._lock.then(fn);
    this._lock = run.catch(() => {});
    return run;
  }

  async _load() {
    const badStorage = (key, msg) => new RecordsError('bad_storage', `storage key ${JSON.stringify(key)} ${msg}`, { field: key });
    const metaText = await this._storage.get(this._metaKey());
    if (metaText !== null) {
      const m = parseJSON(metaText);
      if (!m || typeof m !== 'object' || m.v !== 1 || !Number.isSafeInteger(m.first) || m.first < 0 || !Number.isSafeInteger(m.skip) || m.skip < 0 ||
        (m.checkpoint !== null && !isCheckpoint(m.checkpoint)) ||
        (m.stopped !== null && (typeof m.stopped !== 'object' || typeof m.stopped.code !== 'string' || typeof m.stopped.message !== 'string'))) {
        throw badStorage(this._metaKey(), 'is not the meta of a receipt queue');
      }
      this._first = m.first;
      this._skip = m.skip;
      this._checkpoint = m.checkpoint;
      if (m.stopped) {
        this._stopped = new RecordsError(m.stopped.code, m.stopped.message, { ...m.stopped, stopped: true });
      }
    }
    for (let n = this._first; ; n++) {
      const text = await this._storage.get(this._segKey(n));
      if (text === null) break;
      const list = parseJSON(text);
      if (!Array.isArray(list)) throw badStorage(this._segKey(n), 'is not a segment of receipts (a JSON array)');
      const entries = list.map((r, i) => {
        try {
          return readReceipt(r, `receipts[${i}]`, this._installation);
        } catch (e) {
          throw badStorage(this._segKey(n), `holds a receipt the queue cannot read: ${e.message}`);
        }
      });
      this._segs.push({ n, entries, chars: text.length });
    }
    if (this._skip > (this._segs.length ? this._segs[0].entries.length : 0)) {
      throw badStorage(this._metaKey(), `says ${this._skip} receipts of segment ${this._first} were acknowledged, and it holds fewer`);
    }
    // Segments an acknowledgement consumed but was stopped before removing.
    for (let n = this._first - 1; n >= 0; n--) {
      if ((await this._storage.get(this._segKey(n))) === null) break;
      await this._storage.remove(this._segKey(n));
    }
  }

  _meta(first, skip, checkpoint, stopped) {
    return JSON.stringify({ v: 1, first, skip, checkpoint, stopped: stopped ? stopped.toJSON() : null });
  }

  /**
   * Persists receipts (an array of receipt objects, as `decide` returns
   * them, or their JSON) before resolving: call it before saving the
   * state that response carries. The receipts of one call are consecutive
   * (seq, prev); receipts already queued, or acknowledged up to the
   * checkpoint, are recognised by seq and hash and skipped, so a call
   * repeated after a failure does not queue them twice.
   * Resolves with the number of receipts now pending. Rejects with a
   * RecordsError `bad_receipt` naming the receipt (nothing of that call
   * queued), or with the storage's error (receipts persisted before it
   * stay queued).
   */
  enqueue(receipts) {
    if (!Array.isArray(receipts)) {
      return Promise.reject(new RecordsError('bad_receipt', `receipts must be an array of receipts (the response's receipts), not ${receipts === null ? 'null' : typeof receipts}`, { field: 'receipts' }));
    }
    let entries;
    try {
      entries = receipts.map((r, i) => readReceipt(r, `receipts[${i}]`, this._installation));
      for (let i = 1; i < entries.length; i++) {
        const p = entries[i - 1];
        const e = entries[i];
        if (e.seq !== p.seq + 1 || e.prev !== p.hash) {
          throw new RecordsError('bad_receipt', `receipts[${i}] (seq ${e.seq}) does not follow receipts[${i - 1}] (seq ${p.seq}): the receipts of one call are consecutive, as the engine returns them`,
            { field: `receipts[${i}]`, seq: e.seq });
        }
      }
    } catch (e) {
      return Promise.reject(e);
    }
    return this._exclusive(async () => {
      const known = new Map();
      for (const e of this._pendingEntries()) known.set(e.seq, e.hash);
      if (this._checkpoint) known.set(this._checkpoint.seq, this._checkpoint.head);
      // A receipt already queued or acknowledged (same seq, same hash) is
      // skipped with every one before it: the hashes chain, so a receipt
      // that matches has the same history.
      let from = 0;
      entries.forEach((e, i) => {
        if (known.get(e.seq) === e.hash) from = i + 1;
      });
      const add = entries.slice(from);
      if (add.length === 0) return this.pending;
      let i = 0;
      while (i < add.length) {
        // Fill the newest segment up to segmentSize characters (at least one
        // receipt a segment), then start another: one key written a segment.
        let tail = this._segs.length ? this._segs[this._segs.length - 1] : null;
        let list;
        let n;
        if (tail && tail.chars + 1 + add[i].json.length <= this._segmentSize) {
          list = tail.entries.slice();
          n = tail.n;
        } else {
          list = [];
          n = tail ? tail.n + 1 : this._first;
          tail = null;
        }
        let chars = 2 + list.reduce((c, e, k) => c + e.json.length + (k ? 1 : 0), 0);
        do {
          chars += add[i].json.length + (list.length ? 1 : 0);
          list.push(add[i]);
          i++;
        } while (i < add.length && chars + 1 + add[i].json.length <= this._segmentSize);
        const text = `[${list.map((e) => e.json).join(',')}]`;
        await this._storage.set(this._segKey(n), text);
        const seg = { n, entries: list, chars: text.length };
        if (tail) this._segs[this._segs.length - 1] = seg;
        else this._segs.push(seg);
      }
      return this.pending;
    });
  }

  /**
   * Uploads every pending receipt, in order, in batches (batchSize
   * receipts, maxBatchBytes bytes at most; a batch ends where the chain
   * breaks, so the service judges the break). Resolves with {uploaded,
   * batches, pending, checkpoint}; rejects with a RecordsError (see the
   * top of this file). One flush runs at a time: a call while one runs
   * gets that one's promise, which also uploads what is enqueued meanwhile.
   */
  flush() {
    if (!this._flushing) {
      const resyncing = this._resyncing;
      this._flushing = (resyncing ? resyncing.then(() => this._flush()) : this._flush()).finally(() => {
        this._flushing = null;
      });
    }
    return this._flushing;
  }

  async _flush() {
    if (this._stopped) throw this._stopped;
    let uploaded = 0;
    let batches = 0;
    for (;;) {
      const batch = this._nextBatch();
      if (batch.length === 0) break;
      const body = `{"receipts":[${batch.map((e) => e.json).join(',')}]}`;
      const res = await this._send('POST', `/v1/installations/${encodeURIComponent(this._installation)}/receipts`, body, batch);
      if (res.status === 413) {
        if (batch.length > 1) {
          // Something on the way takes less than the service: halve, and remember it.
          this._batchSize = Math.ceil(batch.length / 2);
          this._maxBytes = Math.max(1024, Math.floor(utf8Length(body) / 2));
          continue;
        }
        throw await this._stop(answerError(res, batch));
      }
      if (res.status === 409 || res.status === 400) {
        const e = answerError(res, batch);
        if (res.status === 400 || CONFLICT.has(e.code)) throw await this._stop(e);
      }
      if (res.status !== 200) {
        const e = answerError(res, batch);
        throw new RecordsError(e.code, `${e.message} (HTTP ${res.status})`, e);
      }
      const cp = res.checkpoint;
      const last = batch[batch.length - 1];
      if (cp.installation !== this._installation || cp.seq !== last.seq || cp.head !== last.hash) {
        throw new RecordsError('bad_answer', `the checkpoint answered (installation ${cp.installation}, seq ${cp.seq}) is not the batch's last receipt (seq ${last.seq})`,
          { status: res.status, seq: last.seq });
      }
      await this._ack(batch.length, cp);
      uploaded += batch.length;
      batches++;
    }
    return { uploaded, batches, pending: this.pending, checkpoint: this._checkpoint };
  }

  /** The next batch: from the oldest pending receipt, within the limits, up to a break in the chain. */
  _nextBatch() {
    const out = [];
    let bytes = BATCH_OVERHEAD;
    for (const e of this._pendingEntries()) {
      if (out.length === this._batchSize) break;
      const n = utf8Length(e.json) + (out.length ? 1 : 0);
      if (out.length && bytes + n > this._maxBytes) break;
      const p = out[out.length - 1];
      if (p && (e.seq !== p.seq + 1 || e.prev !== p.hash)) break;
      out.push(e);
      bytes += n;
    }
    return out;
  }

  async _authorization() {
    const t = typeof this._token === 'function' ? await this._token() : this._token;
    if (typeof t !== 'string' || t === '') throw new RecordsError('unauthorized', 'options.token gave no token (a non-empty string)', { field: 'token' });
    return `Bearer ${t}`;
  }

  /**
   * Sends one request, retrying network errors, 5xx, 408 and 429 with
   * backoff. Resolves with the answer {status, headers, body} (and, for a
   * 200 to an upload, its checkpoint); an answer that is not retried is
   * the caller's to judge.
   */
  async _send(method, path, body, batch) {
    for (let attempt = 0; ; attempt++) {
      const headers = { Authorization: await this._authorization() };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      let res;
      let failure;
      try {
        res = await this._transport({ method, url: this._url + path, headers, body, timeout: this._timeout });
        if (!res || !Number.isInteger(res.status)) throw new TypeError('the transport answered no {status, headers, body}');
        res = { status: res.status, headers: lowerHeaders(res.headers), body: bodyText(res.body) };
      } catch (e) {
        failure = new RecordsError('network', `${method} ${path}: no answer from the service: ${e && e.message ? e.message : e}`, { retryable: true, cause: e, seq: batch ? batch[0].seq : undefined });
      }
      let wait;
      if (res) {
        const s = res.status;
        if (s >= 500 || s === 429 || s === 408) {
          const e = answerError(res, batch);
          failure = new RecordsError(e.code, `${method} ${path}: ${e.message} (HTTP ${s})`, { ...e, retryable: true });
          wait = retryAfter(res.headers['retry-after'], Date.now());
        } else if (s === 200) {
          const answer = parseJSON(res.body);
          if (answer === undefined || answer === null || typeof answer !== 'object') {
            // Not the service (a captive portal, a proxy's page): try again.
            failure = new RecordsError('bad_answer', `${method} ${path}: HTTP 200 with a body that is not the service's JSON`, { status: s, retryable: true });
          } else if (batch) {
            if (!isCheckpoint(answer.checkpoint)) {
              failure = new RecordsError('bad_answer', `${method} ${path}: HTTP 200 without a checkpoint`, { status: s, retryable: true });
            } else {
              return { ...res, checkpoint: answer.checkpoint };
            }
          } else {
            return { ...res, json: answer };
          }
        } else {
          return res;
        }
      }
      if (attempt >= this._retries) throw failure;
      const backoff = Math.min(this._maxRetryDelay, this._retryDelay * 2 ** attempt) * (0.5 + 0.5 * this._random());
      const delay = Math.round(wait === undefined ? backoff : Math.min(this._maxRetryDelay, Math.max(wait, backoff)));
      if (this._onRetry) this._onRetry(failure, attempt + 1, delay);
      await this._sleep(delay);
    }
  }

  /** Persists a stop and returns its error. */
  async _stop(e) {
    const err = new RecordsError(e.code, `${e.message} (HTTP ${e.status}): the queue stopped: restore the state from the service (fetchChain, the engine's restore event), then resync`,
      { ...e, stopped: true });
    await this._exclusive(async () => {
      await this._storage.set(this._metaKey(), this._meta(this._first, this._skip, this._checkpoint, err));
      this._stopped = err;
    });
    return err;
  }

  /** Drops the n oldest pending receipts (acknowledged, or given up) and keeps checkpoint; persisted. */
  _ack(n, checkpoint, clearStop = false) {
    return this._exclusive(async () => {
      let first = this._first;
      let skip = this._skip + n;
      let k = 0;
      while (k < this._segs.length && skip >= this._segs[k].entries.length) {
        skip -= this._segs[k].entries.length;
        first = this._segs[k].n + 1;
        k++;
      }
      let cp = this._checkpoint;
      if (checkpoint && (!cp || checkpoint.seq >= cp.seq)) cp = checkpoint;
      const stopped = clearStop ? null : this._stopped;
      await this._storage.set(this._metaKey(), this._meta(first, skip, cp, stopped));
      const gone = this._segs.slice(0, k);
      this._segs = this._segs.slice(k);
      this._first = first;
      this._skip = skip;
      this._checkpoint = cp;
      this._stopped = stopped;
      for (const s of gone) {
        try {
          await this._storage.remove(this._segKey(s.n));
        } catch {
          // Left behind: the next open removes it.
        }
      }
    });
  }

  /**
   * The installation's chain as the service holds it (GET .../receipts,
   * every page): {receipts, anchor?}. Feed `receipts` to the engine's
   * `restore` event (in parts of a few hundred for a long chain; see the
   * README), then call resync with the same chain.
   */
  async fetchChain() {
    const receipts = [];
    let anchor;
    let after = 0;
    for (;;) {
      const path = `/v1/installations/${encodeURIComponent(this._installation)}/receipts?after=${after}`;
      const res = await this._send('GET', path);
      if (res.status !== 200) {
        const e = answerError(res);
        throw new RecordsError(e.code, `GET ${path}: ${e.message} (HTTP ${res.status})`, e);
      }
      const page = res.json;
      if (!Array.isArray(page.receipts)) throw new RecordsError('bad_answer', `GET ${path}: the answer has no receipts array`, { status: 200 });
      for (const r of page.receipts) receipts.push(r);
      if (page.anchor) anchor = page.anchor;
      if (!page.more || page.receipts.length === 0) break;
      const seq = page.receipts[page.receipts.length - 1].seq;
      if (!Number.isSafeInteger(seq) || seq <= after) throw new RecordsError('bad_answer', `GET ${path}: the page ends with a receipt without a later seq`, { status: 200 });
      after = seq;
    }
    return anchor ? { receipts, anchor } : { receipts };
  }

  /**
   * Makes the queue agree with the service's chain (fetchChain's answer)
   * once the host has restored its state from it: drops the pending
   * receipts that do not extend the service's head (those it stores
   * already, and those it refused: after a 400, every pending receipt),
   * keeps the ones that do (made since the restore), takes the checkpoint
   * of the head (re-sending its last receipt, which the service answers
   * idempotently), and clears the stop. Resolves with {dropped, checkpoint,
   * pending}: the receipts dropped, for the host's log.
   */
  resync(chain) {
    if (!chain || typeof chain !== 'object' || !Array.isArray(chain.receipts)) {
      return Promise.reject(new TypeError('resync: chain must be what fetchChain answers: {receipts: [...], anchor?}'));
    }
    // A flush running finishes first; one asked for meanwhile waits for this.
    const run = (this._flushing ? this._flushing.catch(() => {}) : Promise.resolve()).then(() => this._resync(chain));
    const settled = run.then(() => {}, () => {}).then(() => {
      if (this._resyncing === settled) this._resyncing = null;
    });
    this._resyncing = settled;
    return run;
  }

  async _resync(chain) {
    let head = { seq: 0, hash: '' };
    let fresh;
    const last = chain.receipts[chain.receipts.length - 1];
    if (last) {
      const e = readReceipt(last, `chain.receipts[${chain.receipts.length - 1}]`, this._installation);
      head = { seq: e.seq, hash: e.hash };
      const cp = this._checkpoint;
      if (!cp || cp.seq < head.seq || (cp.seq === head.seq && cp.head !== head.hash)) {
        const res = await this._send('POST', `/v1/installations/${encodeURIComponent(this._installation)}/receipts`, `{"receipts":[${e.json}]}`, [e]);
        if (res.status !== 200) {
          const a = answerError(res, [e]);
          throw new RecordsError(a.code, `resync: the head's checkpoint: ${a.message} (HTTP ${res.status})`, a);
        }
        if (res.checkpoint.seq !== head.seq || res.checkpoint.head !== head.hash || res.checkpoint.installation !== this._installation) {
          throw new RecordsError('bad_answer', 'resync: the checkpoint answered is not the chain\'s head', { status: 200, seq: head.seq });
        }
        fresh = res.checkpoint;
      }
    } else if (chain.anchor && Number.isSafeInteger(chain.anchor.seq) && typeof chain.anchor.head === 'string') {
      head = { seq: chain.anchor.seq, hash: chain.anchor.head };
    }
    const pending = this._pendingEntries();
    let keep = -1;
    if (!(this._stopped && (this._stopped.code === 'bad_batch' || this._stopped.code === 'bad_hash' || this._stopped.status === 413))) {
      keep = pending.findIndex((e) => e.seq === head.seq + 1 && (head.seq === 0 || e.prev === head.hash));
    }
    const drop = keep === -1 ? pending.length : keep;
    const dropped = pending.slice(0, drop).map((e) => JSON.parse(e.json));
    await this._ack(drop, fresh, true);
    return { dropped, checkpoint: this._checkpoint, pending: this.pending };
  }
}
