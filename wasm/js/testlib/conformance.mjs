// The conformance runner of the Go package conformance (conformance/conformance.go), in
// JavaScript, following conformance/FORMAT.md: it reads the
// case files as the Go runner does, builds each step's request byte for
// byte as the Go runner's Request does, carries the state, and checks
// every expectation and the receipts' hash chain. A JavaScript host is so
// held to the native engine's transcript (dist/conformance.json).
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compact, elements, field, goLess, goString, marshalRawMap, members } from './gojson.mjs';

/** The repository's root (wasm/js/testlib/../../..). */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Reads a file the Go side builds, or fails naming the command that builds it. */
export function need(rel, command) {
  const path = join(root, rel);
  if (!existsSync(path)) {
    throw new Error(`${rel} is missing: build it first with \`${command}\` in ${root}`);
  }
  return readFileSync(path);
}

// What the tests need from the Go side, and the commands that build it.
const built = [
  ['dist/consent-test.wasm', 'make wasm-test'],
  ['dist/conformance.json', 'go run ./cmd/transcript -o dist/conformance.json'],
];

/** Fails, naming every missing file and the command that builds it, unless all are there. */
export function ensureBuilt() {
  const missing = built.filter(([rel]) => !existsSync(join(root, rel)));
  if (missing.length) {
    throw new Error(`missing: build first, in ${root}:\n` + missing.map(([rel, cmd]) => `  ${cmd}   (builds ${rel})`).join('\n'));
  }
}

/** The module under test: dist/consent-test.wasm. */
export function testModuleBytes() {
  ensureBuilt();
  return need(...built[0]);
}

/** The native engine's transcript: dist/conformance.json. */
export function transcript() {
  ensureBuilt();
  return JSON.parse(need(...built[1]).toString('utf8'));
}

// ---------------------------------------------------------------- reading cases

// A decoder of the Go runner's types with json.Decoder's
// DisallowUnknownFields: a member not in the struct is an error, keys match
// fields case-insensitively, the last of two wins, null leaves the zero value.
function struct(raw, where, fields) {
  const mems = members(raw);
  const names = Object.keys(fields);
  for (const [k] of mems) {
    if (!names.some((n) => n === k || n.toLowerCase() === k.toLowerCase())) {
      throw new Error(`${where}: json: unknown field "${k}"`);
    }
  }
  const out = {};
  for (const n of names) out[n] = fields[n](field(mems, n), `${where}.${n}`);
  return out;
}

const isNull = (raw) => raw === undefined || raw === 'null';

function str(raw, where) {
  if (isNull(raw)) return '';
  const v = JSON.parse(raw);
  if (typeof v !== 'string') throw new Error(`${where}: not a string`);
  return v;
}

function int(raw, where) {
  if (isNull(raw)) return 0;
  const v = JSON.parse(raw);
  if (!Number.isInteger(v)) throw new Error(`${where}: not an integer`);
  return v;
}

function strList(raw, where) {
  if (isNull(raw)) return null; // nil: not checked
  return elements(raw).map((e, i) => str(e, `${where}[${i}]`));
}

function strMap(raw, where) {
  const m = new Map();
  if (isNull(raw)) return m;
  for (const [k, v] of members(raw)) m.set(k, str(v, `${where}.${k}`));
  return m;
}

function rawMap(raw) {
  const m = new Map();
  if (isNull(raw)) return m;
  for (const [k, v] of members(raw)) m.set(k, v);
  return m;
}

const device = (raw, where) => struct(raw, where, { platform: str, version: str });

const text = (raw, where) => struct(raw, where, { action: int, field: str, equals: str, contains: str });

const expect = (raw, where) => (isNull(raw) ? expect('{}', where) : struct(raw, where, {
  actions: strList,
  sdks: strList,
  sdks_include: strList,
  sdks_exclude: strList,
  rules: strList,
  trace_contains: strList,
  receipts: strList,
  receipt_versions: strList,
  receipt_texts: strList,
  error: str,
  field: str,
  texts: (r, w) => (isNull(r) ? [] : elements(r).map((e, i) => text(e, `${w}[${i}]`))),
  state_has: strList,
  state_lacks: strList,
  sdk_data: sdkData,
  receipt_members: (r, w) => (isNull(r) ? null : elements(r).map((e, i) => rawMap(e, `${w}[${i}]`))),
}));

// Expect.SDKData, a map[string][]string: null (not checked) or an object
// whose values are lists of strings or null (a nil list, marshalled null).
function sdkData(raw, where) {
  if (isNull(raw)) return null;
  const out = {};
  for (const [k, v] of members(raw)) out[k] = strList(v, `${where}.${k}`);
  return out;
}

// conformance's stateOp: a step's state is an operation ("reinstall",
// "tamper"), or a state object to send (compacted as json.Compact does),
// or nothing (absent or null).
function stateOp(raw, where) {
  if (isNull(raw)) return { op: '', state: null };
  const t = raw.trim();
  if (t[0] === '"') {
    const op = JSON.parse(t);
    if (op.startsWith('step:')) {
      if (!/^step:[0-9]+$/.test(op) || Number(op.slice(5)) < 1) throw new Error(`${where}: state "${op}" names no step`);
    } else if (op !== '' && op !== 'reinstall' && op !== 'tamper') throw new Error(`${where}: unknown state operation "${op}"`);
    return { op, state: null };
  }
  if (t[0] === '{') return { op: '', state: compact(t, false) };
  throw new Error(`${where}: state is ${t}: want an operation (a string) or a state (an object)`);
}

// A *string: null when absent (not set), else the string ("" included).
const optStr = (r, w) => (isNull(r) ? null : str(r, w));

// A json.RawMessage with omitempty: null when absent or null.
const optRaw = (r) => (isNull(r) ? null : r.trim());

function checkpointSpec(raw, where) {
  const t = optRaw(raw);
  if (t !== null && t !== '"head"' && t !== '"none"' && t[0] !== '{' && !/^"step:[0-9]+"$/.test(t)) throw new Error(`${where}: checkpoint is ${t}: want "head", "step:N", "none" or an object`);
  return t;
}

const step = (raw, where) => struct(raw, where, {
  event: (r) => (r === undefined ? null : r), // json.RawMessage: verbatim, "null" kept
  installation: optStr,
  state_key: optStr,
  bundle_version: optStr,
  checkpoint: checkpointSpec,
  receipts: optRaw,
  now: str,
  os: strMap,
  device: (r, w) => (isNull(r) ? null : device(r, w)),
  locale: str,
  bundle: str,
  state: stateOp,
  edit: (r) => rawMap(r),
  raw: (r, w) => (isNull(r) ? null : str(r, w)),
  expect,
});

/** Reads one case file as conformance.Load does. */
export function readCase(path) {
  const where = path.slice(path.lastIndexOf('/') + 1);
  const j = struct(readFileSync(path, 'utf8'), where, {
    name: str,
    description: str,
    bundle: str,
    device: (r, w) => (isNull(r) ? { platform: '', version: '' } : device(r, w)),
    locale: str,
    now: str,
    os: strMap,
    installation: str,
    steps: (r, w) => (isNull(r) ? [] : elements(r).map((e, i) => step(e, `${w}[${i}]`))),
  });
  if (j.bundle === '') j.bundle = 'reference';
  if (j.steps.length === 0) throw new Error(`${where}: no steps`);
  j.file = where;
  return j;
}

/** Every case of conformance/testdata, in name order. */
export function cases() {
  const dir = join(root, 'conformance', 'testdata');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw new Error(`${dir}: no conformance cases`);
  return files.map((f) => readCase(join(dir, f)));
}

// ---------------------------------------------------------------- playing

/**
 * conformance.RequestExtra: a request with its fields in the fixed order
 * now, locale, device, os, installation, state_key, bundle_version,
 * checkpoint, state, receipts, event.
 */
export function request(now, locale, dev, os, state, event, x = {}) {
  let b = '{"now":' + goString(now);
  if (locale !== '') b += ',"locale":' + goString(locale);
  b += ',"device":{"platform":' + goString(dev.platform) + ',"version":' + goString(dev.version) + '},"os":{';
  b += [...os.keys()].sort(goLess).map((k) => goString(k) + ':' + goString(os.get(k))).join(',');
  b += '}';
  for (const name of ['installation', 'state_key', 'bundle_version']) {
    if (x[name]) b += `,"${name}":` + goString(x[name]);
  }
  if (x.checkpoint) b += ',"checkpoint":' + x.checkpoint;
  if (state !== null) b += ',"state":' + state;
  if (x.receipts) b += ',"receipts":' + x.receipts;
  // json.Compact of the event as written in the file; nothing when there is none.
  return b + ',"event":' + (event === null ? '' : compact(event, false)) + '}';
}

/** conformance's tamper: the 16th hex digit of the state's hash (its last "hash") changed. */
export function tamper(state) {
  const b = Buffer.from(state, 'utf8'); // bytes, as Go counts
  const i = b.lastIndexOf('"hash":"');
  if (i < 0) return state;
  const j = i + '"hash":"'.length + 15;
  b[j] = b[j] === 0x30 ? 0x31 : 0x30; // '0' -> '1', anything else -> '0'
  return b.toString('utf8');
}

/** A step's edit: top-level state fields set, the state re-serialised with its keys sorted. */
export function edit(state, fields) {
  const m = new Map(members(state));
  for (const [k, v] of fields) m.set(k, v);
  return marshalRawMap(m);
}

// The event's type, permission and result, as conformance.play reads them.
function eventFields(raw) {
  const ev = { type: '', permission: '', result: '' };
  if (raw === null || raw === 'null') return ev;
  const mems = members(raw);
  for (const k of Object.keys(ev)) ev[k] = str(field(mems, k), `event.${k}`);
  return ev;
}

// ---------------------------------------------------------------- receipts and checkpoints

/** RFC 8785 canonical JSON of a JSON value: members sorted (names are ASCII), no white space; JSON.stringify escapes strings as RFC 8785 does. */
export function canonical(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonical(v[k])).join(',') + '}';
}

const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A receipt's hash: the SHA-256 of its canonical JSON without "hash" and "id". */
export function receiptHash(r) {
  const body = { ...r };
  delete body.hash;
  delete body.id;
  return sha256(canonical(body));
}

/** The receipt id its hash gives: an RFC 9562 UUID version 8 of the hash's first 16 bytes. */
export function receiptID(hash) {
  const u = Buffer.from(hash.slice(0, 32), 'hex');
  u[6] = 0x80 | (u[6] & 0x0f);
  u[8] = 0x80 | (u[8] & 0x3f);
  const h = u.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** conformance.ServiceKeyFile: the test service key, whose private half signs the checkpoints cases send. */
export const serviceKeyFile = 'hostsim/testdata/keys/service.key';

let serviceKeyObject = null;
function serviceKey() {
  if (serviceKeyObject === null) serviceKeyObject = createPrivateKey(readFileSync(join(root, serviceKeyFile)));
  return serviceKeyObject;
}

/** engine/bundle's KeyID: the first 8 bytes of the SHA-256 of the raw public key, in hex. */
function keyID(priv) {
  const spki = createPublicKey(priv).export({ format: 'der', type: 'spki' });
  return createHash('sha256').update(spki.subarray(spki.length - 32)).digest('hex').slice(0, 16);
}

/** conformance's checkpoint: of the head of the state carried, or with a spec's members changed, signed by the test service key. */
export function makeCheckpoint(spec, state, installation, now) {
  const m = { installation, time: now, v: 1 };
  const head = state !== null ? JSON.parse(state).head : undefined;
  if (head) {
    m.seq = head.seq;
    m.head = head.hash;
  }
  let changes = {};
  if (spec !== '"head"') changes = JSON.parse(spec);
  else if (!head) throw new Error('the state the runner carries has no head');
  const key = serviceKey();
  m.key = keyID(key);
  for (const [k, v] of Object.entries(changes)) if (k !== 'sig') m[k] = v;
  m.sig = Object.prototype.hasOwnProperty.call(changes, 'sig') ? changes.sig : sign(null, Buffer.from(canonical(m), 'utf8'), key).toString('base64');
  return canonical(m);
}

/** conformance's receiptsOp: the receipts a step sends, from the chain so far. */
export function receiptsOp(spec, chain) {
  if (spec === '"chain"') return '[' + chain.join(',') + ']';
  if (spec[0] === '[') return compact(spec, false);
  const op = JSON.parse(spec);
  for (const k of Object.keys(op)) if (!['take', 'set', 'rehash'].includes(k)) throw new Error(`json: unknown field "${k}"`);
  let n = chain.length;
  if (op.take > 0) {
    if (op.take > n) throw new Error(`take ${op.take} of a chain of ${n}`);
    n = op.take;
  }
  const set = op.set || {};
  for (const k of Object.keys(set)) if (!/^[0-9]+$/.test(k) || Number(k) >= n) throw new Error(`set "${k}": no such receipt`);
  const out = [];
  let prev = '';
  for (let i = 0; i < n; i++) {
    const m = JSON.parse(chain[i]);
    let changed = false;
    for (const [k, v] of Object.entries(set[String(i)] || {})) {
      m[k] = v;
      changed = true;
    }
    if (op.rehash && (changed || (i > 0 && m.prev !== prev))) {
      if (i > 0) m.prev = prev;
      m.hash = receiptHash(m);
      m.id = receiptID(m.hash);
    }
    prev = typeof m.hash === 'string' ? m.hash : '';
    out.push(canonical(m));
  }
  return '[' + out.join(',') + ']';
}

/**
 * conformance.Play: runs a case and returns every step's request and
 * response. `decide(bundleName, request)` answers a request's JSON text
 * with the response's. With `visit`, each step's request, response and
 * what it sent (state, installation, device, bundle, checkpoint) are passed
 * to it as played.
 * @param {object} j a case from readCase
 * @param {(bundle: string, request: string) => string} decide
 * @returns {{request: string, response: string, sent: object}[]}
 */
export function play(j, decide) {
  let dev = j.device;
  let locale = j.locale;
  let now = j.now;
  let bundle = j.bundle;
  const os = new Map(j.os);
  const x = { installation: j.installation, state_key: '', bundle_version: '', checkpoint: null, receipts: null };
  let state = null; // the previous successful response's state, verbatim
  const states = []; // each step's returned state, or null
  let chain = [];
  const out = [];
  j.steps.forEach((s, i) => {
    if (s.now !== '') now = s.now;
    if (s.device !== null) dev = s.device;
    if (s.locale !== '') locale = s.locale;
    if (s.bundle !== '') bundle = s.bundle;
    if (s.installation !== null) x.installation = s.installation;
    if (s.state_key !== null) x.state_key = s.state_key;
    if (s.bundle_version !== null) x.bundle_version = s.bundle_version;
    const ev = eventFields(s.event);
    if (ev.type === 'permission_result' && ev.result !== 'dismissed' && ev.result !== '') os.set(ev.permission, ev.result);
    for (const [k, v] of s.os) os.set(k, v);
    if (s.checkpoint !== null) {
      let from = state;
      let spec = s.checkpoint;
      const m = /^"step:([0-9]+)"$/.exec(spec);
      if (m) {
        const n = Number(m[1]);
        if (!(n >= 1 && n <= i && states[n - 1] !== null)) throw new Error(`${j.name}: step ${i + 1}: checkpoint ${spec}: step ${n} returned no state`);
        from = states[n - 1];
        spec = '"head"';
      }
      x.checkpoint = spec === '"none"' ? null : makeCheckpoint(spec, from, x.installation, now);
    }
    let st = state;
    switch (s.state.op) {
      case '': if (s.state.state !== null) st = s.state.state; break;
      case 'reinstall': st = null; state = null; break;
      case 'tamper': if (st !== null) st = tamper(st); break;
      default: {
        const n = Number(s.state.op.slice('step:'.length));
        if (!(n >= 1 && n <= i && states[n - 1] !== null)) throw new Error(`${j.name}: step ${i + 1}: state "${s.state.op}": step ${n} returned no state`);
        st = states[n - 1];
      }
    }
    if (s.edit.size > 0 && st !== null) st = edit(st, s.edit);
    x.receipts = s.receipts === null ? null : receiptsOp(s.receipts, chain);
    const req = s.raw !== null ? s.raw : request(now, locale, dev, os, st, s.event, x);
    const resp = decide(bundle, req);
    let mems;
    try {
      mems = members(resp);
    } catch (e) {
      throw new Error(`${j.name}: step ${i + 1}: the response is not JSON: ${e.message}: ${resp}`);
    }
    const raw = field(mems, 'state');
    if (raw !== undefined) state = raw;
    states.push(raw === undefined ? null : raw);
    const rs = field(mems, 'receipts');
    for (const rc of rs === undefined || rs === 'null' ? [] : elements(rs)) {
      if (JSON.parse(rc).seq === 1) chain = [];
      chain.push(rc);
    }
    const sent = { state: st, installation: x.installation, device: dev, bundle, checkpoint: x.checkpoint, raw: s.raw !== null };
    out.push({ request: req, response: resp, sent });
  });
  return out;
}

// ---------------------------------------------------------------- checking

/** The <sensitive>/<purpose> of an action or a receipt. */
const consentOf = (s) => `${s('sensitive')}/${s('purpose')}`;

/** " separate <sensitive>/<purpose>" when an action or a receipt names either, else "". */
const separateOf = (s) => (s('sensitive') === '' && s('purpose') === '' ? '' : ` separate ${consentOf(s)}`);

/** conformance.Summary: an action's one-line form. */
export function summary(a) {
  const s = (k) => (typeof a[k] === 'string' ? a[k] : '');
  const list = (k) => (Array.isArray(a[k]) ? a[k].map((v) => (typeof v === 'string' ? v : '')) : []);
  const t = s('type');
  const where = `${s('scenario')}/${s('step')}`;
  switch (t) {
    case 'show_policy': return `${t} ${s('change')}`;
    case 'show_consent': return `${t} ${consentOf(s)} ${where}` + (s('permission') !== '' ? ` permission=${s('permission')}` : '');
    case 'show_rationale': return `${t} ${s('permission')} ${where}${separateOf(s)}`;
    case 'request_permission': return `${t} ${s('permission')} ${list('platform_ids').join(',')}`;
    case 'open_settings': return `${t} ${s('permission')}` + (a.special === true ? ` special ${s('settings')}` : '');
    case 'proceed': {
      let out = `${t} ${where}`;
      if (list('missing').length > 0) out += ` missing=${list('missing').join(',')}`;
      if (list('missing_consents').length > 0) out += ` missing_consents=${list('missing_consents').join(',')}`;
      if (list('fallbacks').length > 0) out += ` fallbacks=${list('fallbacks').length}`;
      if (s('system_prompt') !== '') out += ` prompt=${s('system_prompt')}`;
      const apis = (Array.isArray(a.system_apis) ? a.system_apis : []).map((m) => {
        const f = (k) => (m !== null && typeof m === 'object' && typeof m[k] === 'string' ? m[k] : '');
        return `${f('permission')}:${f('access')}:${f('api')}`;
      });
      if (apis.length > 0) out += ` apis=${apis.join(',')}`;
      return out;
    }
    case 'block': return s('permission') !== '' ? `${t} ${s('permission')} ${where}` : `${t} ${consentOf(s)} ${where}`;
    case 'unavailable': return `${t} ${where}`;
    default: return t;
  }
}

const receiptMembers = ['answer', 'bundle', 'hash', 'id', 'installation', 'kind', 'locale', 'permission', 'platform',
  'platform_version', 'policy', 'prev', 'purpose', 'scenario', 'sensitive', 'separate_consent',
  'seq', 'step', 'text', 'time', 'time_behind', 'v', 'version'];
const receiptRequired = ['answer', 'hash', 'id', 'kind', 'locale', 'platform', 'policy', 'prev', 'seq', 'time', 'v', 'version'];

/** An RFC 3339 time as [seconds, nanoseconds] (Date keeps milliseconds only), or null. */
function instant(t) {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(t);
  if (!m) return null;
  let s = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
  if (m[8] !== 'Z') s -= (m[8][0] === '-' ? -1 : 1) * (Number(m[8].slice(1, 3)) * 3600 + Number(m[8].slice(4, 6)) * 60);
  return [s, Number((m[7] || '').padEnd(9, '0'))];
}

/**
 * conformance's chainCheck: each receipt is in canonical form, hashes to
 * its hash, has the id its hash gives, and follows the head of the state
 * the request sent (the next number, its hash as prev, time_behind exactly
 * when its time is earlier); a chain starts afresh only where no state was
 * sent or the engine did not use it (a STATE trace entry), and follows a
 * checkpoint's head where the request sent one.
 */
export class Chain {
  constructor(hashes = null) {
    this.seq = 0;
    this.hash = '';
    this.time = '';
    this.restart = true;
    this.cp = null;
    this.sn = null;
    this.hashes = hashes; // the bundles' hashes by name, or null: not checked
    // per step played, the text hash of each of its response's actions (screenText)
    this.screens = [];
  }

  /** Takes what a step's request carried: the head of the state it sent and its checkpoint. */
  sent(sn) {
    this.sn = sn;
    if (sn.raw) return;
    this.seq = 0;
    this.hash = '';
    this.time = '';
    this.restart = sn.state === null;
    this.cp = null;
    if (sn.state !== null) {
      const st = JSON.parse(sn.state);
      if (st.head && typeof st.head === 'object') {
        this.seq = st.head.seq;
        this.hash = st.head.hash;
        this.time = typeof st.head.time === 'string' ? st.head.time : '';
      } else if (typeof st.last === 'string') this.hash = st.last;
    }
    if (sn.checkpoint !== null) {
      const cp = JSON.parse(sn.checkpoint);
      this.cp = { seq: cp.seq, hash: cp.head };
    }
  }

  /** Adds one receipt (its raw JSON); returns [summary, error or null]. */
  add(raw) {
    const r = JSON.parse(raw);
    const s = (k) => (typeof r[k] === 'string' ? r[k] : '');
    // <kind> [<permission> | <sensitive>/<purpose>] <answer> [separate <sensitive>/<purpose>]
    let sum = s('kind') + ' ';
    if (s('permission') !== '') sum += `${s('permission')} ${s('answer')}${separateOf(s)}`;
    else if (s('sensitive') !== '' || s('purpose') !== '') sum += `${consentOf(s)} ${s('answer')}`;
    else sum += s('answer');
    const fail = (m) => [sum, `${sum}: ${m}`];
    // What holds always: a receipt of a separate consent says so, and an
    // answer given in a step names the step.
    if ((s('sensitive') !== '' || s('purpose') !== '') !== (r.separate_consent === true)) {
      return fail(`separate_consent is ${r.separate_consent} while sensitive/purpose is ${consentOf(s)}`);
    }
    if (['rationale', 'permission', 'consent'].includes(s('kind')) && (s('scenario') === '' || s('step') === '')) {
      return fail(`a ${s('kind')} receipt names no scenario and step`);
    }
    for (const k of Object.keys(r)) if (!receiptMembers.includes(k)) return fail(`unknown member "${k}"`);
    for (const k of receiptRequired) if (!Object.prototype.hasOwnProperty.call(r, k)) return fail(`no member "${k}"`);
    if (r.v !== 2) return fail(`v is ${r.v}, not 2`);
    if (canonical(r) !== raw) return fail(`not in canonical form:\n\tgot  ${raw}\n\twant ${canonical(r)}`);
    const hash = receiptHash(r);
    if (s('hash') !== hash) return fail(`hash ${s('hash')} does not match its content (${hash})`);
    if (s('id') !== receiptID(hash)) return fail(`id ${s('id')} is not the one its hash gives, ${receiptID(hash)}`);
    const seq = r.seq;
    if (!Number.isInteger(seq)) return fail(`seq ${seq} is not an integer`);
    const prev = s('prev');
    if (prev === this.hash && seq === this.seq + 1) {
      // follows the head sent
    } else if (this.cp !== null && prev === this.cp.hash && seq === this.cp.seq + 1) {
      this.time = '';
    } else if (this.restart && prev === '' && seq === 1) {
      this.time = '';
    } else {
      return fail(`seq ${seq}, prev "${prev}": it follows neither the head sent (seq ${this.seq}, "${this.hash}"), nor a checkpoint, nor starts a chain where the state was not used`);
    }
    let behind = false;
    if (this.time !== '') {
      const t = instant(s('time'));
      const p = instant(this.time);
      if (t === null || p === null) return fail(`time "${s('time')}" or the one before, "${this.time}", is not RFC 3339`);
      behind = t[0] < p[0] || (t[0] === p[0] && t[1] < p[1]);
    }
    if ((r.time_behind === true) !== behind || (r.time_behind !== undefined && r.time_behind !== true)) {
      return fail(`time_behind is ${r.time_behind}, want it ${behind ? 'true' : 'absent'} (time ${s('time')}, the one before "${this.time}")`);
    }
    const sn = this.sn;
    if (sn !== null) {
      if (s('installation') !== sn.installation || (sn.installation === '' && r.installation !== undefined)) {
        return fail(`installation ${r.installation}, the request's "${sn.installation}"`);
      }
      if (s('platform') !== sn.device.platform || s('platform_version') !== sn.device.version || (sn.device.version === '' && r.platform_version !== undefined)) {
        return fail(`platform ${r.platform} ${r.platform_version}, the request's ${sn.device.platform} "${sn.device.version}"`);
      }
      const want = this.hashes === null ? '' : this.hashes[sn.bundle] || '';
      if (want !== '' && s('bundle') !== want) return fail(`bundle ${r.bundle}, not the active bundle's ${want}`);
    }
    this.seq = seq;
    this.hash = hash;
    this.time = s('time');
    this.restart = false;
    return [sum, null];
  }
}

/**
 * conformance's screenText: the SHA-256 (hex) of the texts an action
 * shows as CONTRACT.md's receipts define it, each followed by a newline,
 * or '' for an action that shows none to answer.
 */
export function screenText(a) {
  const s = (k) => (typeof a[k] === 'string' ? a[k] : '');
  let texts;
  if (a.type === 'show_policy') {
    texts = [s('title'), s('body')];
    for (const c of Array.isArray(a.changes) ? a.changes : []) texts.push(typeof c === 'string' ? c : '');
    for (const l of Array.isArray(a.links) ? a.links : []) {
      texts.push(typeof l.title === 'string' ? l.title : '', typeof l.url === 'string' ? l.url : '');
    }
    texts.push(s('accept'), s('decline'));
  } else if (a.type === 'show_rationale' || a.type === 'show_consent') {
    texts = [s('title'), s('body'), s('consequence'), s('accept'), s('decline')];
  } else {
    return '';
  }
  return createHash('sha256').update(texts.map((t) => `${t}\n`).join(''), 'utf8').digest('hex');
}

const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Equal as JSON values (reflect.DeepEqual of what json.Unmarshal gives): object members in any order. */
export function sameJSON(a, b) {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((v, i) => sameJSON(v, b[i]));
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJSON(a[k], b[k]));
}
const q = (v) => JSON.stringify(v);

/**
 * conformance's checkStep: every way a response differs from what its step
 * expects, plus what holds always (every trace entry has a detail, the
 * receipt chain). Returns the failures.
 */
export function check(step, raw, chain) {
  chain.screens.push([]); // this step's, set below
  let r;
  try {
    r = JSON.parse(raw);
  } catch (e) {
    return [`response is not JSON: ${e.message}`];
  }
  const x = step.expect;
  const errs = [];
  const fail = (m) => errs.push(m);
  if (x.error !== '' || (r.error !== undefined && r.error !== null)) {
    const e = r.error;
    if (e === undefined || e === null) fail(`want error ${x.error}, got a response with actions ${q((r.actions || []).map(summary))}`);
    else if (x.error === '') fail(`unexpected error ${e.code} (${e.field}): ${e.message}`);
    else if (e.code !== x.error) fail(`want error ${x.error}, got ${e.code} (${e.field}): ${e.message}`);
    else if (x.field !== '' && e.field !== x.field) fail(`error ${x.error} names field ${q(e.field)}, want ${q(x.field)}`);
    else if (!e.message) fail(`error ${x.error} has no message`);
    return errs;
  }
  const actions = r.actions || [];
  const sdks = r.sdks || [];
  const trace = r.trace || [];
  const state = r.state && typeof r.state === 'object' ? r.state : {};
  if (x.actions !== null && !same(actions.map(summary), x.actions)) {
    fail(`actions:\n\tgot  ${q(actions.map(summary))}\n\twant ${q(x.actions)}`);
  }
  if (x.sdks !== null && !same(sdks, x.sdks)) fail(`sdks:\n\tgot  ${q(sdks)}\n\twant ${q(x.sdks)}`);
  for (const id of x.sdks_include || []) if (!sdks.includes(id)) fail(`sdk ${id} does not run; sdks ${q(sdks)}`);
  for (const id of x.sdks_exclude || []) if (sdks.includes(id)) fail(`sdk ${id} runs`);
  if (x.sdk_data !== null) {
    const has = Object.prototype.hasOwnProperty.call(r, 'sdk_data');
    if (!has || !sameJSON(r.sdk_data, x.sdk_data)) {
      fail(`sdk_data:\n\tgot  ${has ? q(r.sdk_data) : '(absent)'}\n\twant ${q(x.sdk_data)}`);
    }
  }
  // What holds always (FORMAT.md): every trace entry has a detail.
  for (const t of trace) if (!t.detail) fail(`trace entry ${t.rule} has no detail`);
  if (x.rules !== null) {
    const got = [...new Set(trace.map((t) => t.rule))].sort();
    const want = [...x.rules].sort();
    if (!same(got, want)) fail(`trace rules:\n\tgot  ${q(got)}\n\twant ${q(want)}`);
  }
  // "RULE: text": some entry of that rule whose detail contains the text.
  for (const want of x.trace_contains || []) {
    const i = want.indexOf(': ');
    const [rule, text] = i < 0 ? [want, ''] : [want.slice(0, i), want.slice(i + 2)];
    if (!trace.some((t) => t.rule === rule && t.detail.includes(text))) fail(`trace has no ${rule} entry containing ${q(text)}`);
  }
  const rs = [];
  const versions = [];
  const texts = [];
  const receipts = field(members(raw), 'receipts');
  const list = receipts === undefined || receipts === 'null' ? [] : elements(receipts);
  chain.restart = chain.restart || trace.some((t) => t.rule === 'STATE');
  if (x.receipt_members !== null && x.receipt_members.length !== list.length) {
    fail(`receipt_members names ${x.receipt_members.length} receipts, the response has ${list.length}`);
  }
  list.forEach((rc, i) => {
    const [sum, err] = chain.add(rc);
    if (err) fail(`receipt: ${err}`);
    if (x.receipt_members !== null && i < x.receipt_members.length) {
      const o = JSON.parse(rc);
      for (const k of [...x.receipt_members[i].keys()].sort()) {
        const w = x.receipt_members[i].get(k).trim();
        const has = Object.prototype.hasOwnProperty.call(o, k);
        if (w === 'null') {
          if (has) fail(`receipt ${i} (${sum}): ${k} is ${canonical(o[k])}, want it absent`);
        } else if (!has) fail(`receipt ${i} (${sum}): ${k} is absent, want ${w}`);
        else if (canonical(o[k]) !== canonical(JSON.parse(w))) fail(`receipt ${i} (${sum}): ${k} is ${canonical(o[k])}, want ${canonical(JSON.parse(w))}`);
      }
    }
    rs.push(sum);
    const o = JSON.parse(rc);
    versions.push(typeof o.version === 'string' ? o.version : '');
    texts.push(typeof o.text === 'string' ? o.text : '');
  });
  chain.screens[chain.screens.length - 1] = actions.map(screenText);
  if (x.receipts !== null && !same(rs, x.receipts)) fail(`receipts:\n\tgot  ${q(rs)}\n\twant ${q(x.receipts)}`);
  if (x.receipt_versions !== null && !same(versions, x.receipt_versions)) {
    fail(`receipt versions:\n\tgot  ${q(versions)}\n\twant ${q(x.receipt_versions)}`);
  }
  if (x.receipt_texts !== null && x.receipt_texts.length !== texts.length) {
    fail(`receipt_texts names ${x.receipt_texts.length} receipts, the response has ${texts.length}`);
  }
  (x.receipt_texts || []).forEach((at, i) => {
    if (i >= texts.length || at === '') return;
    const m = /^(\d+):(\d+)$/.exec(at);
    const step = m ? Number(m[1]) : 0;
    const act = m ? Number(m[2]) : -1;
    if (!m || step < 1 || step > chain.screens.length || act >= chain.screens[step - 1].length) {
      fail(`receipt_texts[${i}] ${q(at)} names no action of a step played`);
      return;
    }
    const want = chain.screens[step - 1][act];
    if (want === '' || texts[i] !== want) fail(`receipt ${i} (${rs[i]}) hashes text ${texts[i]}, not that of step ${step}'s action ${act} (${want})`);
  });
  for (const t of x.texts) {
    if (t.action >= actions.length) {
      fail(`texts: no action ${t.action}`);
      continue;
    }
    const f = actions[t.action][t.field];
    // "changes": its lines, one a line
    const v = typeof f === 'string' ? f : Array.isArray(f) ? f.map((l) => (typeof l === 'string' ? l : '')).join('\n') : '';
    if (t.equals !== '' && v !== t.equals) fail(`action ${t.action} ${t.field} = ${q(v)}, want ${q(t.equals)}`);
    if (t.contains !== '' && !v.includes(t.contains)) fail(`action ${t.action} ${t.field} = ${q(v)}, want it to contain ${q(t.contains)}`);
  }
  for (const k of x.state_has || []) if (!Object.prototype.hasOwnProperty.call(state, k)) fail(`state has no ${k}: ${q(state)}`);
  for (const k of x.state_lacks || []) if (Object.prototype.hasOwnProperty.call(state, k)) fail(`state has ${k} = ${q(state[k])}`);
  return errs;
}

// ---------------------------------------------------------------- one case on two engines

/**
 * Plays a case on three fresh engines, "reference" as instantiated,
 * "revision" after loadBundle(bundles.revision) and "minor" after
 * loadBundle(bundles.minor), and asserts every request
 * and response equal the transcript's and every expectation holds.
 * @param {import('node:assert')} assert
 * @param {object} j the case
 * @param {object} want its transcript entry
 * @param {object} bundles the transcript's bundles
 * @param {() => Promise<import('../consent.mjs').Consent>} make a fresh engine
 */
export async function replay(assert, j, want, bundles, make) {
  assert.ok(want, `${j.file} is not in the transcript: run \`go run ./cmd/transcript -o dist/conformance.json\``);
  assert.equal(want.name, j.name);
  const engines = { reference: await make(), revision: await make(), minor: await make() };
  const hashes = { reference: engines.reference.info().hash };
  for (const name of ['revision', 'minor']) {
    const loaded = engines[name].loadBundle(bundles[name]);
    assert.equal(loaded.ok, true, `loadBundle(bundles.${name}): ${JSON.stringify(loaded)}`);
    hashes[name] = loaded.hash;
  }
  const steps = play(j, (bundle, req) => {
    const e = engines[bundle];
    if (!e) throw new Error(`${j.name}: unknown bundle ${bundle}`);
    return e.decideJSON(req);
  });
  assert.equal(steps.length, want.steps.length, 'the transcript has another number of steps: is it stale?');
  const chain = new Chain(hashes);
  steps.forEach((s, i) => {
    assert.equal(s.request, want.steps[i].request, `step ${i + 1}: the request differs from the Go runner's`);
    assert.equal(s.response, want.steps[i].response, `step ${i + 1}: the response differs from the native engine's`);
    chain.sent(s.sent);
    assert.deepEqual(check(j.steps[i], s.response, chain), [], `step ${i + 1}: expectations`);
  });
  return steps.length;
}
