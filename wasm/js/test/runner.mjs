// The conformance runner of engine/conformance, in JavaScript: it builds
// each journey's requests from the journey files exactly as the Go runner
// does (engine/testdata/conformance/README.md), so that a JavaScript host
// is held to the native engine's answers byte for byte.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..', '..');

/** Reads a file the Go side builds, failing with the command that builds it. */
export function need(rel, command) {
  const path = join(root, rel);
  if (!existsSync(path)) throw new Error(`${rel} is missing: run \`${command}\` in the repository root`);
  return readFileSync(path);
}

export function journeys() {
  const dir = join(root, 'engine', 'testdata', 'conformance');
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => ({ file: f, ...JSON.parse(readFileSync(join(dir, f), 'utf8')) }));
}

// Go's json.Marshal of a string: JSON.stringify, plus Go's escapes.
function goString(s) {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

function request(now, locale, device, os, state, event) {
  let s = '{"now":' + goString(now);
  if (locale) s += ',"locale":' + goString(locale);
  s += ',"device":{"platform":' + goString(device.platform) + ',"version":' + goString(device.version ?? '') + '}';
  s += ',"os":{' + Object.keys(os).sort().map((k) => goString(k) + ':' + goString(os[k])).join(',') + '}';
  if (state != null) s += ',"state":' + state;
  return s + ',"event":' + JSON.stringify(event) + '}';
}

function tamper(state) {
  const i = state.indexOf('"hash":"');
  if (i < 0) return state;
  const j = i + '"hash":"'.length + 15;
  return state.slice(0, j) + (state[j] === '0' ? '1' : '0') + state.slice(j + 1);
}

function edit(state, fields) {
  const m = { ...JSON.parse(state), ...fields };
  return '{' + Object.keys(m).sort().map((k) => goString(k) + ':' + JSON.stringify(m[k])).join(',') + '}';
}

/**
 * Plays a journey: decide(bundleName, requestString) -> responseString.
 * Returns [{request, response}] like conformance.Play.
 */
export function play(j, decide) {
  let device = j.device, locale = j.locale ?? '', now = j.now, bundle = j.bundle || 'reference';
  const os = { ...(j.os || {}) };
  let state = null;
  const out = [];
  for (const s of j.steps) {
    if (s.now) now = s.now;
    if (s.device) device = s.device;
    if (s.locale) locale = s.locale;
    if (s.bundle) bundle = s.bundle;
    const ev = s.event || {};
    if (ev.type === 'permission_result' && ev.result && ev.result !== 'dismissed') os[ev.permission] = ev.result;
    Object.assign(os, s.os || {});
    let st = state;
    if (s.state === 'reinstall') { st = null; state = null; }
    else if (s.state === 'tamper') st = tamper(st);
    else if (s.state) throw new Error(`unknown state operation ${s.state}`);
    if (s.edit && Object.keys(s.edit).length && st != null) st = edit(st, s.edit);
    const req = s.raw != null ? s.raw : request(now, locale, device, os, st, s.event);
    const resp = decide(bundle, req);
    const parsed = JSON.parse(resp);
    if (parsed.state !== undefined) state = JSON.stringify(parsed.state);
    out.push({ request: req, response: resp });
  }
  return out;
}

/** An action's one-line form (conformance.Summary). */
export function summary(a) {
  switch (a.type) {
    case 'show_policy': return `${a.type} ${a.change}`;
    case 'show_rationale': return `${a.type} ${a.permission} ${a.scenario}/${a.step}${a.separate_consent ? ' separate' : ''}`;
    case 'request_permission': return `${a.type} ${a.permission} ${(a.platform_ids || []).join(',')}`;
    case 'open_settings': return `${a.type} ${a.permission}`;
    case 'proceed': {
      let s = `${a.type} ${a.scenario}/${a.step}`;
      if (a.missing?.length) s += ` missing=${a.missing.join(',')}`;
      if (a.fallbacks?.length) s += ` fallbacks=${a.fallbacks.length}`;
      return s;
    }
    case 'block': return `${a.type} ${a.permission} ${a.scenario}/${a.step}`;
    default: return a.type;
  }
}

/** Checks a response against a step's expectations; returns the failures. */
export function check(step, resp, chain) {
  const x = step.expect || {};
  const r = JSON.parse(resp);
  const fail = [];
  if (x.error || r.error) {
    if (!r.error) fail.push(`want error ${x.error}, got a response`);
    else if (!x.error) fail.push(`unexpected error ${r.error.code}: ${r.error.message}`);
    else if (r.error.code !== x.error) fail.push(`want error ${x.error}, got ${r.error.code}`);
    else if (x.field && r.error.field !== x.field) fail.push(`error field ${r.error.field}, want ${x.field}`);
    return fail;
  }
  const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  if (x.actions && !eq(r.actions.map(summary), x.actions)) fail.push(`actions ${JSON.stringify(r.actions.map(summary))}, want ${JSON.stringify(x.actions)}`);
  if (x.sdks && !eq(r.sdks, x.sdks)) fail.push(`sdks ${JSON.stringify(r.sdks)}, want ${JSON.stringify(x.sdks)}`);
  for (const id of x.sdks_include || []) if (!r.sdks.includes(id)) fail.push(`sdk ${id} does not run`);
  for (const id of x.sdks_exclude || []) if (r.sdks.includes(id)) fail.push(`sdk ${id} runs`);
  if (x.rules) {
    const got = [...new Set(r.trace.map((t) => t.rule))].sort();
    if (!eq(got, [...x.rules].sort())) fail.push(`rules ${JSON.stringify(got)}, want ${JSON.stringify([...x.rules].sort())}`);
  }
  const sums = [];
  for (const rc of r.receipts) {
    let sum = `${rc.kind} ${rc.permission ? rc.permission + ' ' : ''}${rc.answer}${rc.separate_consent ? ' separate' : ''}`;
    sums.push(sum);
    // The receipt as it stands in the response, without its hash member.
    const raw = JSON.stringify(rc);
    const body = raw.slice(0, raw.lastIndexOf(',"hash":"')) + '}';
    const hash = createHash('sha256').update(body).digest('hex');
    if (hash !== rc.hash) fail.push(`receipt ${sum}: hash does not match its content`);
    if (rc.prev !== '' && rc.prev !== chain.last) fail.push(`receipt ${sum}: prev is not the previous receipt`);
    chain.last = rc.hash;
  }
  if (x.receipts && !eq(sums, x.receipts)) fail.push(`receipts ${JSON.stringify(sums)}, want ${JSON.stringify(x.receipts)}`);
  for (const t of x.texts || []) {
    const v = r.actions[t.action]?.[t.field] ?? '';
    if (t.equals && v !== t.equals) fail.push(`action ${t.action} ${t.field} = ${JSON.stringify(v)}, want ${JSON.stringify(t.equals)}`);
    if (t.contains && !v.includes(t.contains)) fail.push(`action ${t.action} ${t.field} lacks ${JSON.stringify(t.contains)}`);
  }
  for (const k of x.state_has || []) if (!(k in r.state)) fail.push(`state has no ${k}`);
  for (const k of x.state_lacks || []) if (k in r.state) fail.push(`state has ${k}`);
  return fail;
}
