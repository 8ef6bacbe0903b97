// The step runner (runner.mjs, issue 15) against the real module
// (dist/consent.wasm; dist/consent-test.wasm for a signed minor update):
// journeys run to their end through the app's callbacks, with a simulated
// device whose OS states the dialogs and the settings change, the state
// persisted through a storage adapter and read back, the receipts handed to
// record (and to the records.mjs queue), and the failures: an engine error,
// a callback that throws or answers nonsense, a loop.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Consent } from '../consent.mjs';
import { memoryStorage } from '../storage.mjs';
import { openQueue } from '../records.mjs';
import { DEFAULT_MAX_DECISIONS, DEFAULT_STATE_KEY, StepError, runLaunch, runStep, sdkAllowed } from '../runner.mjs';
import { need, testModuleBytes, transcript } from '../testlib/conformance.mjs';

const quiet = { stdout: () => {}, stderr: () => {} };
const shipped = await WebAssembly.compile(need('dist/consent.wasm', 'make wasm'));
const engine = await Consent.load(shipped, quiet);
const NOW = '2026-03-01T10:00:00+08:00';

/**
 * A simulated phone: its OS states, which the system dialog and the
 * settings change as a real OS would, and the app's screens, which answer
 * from a script (`answers`: by action type, or by `type permission`), each
 * shown action logged as a one-line summary in `shown`.
 */
function phone(platform, version, { os = {}, answers = {}, storage = memoryStorage(), locale = 'en' } = {}) {
  const p = {
    os: { ...os },
    shown: [],
    receipts: [],
    storage,
    osReads: 0,
  };
  const answer = (a) => {
    const k = a.permission ? `${a.type} ${a.permission}` : a.sensitive ? `${a.type} ${a.sensitive}/${a.purpose}` : a.type;
    p.shown.push(k);
    const v = k in answers ? answers[k] : answers[a.type];
    if (typeof v === 'function') return v(a);
    if (Array.isArray(v)) return v.shift(); // answers in turn
    return v;
  };
  p.options = (scenario, step, extra = {}) => ({
    engine,
    storage: p.storage,
    request: { locale, device: { platform, version } },
    now: NOW,
    os: () => { p.osReads++; return { ...p.os }; },
    scenario,
    step,
    showPolicy: async (a) => answer(a),
    showRationale: async (a) => answer(a),
    showConsent: async (a) => answer(a),
    requestPermission: async (a) => {
      const r = answer(a);
      p.os[a.permission] = r === 'dismissed' ? 'not_determined' : r;
      return r;
    },
    openSettings: async (a) => {
      const r = answer(a);
      p.os[a.permission] = r;
      return r;
    },
    showBlock: (a) => { answer(a); },
    showBasicMode: (a) => { answer(a); },
    showUnavailable: (a) => { answer(a); },
    record: (r) => { p.receipts.push(...r.receipts); },
    ...extra,
  });
  p.state = async () => JSON.parse(await p.storage.get(DEFAULT_STATE_KEY));
  p.summaries = () => p.receipts.map((r) => [r.kind, r.permission ?? (r.sensitive ? `${r.sensitive}/${r.purpose}` : ''), r.answer].join(' ').replace('  ', ' '));
  return p;
}

test('Android 13, loan_apply/apply granted: policy, location with its consent, the call log and the app list, then proceed; SDKs follow', async () => {
  const p = phone('android', '33', { answers: { show_policy: true, show_rationale: true, request_permission: 'granted' } });
  const res = await runStep(p.options('loan_apply', 'apply'));
  assert.equal(res.outcome, 'proceed');
  assert.equal(res.reason, 'proceed');
  assert.deepEqual([res.missing, res.missing_consents, res.fallbacks], [[], [], []]);
  assert.deepEqual(p.shown, [
    'show_policy', 'show_rationale location', 'request_permission location',
    'show_rationale call_log', 'request_permission call_log', 'show_rationale installed_apps', 'request_permission installed_apps',
  ]);
  assert.equal(res.decisions, 8); // enter and seven answers
  assert.equal(p.osReads, 8, 'the OS states are read before every decision');
  assert.deepEqual(p.summaries(), [
    'policy accepted', 'rationale location accepted', 'permission location granted',
    'rationale call_log accepted', 'permission call_log granted', 'rationale installed_apps accepted', 'permission installed_apps granted',
  ]);
  assert.deepEqual(p.receipts.map((r) => r.seq), [1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(await p.state(), res.response.state, 'the last state is persisted as it is');
  assert.equal(res.response.state.consents['precise_location/loan_risk'].given, true);

  // The map SDK needs location and its separate consent, in the loan application only.
  assert.deepEqual(sdkAllowed(res, 'baidu_map'), { sdk: 'baidu_map', allowed: true, optionalData: null });
  // jpush needs notifications, never asked here; sensors runs with its optional data off.
  assert.deepEqual(sdkAllowed(res, 'jpush'), { sdk: 'jpush', allowed: false, optionalData: [] });
  assert.deepEqual(sdkAllowed(res.response, 'sensors'), { sdk: 'sensors', allowed: true, optionalData: [] });
  assert.deepEqual(sdkAllowed(res, 'no_such_sdk').allowed, false);
});

test('refusals: an optional permission declined proceeds with it missing; a blocking one denied blocks and says which', async () => {
  const p = phone('android', '33', {
    answers: { show_policy: true, 'show_rationale location': true, 'show_rationale call_log': false, 'show_rationale installed_apps': false, 'show_rationale camera': true, request_permission: 'denied' },
  });
  const res = await runStep(p.options('loan_apply', 'apply'));
  assert.equal(res.outcome, 'proceed');
  assert.deepEqual(res.missing, ['location', 'call_log', 'installed_apps']);
  assert.equal(res.fallbacks.length, 0);
  assert.equal(sdkAllowed(res, 'baidu_map').allowed, false, 'no map SDK without location');

  const blocked = await runStep(p.options('loan_apply', 'liveness', {}));
  assert.equal(blocked.outcome, 'block');
  assert.equal(blocked.reason, 'permission');
  assert.deepEqual(blocked.missing, ['camera']);
  assert.equal(blocked.action.type, 'block');
  assert.equal(blocked.action.permission, 'camera');
  assert.equal(p.shown.at(-1), 'block camera', 'showBlock saw the block');
  assert.deepEqual(p.summaries().slice(-2), ['rationale camera accepted', 'permission camera denied']);
});

test('the settings path: denied_forever blocks, the next entry opens the settings, and what the OS says on return proceeds', async () => {
  const p = phone('android', '28', { answers: { show_policy: true, show_rationale: true, request_permission: 'denied_forever', open_settings: 'granted' } });
  const first = await runStep(p.options('customer_service', 'voice'));
  assert.equal(first.outcome, 'block');
  assert.deepEqual(first.missing, ['microphone']);
  assert.equal(p.os.microphone, 'denied_forever');
  const second = await runStep(p.options('customer_service', 'voice'));
  assert.equal(second.outcome, 'proceed');
  assert.deepEqual(second.missing, []);
  assert.deepEqual(p.shown.slice(-2), ['show_rationale microphone', 'open_settings microphone']);
  assert.deepEqual(p.summaries().slice(-2), ['rationale microphone accepted', 'permission microphone granted']);
  // Back from the settings untouched (not_determined): read as dismissed.
  const q = phone('android', '28', { answers: { show_policy: true, show_rationale: true, request_permission: 'denied_forever', open_settings: 'not_determined' } });
  await runStep(q.options('customer_service', 'voice'));
  const r = await runStep(q.options('customer_service', 'voice'));
  assert.equal(r.outcome, 'block');
  assert.equal(q.receipts.at(-1).answer, 'dismissed');
});

test('iOS: the separate consent first on its own screen, then a one-button rationale whose answer is always on to the dialog', async () => {
  const seen = [];
  const p = phone('ios', '17.2', {
    answers: {
      show_policy: true, show_consent: true, request_permission: 'denied',
      // The app's screen returns nothing meaningful: it has one button.
      show_rationale: (a) => { seen.push(a.decline); return false; },
    },
  });
  const res = await runStep(p.options('loan_apply', 'apply'));
  assert.deepEqual(seen, ['']);
  assert.deepEqual(p.shown, ['show_policy', 'show_consent location', 'show_rationale location', 'request_permission location']);
  assert.deepEqual(p.summaries(), ['policy accepted', 'consent precise_location/loan_risk accepted', 'rationale location accepted', 'permission location denied']);
  assert.equal(res.outcome, 'proceed');
  assert.deepEqual(res.missing, ['location']);
});

test('a separate consent declined blocks the step that cannot work without it, naming the consent', async () => {
  const p = phone('ios', '17.2', { answers: { show_policy: true, show_consent: false } });
  const res = await runStep(p.options('register_login', 'face_login'));
  assert.equal(res.outcome, 'block');
  assert.equal(res.reason, 'consent');
  assert.deepEqual(res.missing, []);
  assert.deepEqual(res.missing_consents, ['biometrics/biometric_login']);
  assert.deepEqual(p.shown, ['show_policy', 'show_consent biometrics/biometric_login', 'block biometrics/biometric_login']);
  // Given next time: Face ID's rationale and dialog, then the system prompt.
  const q = phone('ios', '17.2', { storage: p.storage, answers: { show_consent: true, show_rationale: true, request_permission: 'granted' } });
  const ok = await runStep(q.options('register_login', 'face_login'));
  assert.equal(ok.outcome, 'proceed');
  assert.equal(ok.system_prompt, 'LocalAuthentication.LAContext');
  assert.deepEqual(q.shown, ['show_consent biometrics/biometric_login', 'show_rationale face_id', 'request_permission face_id']);
});

test('the policy declined: basic mode, reported as a block; the launch with consent on record asks nothing', async () => {
  const p = phone('android', '33', { answers: { show_policy: false } });
  const res = await runStep(p.options('loan_apply', 'apply'));
  assert.deepEqual([res.outcome, res.reason, res.action.type], ['block', 'basic_mode', 'basic_mode']);
  assert.deepEqual(p.shown, ['show_policy', 'basic_mode']);
  assert.deepEqual(res.response.sdks, []);
  const launch = await runLaunch(p.options());
  assert.deepEqual([launch.outcome, launch.reason], ['block', 'basic_mode']);

  const q = phone('android', '33', { answers: { show_policy: true } });
  const l1 = await runLaunch(q.options());
  assert.deepEqual([l1.outcome, l1.action, l1.decisions], ['proceed', null, 2]);
  const l2 = await runLaunch(q.options());
  assert.deepEqual([l2.outcome, l2.decisions], ['proceed', 1]);
  assert.deepEqual(q.shown, ['show_policy']);
  assert.equal(sdkAllowed(l2, 'okhttp').allowed, true);
});

test('the web: a step that needs a system prompt the platform lacks is unavailable, reported as a block', async () => {
  const p = phone('web', 'chrome', { answers: { show_policy: true, show_consent: true } });
  const res = await runStep(p.options('register_login', 'face_login'));
  assert.deepEqual([res.outcome, res.reason], ['block', 'unavailable']);
  assert.equal(p.shown.at(-1), 'unavailable');
});

test('the state is read back: a new engine and the same storage go on where the last run ended; a state that is not JSON starts afresh', async () => {
  const storage = memoryStorage();
  const ops = [];
  const logged = {
    get: async (k) => { ops.push(`get ${k}`); return storage.get(k); },
    set: async (k, v) => { ops.push(`set ${k}`); return storage.set(k, v); },
    remove: (k) => storage.remove(k),
  };
  const p = phone('android', '33', { storage: logged, answers: { show_policy: true, show_rationale: true, request_permission: 'granted' } });
  await runStep(p.options('loan_apply', 'apply', { key: 'app.state', record: (r) => { ops.push(`record ${r.receipts.length}`); } }));
  // Read before, and the receipts recorded before the state is written, every decision.
  assert.deepEqual(ops.slice(0, 6), ['get app.state', 'record 0', 'set app.state', 'get app.state', 'record 1', 'set app.state']);
  assert.equal(ops.filter((o) => o.startsWith('get')).length, 8);
  assert.equal(ops.filter((o) => o.startsWith('set')).length, 8);
  assert.equal(storage.map.get(DEFAULT_STATE_KEY), undefined, 'key is honoured');

  const again = await Consent.load(shipped, quiet);
  const q = phone('android', '33', { storage: logged, os: p.os });
  const res = await runStep({ ...q.options('loan_apply', 'apply', { key: 'app.state' }), engine: again });
  assert.equal(res.outcome, 'proceed');
  assert.deepEqual(q.shown, [], 'nothing asked again: consent and grants on record');
  assert.equal(res.decisions, 1);

  await storage.set('app.state', '{not json');
  const r = phone('android', '33', { storage: logged, answers: { show_policy: false } });
  await runStep(r.options('loan_apply', 'apply', { key: 'app.state' }));
  assert.deepEqual(r.shown, ['show_policy', 'basic_mode']);
});

test('receipts go to the records.mjs queue before the state is saved', async () => {
  const storage = memoryStorage();
  const queue = await openQueue({ url: 'http://127.0.0.1:9/', token: 't', installation: 'inst-runner', storage });
  const p = phone('android', '33', { storage, answers: { show_policy: true, show_rationale: false } });
  const opts = p.options('loan_apply', 'apply', { record: (r) => queue.enqueue(r.receipts) });
  opts.request = { ...opts.request, installation: 'inst-runner' };
  const res = await runStep(opts);
  assert.equal(res.outcome, 'proceed');
  assert.equal(queue.pending, 4, 'the policy and three rationales declined');
  assert.deepEqual(queue.pendingReceipts().map((r) => r.seq), [1, 2, 3, 4]);
});

test('an engine error rejects with its code and field; the state stays the last one persisted', async () => {
  const p = phone('android', '33', { answers: { show_policy: true } });
  await assert.rejects(runStep(p.options('loan_apply', 'no_such_step')), (e) => {
    assert.ok(e instanceof StepError);
    assert.equal(e.code, 'unknown_step');
    assert.equal(e.field, 'event.step');
    assert.deepEqual(e.event, { type: 'enter', scenario: 'loan_apply', step: 'no_such_step' });
    assert.equal(e.response, null);
    assert.match(e.message, /unknown_step \(event\.step\)/);
    return true;
  });
  assert.equal(p.storage.map.size, 0, 'nothing persisted');

  // Mid-step: the OS reports nonsense after the dialog; the state is the one before.
  let reads = 0;
  const q = phone('android', '33', { answers: { show_policy: true, show_rationale: true } });
  const opts = q.options('loan_apply', 'apply', { os: () => (++reads >= 3 ? { location: 'bogus' } : {}) });
  await assert.rejects(runStep(opts), (e) => {
    assert.equal(e.code, 'bad_value');
    assert.equal(e.field, 'os.location');
    assert.equal(e.decisions, 3);
    assert.equal(e.response.state.flow.wait, 'rationale');
    return true;
  });
  assert.equal(q.storage.map.get(DEFAULT_STATE_KEY), JSON.stringify((await q.state())));
  assert.equal((await q.state()).flow.wait, 'rationale');
});

test('a callback that throws rejects the run with its error; the state stays as last persisted and the step can start again', async () => {
  const p = phone('android', '33', {
    answers: { show_policy: true, show_rationale: () => { throw new Error('the user left'); } },
  });
  await assert.rejects(runStep(p.options('loan_apply', 'apply')), /the user left/);
  const kept = await p.state();
  assert.deepEqual(kept.flow && [kept.flow.step, kept.flow.wait], ['loan_apply/apply', 'rationale']);
  assert.equal(kept.accepted, '2022-03-29', 'the policy answer before it was kept');

  const q = phone('android', '33', { storage: p.storage, answers: { show_rationale: false } });
  const res = await runStep(q.options('loan_apply', 'apply'));
  assert.equal(res.outcome, 'proceed');
  assert.equal(q.shown[0], 'show_rationale location');

  // record failing: the state is not written (the receipts it relies on were not kept).
  const r = phone('android', '33', { answers: { show_policy: true } });
  await assert.rejects(runStep(r.options('loan_apply', 'apply', { record: () => { throw new Error('disk full'); } })), /disk full/);
  assert.equal(r.storage.map.size, 0);
});

test('answers that are not answers are refused with bad_answer, naming the callback', async () => {
  const cases = [
    ['showPolicy returns undefined', { show_policy: undefined }, /showPolicy must return true or false .* not undefined/],
    ['showRationale returns a string', { show_policy: true, show_rationale: 'yes' }, /showRationale must return true or false .* not "yes"/],
    ['requestPermission returns restricted', { show_policy: true, show_rationale: true, request_permission: 'restricted' }, /requestPermission must return the permission's result .* not "restricted"/],
  ];
  for (const [name, answers, re] of cases) {
    const p = phone('android', '33', { answers });
    await assert.rejects(runStep(p.options('loan_apply', 'apply')), (e) => {
      assert.equal(e.code, 'bad_answer', name);
      assert.match(e.message, re, name);
      return true;
    });
  }
});

test('the loop guard: maxDecisions stops a run that does not end, with a clear error', async () => {
  const p = phone('android', '33', { answers: { show_policy: true, show_rationale: true, request_permission: 'granted' } });
  await assert.rejects(runStep(p.options('loan_apply', 'apply', { maxDecisions: 3 })), (e) => {
    assert.equal(e.code, 'too_many_decisions');
    assert.match(e.message, /3 decisions and the step loan_apply\/apply has not ended/);
    assert.equal(e.decisions, 3);
    return true;
  });
  // An engine that asks the same screen forever (a stand-in): the default guard.
  const rationale = { type: 'show_rationale', permission: 'camera', scenario: 's', step: 't', title: '', body: '', consequence: '', separate_consent: false, accept: 'OK', decline: 'No' };
  let calls = 0;
  const looping = { decide: () => { calls++; return { actions: [rationale], state: { v: 2, policy: 'x', hash: '0' }, receipts: [], sdks: [], sdk_data: {}, trace: [] }; } };
  await assert.rejects(runStep({ ...p.options('s', 't'), engine: looping }), (e) => e.code === 'too_many_decisions' && e.decisions === DEFAULT_MAX_DECISIONS);
  assert.equal(calls, DEFAULT_MAX_DECISIONS);
  // One that answers with nothing to do in a step.
  const empty = { decide: () => ({ actions: [], state: { v: 2, policy: 'x', hash: '0' }, receipts: [], sdks: [], sdk_data: {}, trace: [] }) };
  await assert.rejects(runStep({ ...p.options('s', 't'), engine: empty }), (e) => e.code === 'no_action');
});

test('a minor update loaded: its popup first, declined, and the step goes on with the rationale of the same response', async () => {
  const test = await Consent.load(await WebAssembly.compile(testModuleBytes()), quiet);
  const p = phone('android', '33', { answers: { show_policy: [true, false], show_rationale: true, request_permission: 'granted' } });
  const opts = (s, st) => ({ ...p.options(s, st), engine: test });
  assert.equal((await runLaunch(opts())).outcome, 'proceed');
  assert.equal(test.loadBundle(transcript().bundles.minor).ok, true);
  const res = await runStep(opts('loan_apply', 'apply'));
  assert.equal(res.outcome, 'proceed');
  assert.deepEqual(p.shown.slice(0, 4), ['show_policy', 'show_policy', 'show_rationale location', 'request_permission location']);
  assert.deepEqual(p.summaries().slice(0, 4), ['policy accepted', 'policy declined', 'rationale location accepted', 'permission location granted']);
  assert.equal(p.receipts[1].version, '2023-09-01');
});

test('options and sdkAllowed refuse what they cannot use, saying what is needed', () => {
  const p = phone('android', '33');
  const base = p.options('loan_apply', 'apply');
  assert.throws(() => runStep({ ...base, engine: undefined }), /needs engine/);
  assert.throws(() => runStep({ ...base, storage: {} }), /needs storage/);
  assert.throws(() => runStep({ ...base, openSettings: undefined }), /needs openSettings\(action\), which opens the settings/);
  assert.throws(() => runStep({ ...base, step: '' }), /needs scenario and step/);
  assert.throws(() => runStep({ ...base, maxDecisions: 0 }), /maxDecisions must be a positive integer/);
  assert.throws(() => runLaunch({ ...base, showPolicy: null }), /needs showPolicy/);
  assert.throws(() => sdkAllowed({ v: 2, policy: 'msxf', hash: '0' }, 'jpush'), /not a state: only a decision says/);
  assert.throws(() => sdkAllowed({ error: { code: 'bad_json', message: '' } }, 'jpush'), /not an error answer \(bad_json\)/);
  assert.throws(() => sdkAllowed({ sdks: [] }, ''), /needs the SDK's id/);
});
