// The first popup before the module is ready (issue 14, point 3).
//
// (a) dist/first-launch.json, which make wasm writes beside dist/consent.wasm
// (promptc first-launch), holds for every locale and platform the actions
// the module itself answers to a fresh install's launch, byte for byte, and
// names the bundle the module embeds; a tampered or stale file fails the
// same check. consent.mjs's locale matching picks the entry the engine
// would answer in.
//
// (b) Consent.launch: the precomputed popup shown at once, the launch
// replayed on the module when it is ready, the user's answer handed over
// before or after, and the module followed when it asks otherwise (a stored
// state with consent on record, a newer bundle, a stale file), or when it
// fails to load.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Consent, firstLaunchActions, matchLocale } from '../consent.mjs';
import { members } from '../testlib/gojson.mjs';
import { need, testModuleBytes, transcript } from '../testlib/conformance.mjs';

const wasmBytes = need('dist/consent.wasm', 'make wasm');
const fileText = need('dist/first-launch.json', 'make wasm').toString('utf8');
const file = JSON.parse(fileText);
const module = await WebAssembly.compile(wasmBytes);
const load = () => Consent.load(module, { stdout: () => {}, stderr: () => {} });

// A valid device version per platform, as a host would send (none of them
// changes a fresh launch's actions: firstlaunch's TestInvariant).
const versions = { android: '35', ios: '18.1', harmonyos: '12', wechat: '3.8.12', alipay: '10.5.60', web: 'chrome' };
const NOW = '2026-11-30T09:00:00+08:00';
const launchRequest = (locale, platform) =>
  JSON.stringify({ now: NOW, locale, device: { platform, version: versions[platform] }, event: { type: 'launch' } });

/** The raw member `name` of a JSON object's text. */
const raw = (text, name) => {
  const m = members(text).find(([k]) => k === name);
  return m && m[1];
};

/**
 * The check make test runs: the file's text against an engine. Every
 * difference, each naming what differs ("bundle", "actions.en.ios").
 */
function verify(text, engine) {
  const f = JSON.parse(text);
  const info = engine.info();
  const diffs = [];
  if (f.bundle !== info.hash) diffs.push(`bundle: the file's ${f.bundle}, the module's ${info.hash}`);
  if (JSON.stringify(f.policy) !== JSON.stringify(info.policy)) diffs.push(`policy: the file's ${JSON.stringify(f.policy)}, the module's ${JSON.stringify(info.policy)}`);
  if (JSON.stringify(f.locales) !== JSON.stringify(info.locales)) diffs.push(`locales: the file's ${f.locales}, the module's ${info.locales}`);
  const actions = raw(text, 'actions');
  for (const loc of info.locales) {
    const byPlatform = raw(actions, loc);
    for (const p of Object.keys(versions)) {
      const want = byPlatform && raw(byPlatform, p);
      const got = raw(engine.decideJSON(launchRequest(loc, p)), 'actions');
      if (got !== want) diffs.push(`actions.${loc}.${p}: the module's ${got}, the file's ${want}`);
    }
  }
  return diffs;
}

test('dist/first-launch.json is the module\'s own answer to a fresh launch, byte for byte, for every locale and platform', async () => {
  const engine = await load();
  assert.deepEqual(file.platforms, Object.keys(versions), 'every platform of the vocabulary');
  assert.deepEqual(file.locales, engine.info().locales, 'every locale of the bundle');
  assert.deepEqual(verify(fileText, engine), [], 'dist/first-launch.json is stale: make wasm writes it with the module');
  // Not a check that passes on nothing: each entry is the first policy popup.
  for (const loc of file.locales) {
    for (const p of file.platforms) {
      const a = file.actions[loc][p];
      assert.equal(a.length, 1);
      assert.equal(a[0].type, 'show_policy');
      assert.equal(a[0].change, 'first');
    }
  }
});

test('the same check fails on a tampered or stale file, naming what differs', async () => {
  const engine = await load();
  const cases = [
    ['a character of a text', fileText.replace('"title":"Privacy Policy"', '"title":"Privacy policy"'), ['actions.en.android:']],
    ['the same JSON spelt otherwise', fileText.replace('"blocking":true', '"blocking": true'), ['actions.zh-CN.android:']],
    ['an entry missing', fileText.replace('\n "web":', '\n "web-x":'), ['actions.zh-CN.web:']],
    ['another bundle', fileText.replace(file.bundle, 'sha256:' + '0'.repeat(64)), ['bundle:']],
    ['another version', fileText.replace('"version":"' + file.policy.version + '"},', '"version":"2099-01-01"},'), ['policy:']],
  ];
  for (const [what, text, want] of cases) {
    assert.ok(text !== fileText, `${what}: the tampering changed nothing`);
    const diffs = verify(text, engine);
    for (const w of want) assert.ok(diffs.some((d) => d.startsWith(w)), `${what}: no difference ${w} in ${JSON.stringify(diffs)}`);
  }
});

test('firstLaunchActions picks the entry of the locale the engine answers in', async () => {
  const engine = await load();
  const tags = ['zh-CN', 'zh_cn', 'zh', 'zh-Hans', 'zh-SG', 'zh-Hans-TW', 'zh-TW', 'zh-Hant', 'zh-HK', 'zh-MO', 'zh-Hant-CN',
    'en', 'en-US', 'EN_gb', 'fr', 'ja-JP', undefined];
  for (const tag of tags) {
    for (const p of ['android', 'ios', 'web']) {
      const req = { now: NOW, device: { platform: p, version: versions[p] }, event: { type: 'launch' } };
      if (tag !== undefined) req.locale = tag;
      const r = engine.decide(req);
      assert.equal(r.error, undefined, JSON.stringify(r.error));
      assert.deepEqual(firstLaunchActions(file, tag, p), r.actions, `${tag} on ${p}: matched ${matchLocale(file.locales, file.default_locale, tag)}`);
    }
  }
  assert.equal(firstLaunchActions(file, 'en', 'symbian'), null, 'no entry for an unknown platform');
  assert.equal(firstLaunchActions(null, 'en', 'ios'), null);
  assert.equal(firstLaunchActions({ ...file, format: 2 }, 'en', 'ios'), null, 'a file of another format is not read');
});

// ---------------------------------------------------------------- Consent.launch

/** A promise and its resolve and reject: the module "loading". */
function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** A launch whose show and record calls are logged. */
function launchWith(engine, request, firstLaunch = file) {
  const shows = [];
  const records = [];
  const launch = Consent.launch({
    engine,
    firstLaunch,
    request: { now: NOW, locale: 'zh-CN', device: { platform: 'android', version: '33' }, installation: 'inst-1', ...request },
    show: (actions, from) => shows.push({ types: actions.map((a) => a.type), version: actions[0] && actions[0].version, from }),
    record: async (r) => {
      await new Promise((res) => setTimeout(res, 1)); // storage takes time
      records.push(r);
    },
  });
  return { launch, shows, records };
}

const accept = { type: 'policy_answer', accepted: true };

test('launch: the precomputed popup at once; the answer given before the module is ready is handed to it as the next event', async () => {
  const loading = deferred();
  const { launch, shows, records } = launchWith(loading.promise, {});
  assert.deepEqual(shows, [{ types: ['show_policy'], version: file.policy.version, from: 'precomputed' }], 'shown at once, before the module');
  assert.deepEqual(launch.shown, file.actions['zh-CN'].android);
  const answered = launch.answer(accept);
  await new Promise((res) => setTimeout(res, 5));
  assert.equal(records.length, 0, 'nothing is recorded before the module is ready');
  assert.equal(launch.engine, null);
  loading.resolve(load());
  const { response } = await launch.ready;
  const r = await answered;
  assert.equal(response, r, 'ready waits for the answers given before it, and gives the last response');
  assert.equal(records.length, 2, 'the launch and the answer, recorded');
  assert.deepEqual(records[0].actions, file.actions['zh-CN'].android, 'the launch replayed on the module asked what was shown');
  assert.deepEqual(records[0].receipts, []);
  assert.equal(records[1], r);
  assert.equal(r.receipts.length, 1);
  assert.equal(r.receipts[0].kind, 'policy');
  assert.equal(r.receipts[0].answer, 'accepted');
  assert.equal(r.receipts[0].version, file.policy.version);
  assert.equal(r.receipts[0].installation, 'inst-1');
  assert.equal(r.receipts[0].bundle, file.bundle);
  assert.equal(r.state.accepted, file.policy.version, 'the state records the consent');
  assert.deepEqual(shows.map((s) => s.from), ['precomputed', 'module'], 'the launch did not redraw the popup; the answer drew its actions');
  assert.deepEqual(launch.dropped, []);
  assert.equal(launch.response, r);
});

test('launch: an answer after the module is ready is handed over at once', async () => {
  const { launch, shows, records } = launchWith(load(), {});
  await launch.ready;
  assert.deepEqual(shows.map((s) => s.from), ['precomputed'], 'the module agreed: nothing redrawn');
  assert.equal(records.length, 1);
  const r = await launch.answer({ type: 'policy_answer', accepted: false });
  assert.equal(r.receipts[0].answer, 'declined');
  assert.deepEqual(shows.at(-1), { types: ['basic_mode'], version: undefined, from: 'module' });
  assert.equal(records.length, 2);
  const again = await launch.answer(accept);
  assert.equal(again.error, undefined, 'the state of the last response carried on');
  assert.equal(again.receipts[0].seq, 2, 'the second receipt of the installation');
  const bad = await launch.answer({ type: 'policy_answer', accepted: true });
  assert.equal(bad.error.code, 'not_requested', 'bad input is answered, as decide does');
  assert.equal(records.length, 3, 'and not recorded');
});

test('launch: an answer whose record fails rejects, and the next answer goes on from the last state recorded', async () => {
  let fail = false;
  const launch = Consent.launch({
    engine: load(),
    firstLaunch: file,
    request: { now: NOW, locale: 'en', device: { platform: 'ios', version: '17.2' } },
    show: () => {},
    record: () => {
      if (fail) throw new Error('storage full');
    },
  });
  await launch.ready;
  fail = true;
  await assert.rejects(launch.answer(accept), /storage full/);
  fail = false;
  const r = await launch.answer(accept);
  assert.equal(r.error, undefined, 'the policy still waits for its answer: the failed one was not kept');
  assert.equal(r.receipts[0].seq, 1);
});

/** A state with consent to the policy on record. */
async function consentedState() {
  const e = await load();
  const base = { now: NOW, locale: 'zh-CN', device: { platform: 'android', version: '33' }, installation: 'inst-1' };
  const l = e.decide({ ...base, event: { type: 'launch' } });
  return e.decide({ ...base, state: l.state, event: accept }).state;
}

test('launch: a stored state with consent on record makes the precomputed popup wrong: the host follows the module', async () => {
  const stored = await consentedState();
  const loading = deferred();
  // The state is still being read from storage: the popup is shown meanwhile.
  const { launch, shows, records } = launchWith(loading.promise, { state: Promise.resolve(stored) });
  assert.equal(shows.length, 1);
  const answered = launch.answer(accept);
  loading.resolve(load());
  assert.equal(await answered, null, 'the answer to the popup the module did not ask for is not handed over');
  const { response } = await launch.ready;
  assert.deepEqual(response.actions, [], 'consent on record: no popup');
  assert.equal(records[0], response, 'the launch is the last response: the answer was not handed over');
  assert.deepEqual(shows, [
    { types: ['show_policy'], version: file.policy.version, from: 'precomputed' },
    { types: [], version: undefined, from: 'module' },
  ], 'the popup taken down');
  assert.deepEqual(launch.dropped, [accept]);
  assert.equal(records.length, 1, 'only the launch is recorded: no second policy receipt');
  assert.equal(response.receipts.length, 0);

  // A state the host holds already is no fresh install: nothing precomputed is shown.
  const known = launchWith(load(), { state: stored });
  assert.deepEqual(known.shows, []);
  await known.launch.ready;
  assert.deepEqual(known.shows, [{ types: [], version: undefined, from: 'module' }]);
});

test('launch: a newer bundle in the module, or a stale file, is followed: its popup replaces the precomputed one', async () => {
  const bundles = transcript().bundles;
  const newer = await Consent.load(testModuleBytes(), { stdout: () => {}, stderr: () => {} });
  assert.equal(newer.loadBundle(bundles.revision).ok, true);
  const version = newer.info().policy.version;
  assert.notEqual(version, file.policy.version);
  const { launch, shows, records } = launchWith(Promise.resolve(newer), {});
  const before = launch.answer(accept); // to the precomputed popup, of the older version
  await launch.ready;
  assert.equal(await before, null);
  assert.deepEqual(shows.map((s) => [s.from, s.version]), [['precomputed', file.policy.version], ['module', version]]);
  const r = await launch.answer(accept); // to the module's popup
  assert.equal(r.receipts[0].version, version, 'the consent recorded is to the text the module showed');
  assert.equal(records.length, 2);

  const stale = JSON.parse(fileText);
  stale.actions['zh-CN'].android[0].body += ' (old)';
  const s = launchWith(load(), {}, stale);
  await s.launch.ready;
  assert.deepEqual(s.shows.map((x) => x.from), ['precomputed', 'module'], 'one byte of difference and the module is shown');
});

test('launch: a module that fails to load records nothing; ready and the answers reject', async () => {
  const { launch, shows, records } = launchWith(Promise.reject(new Error('HTTP 404 /consent.wasm')), {});
  assert.equal(shows.length, 1, 'the popup was shown meanwhile');
  const answered = launch.answer(accept);
  await assert.rejects(launch.ready, /HTTP 404/);
  await assert.rejects(answered, /HTTP 404/);
  await assert.rejects(launch.answer(accept), /HTTP 404/, 'and every answer after');
  assert.equal(records.length, 0);
  assert.equal(launch.engine, null);

  // The module loaded but refused the request: the engine's error, with its code and field.
  const bad = launchWith(load(), { device: { platform: 'android', version: 'thirty-three' } });
  await assert.rejects(bad.launch.ready, (e) => e.code === 'bad_version' && e.field === 'device.version');
  assert.equal(bad.records.length, 0);

  // No one awaits these: they must not be unhandled rejections.
  const ignored = launchWith(Promise.reject(new Error('offline')), {});
  ignored.launch.answer(accept);
  await new Promise((res) => setTimeout(res, 10));

  assert.throws(() => Consent.launch({ firstLaunch: file, request: {}, show() {} }), /needs engine/);
  assert.throws(() => Consent.launch({ engine: load(), firstLaunch: file, show() {} }), /needs request/);
  assert.throws(() => launch.answer('yes'), /answer takes an event/);
});
