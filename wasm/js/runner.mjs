// The step runner: one call runs a step (or the launch) to its end with the
// app's screens, the loop every host otherwise writes by hand. It asks the
// engine, shows what the engine asks for through the app's callbacks (the
// policy popup, a rationale, a separate-consent screen, the OS's dialog,
// the way to the settings), sends each answer back as the event the
// contract names for it, and keeps the state: read from the storage
// adapter before every decision, written after it, once the response's
// receipts were handed to `record`. It resolves to `proceed` or `block`
// with what is missing. `sdkAllowed` then says, from a response, whether an
// SDK may start now and which of its optional data it may collect (UMP's
// canRequestAds, per SDK).
//
// The events and actions are engine/CONTRACT.md's; types in runner.d.mts.
// No imports, no dependencies, like consent.mjs: the engine and the storage
// adapter are passed in.

/** The storage key the state is kept under unless `key` says otherwise. */
export const DEFAULT_STATE_KEY = 'jitconsent.state';

/**
 * The most decisions one run makes unless `maxDecisions` says otherwise: a
 * step of the reference policy takes at most a dozen (a policy popup, and
 * per permission a consent screen, a rationale, a dialog or the settings),
 * so 64 stops only a loop (an app answering the same screen forever).
 */
export const DEFAULT_MAX_DECISIONS = 64;

/** The results of the OS's dialog and of a return from the settings, as `permission_result` takes them. */
const RESULTS = new Set(['granted', 'limited', 'denied', 'denied_forever', 'dismissed']);

/**
 * A run that could not finish: the engine refused a request (`code` and
 * `field` are the engine's, `bad_value` and `event.result` say), or the
 * runner stopped (`too_many_decisions`, `bad_answer`, `no_action`,
 * `unknown_action`). `response` is the last response the run recorded
 * (null if none), whose state is the one persisted; `event` is the event
 * the engine refused (engine codes only).
 */
export class StepError extends Error {
  constructor(message, code, extra = {}) {
    super(message);
    this.name = 'StepError';
    /** The engine's error code, or the runner's own. */
    this.code = code;
    /** The request field at fault, as the engine names it (engine codes only; else undefined). */
    this.field = extra.field;
    /** The event the engine refused (engine codes only). */
    this.event = extra.event;
    /** The last response recorded and persisted, or null. */
    this.response = extra.response ?? null;
    /** How many decisions the run made, the refused one included. */
    this.decisions = extra.decisions ?? 0;
  }
}

/**
 * Runs a step to its end: `enter` the step, then each screen the engine
 * asks for, until it says `proceed`, `block`, `basic_mode` (the policy
 * declined) or `unavailable`. See runner.d.mts (`StepOptions`) for the
 * options and `StepResult` for what it resolves to.
 * @param {object} options
 * @returns {Promise<object>}
 */
export function runStep(options) {
  const o = checkOptions(options, 'runStep', ['showPolicy', 'showRationale', 'showConsent', 'requestPermission', 'openSettings']);
  if (typeof o.scenario !== 'string' || o.scenario === '' || typeof o.step !== 'string' || o.step === '') {
    throw new TypeError('runner.mjs: runStep needs scenario and step, the step to enter (scenario: "loan_apply", step: "apply")');
  }
  return run(o, { type: 'enter', scenario: o.scenario, step: o.step }, false);
}

/**
 * Runs the launch to its end: `launch`, then the policy popup if one is
 * due, until nothing is left to ask (`proceed`) or the app is in basic
 * mode (`block`, reason `basic_mode`). Only `showPolicy` is required.
 * @param {object} options
 * @returns {Promise<object>}
 */
export function runLaunch(options) {
  const o = checkOptions(options, 'runLaunch', ['showPolicy']);
  return run(o, { type: 'launch' }, true);
}

function checkOptions(options, name, required) {
  const o = options || {};
  if (!o.engine || typeof o.engine.decide !== 'function') {
    throw new TypeError(`runner.mjs: ${name} needs engine: a Consent (await Consent.load(...))`);
  }
  const s = o.storage;
  if (!s || typeof s.get !== 'function' || typeof s.set !== 'function') {
    throw new TypeError(`runner.mjs: ${name} needs storage: a storage adapter with get and set (storage.mjs: webStorage, wxStorage, myStorage, memoryStorage)`);
  }
  if (!o.request || (typeof o.request !== 'object' && typeof o.request !== 'function')) {
    throw new TypeError(`runner.mjs: ${name} needs request: the request without now, os, state and event ({locale, device, installation, ...}), or a function returning it`);
  }
  for (const f of required) {
    if (typeof o[f] !== 'function') throw new TypeError(`runner.mjs: ${name} needs ${f}(action), which ${WHAT[f]}`);
  }
  for (const f of ['showBlock', 'showBasicMode', 'showUnavailable', 'record', 'os', 'now']) {
    if (f in o && o[f] != null && typeof o[f] !== 'function' && !(f === 'os' && typeof o[f] === 'object') && !(f === 'now' && typeof o[f] === 'string')) {
      throw new TypeError(`runner.mjs: ${name}: ${f} must be a function`);
    }
  }
  const max = o.maxDecisions ?? DEFAULT_MAX_DECISIONS;
  if (!Number.isInteger(max) || max < 1) throw new TypeError(`runner.mjs: ${name}: maxDecisions must be a positive integer, not ${max}`);
  if (o.key != null && (typeof o.key !== 'string' || o.key === '')) throw new TypeError(`runner.mjs: ${name}: key must be a non-empty string`);
  return o;
}

/** What each callback does, for the error naming a missing one. */
const WHAT = {
  showPolicy: 'shows the policy popup and returns whether the user accepted it',
  showRationale: 'shows the explanation before a permission and returns whether the user accepted it',
  showConsent: 'shows a separate-consent screen and returns whether the user gave it',
  requestPermission: "shows the OS's dialog and returns its result (granted, limited, denied, denied_forever, dismissed)",
  openSettings: 'opens the settings and returns the permission\'s state on return (granted, denied, ...)',
};

/** The state stored under key, parsed; null when there is none or it is not JSON (the engine then starts afresh, as it does with a state it cannot use). */
function parseState(text) {
  if (text == null || text === '') return null;
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

async function run(o, first, launch) {
  const key = o.key ?? DEFAULT_STATE_KEY;
  const max = o.maxDecisions ?? DEFAULT_MAX_DECISIONS;
  let decisions = 0;
  let last = null;

  // One decision: the request as it is now (context, OS states, the stored
  // state), the event; the response recorded, then its state persisted.
  const decide = async (event) => {
    if (decisions >= max) {
      throw new StepError(`runner.mjs: ${max} decisions and the ${launch ? 'launch' : `step ${first.scenario}/${first.step}`} has not ended (maxDecisions): does a callback answer the same screen forever?`,
        'too_many_decisions', { response: last, decisions });
    }
    decisions++;
    const ctx = typeof o.request === 'function' ? await o.request() : o.request;
    const os = typeof o.os === 'function' ? await o.os() : o.os;
    const state = parseState(await o.storage.get(key));
    const req = Object.assign({}, ctx);
    delete req.receipts;
    req.now = typeof o.now === 'function' ? o.now() : (o.now ?? new Date().toISOString());
    if (os != null) req.os = os;
    req.state = state;
    req.event = event;
    const r = o.engine.decide(req);
    if (r.error) {
      const e = r.error;
      throw new StepError(`runner.mjs: the engine refused ${event.type}: ${e.code}${e.field ? ` (${e.field})` : ''}: ${e.message}`,
        e.code, { field: e.field, event, response: last, decisions });
    }
    if (o.record) await o.record(r);
    await o.storage.set(key, JSON.stringify(r.state));
    last = r;
    return r;
  };

  const ask = async (name, action, kind) => {
    const f = o[name];
    if (typeof f !== 'function') {
      throw new StepError(`runner.mjs: the engine asks for ${action.type} and no ${name}(action) was given, which ${WHAT[name]}`, 'bad_answer', { response: last, decisions });
    }
    const v = await f(action);
    if (kind === 'bool' && typeof v !== 'boolean') {
      throw new StepError(`runner.mjs: ${name} must return true or false (the user's answer to ${action.type}), not ${describe(v)}`, 'bad_answer', { response: last, decisions });
    }
    return v;
  };

  let r = await decide(first);
  let queue = r.actions.slice();
  for (;;) {
    if (queue.length === 0) {
      if (launch) return result('proceed', 'proceed', null, r, decisions);
      throw new StepError(`runner.mjs: the engine left step ${first.scenario}/${first.step} with nothing to show and no proceed or block`, 'no_action', { response: last, decisions });
    }
    const a = queue.shift();
    let event;
    switch (a.type) {
      case 'proceed':
        return result('proceed', 'proceed', a, r, decisions);
      case 'block':
        if (o.showBlock) await o.showBlock(a);
        return result('block', a.permission ? 'permission' : 'consent', a, r, decisions);
      case 'basic_mode':
        if (o.showBasicMode) await o.showBasicMode(a);
        return result('block', 'basic_mode', a, r, decisions);
      case 'unavailable':
        if (o.showUnavailable) await o.showUnavailable(a);
        return result('block', 'unavailable', a, r, decisions);
      case 'show_policy':
        event = { type: 'policy_answer', accepted: await ask('showPolicy', a, 'bool') };
        break;
      case 'show_rationale': {
        // iOS: one button, on to the system dialog; the engine refuses a
        // decline there, so whatever the screen returns it goes on.
        const oneButton = a.decline === '';
        const v = await ask('showRationale', a, oneButton ? 'any' : 'bool');
        event = { type: 'rationale_answer', permission: a.permission, accepted: oneButton ? true : v };
        break;
      }
      case 'show_consent':
        event = { type: 'consent_answer', sensitive: a.sensitive, purpose: a.purpose, accepted: await ask('showConsent', a, 'bool') };
        break;
      case 'request_permission':
        event = { type: 'permission_result', permission: a.permission, result: await answerResult('requestPermission', a) };
        break;
      case 'open_settings':
        event = { type: 'permission_result', permission: a.permission, result: await answerResult('openSettings', a) };
        break;
      default:
        throw new StepError(`runner.mjs: the engine asks for ${describe(a.type)}, an action this runner does not know (a newer module?)`, 'unknown_action', { response: last, decisions });
    }
    r = await decide(event);
    // A response with actions says what comes next. One without (the answer
    // to a minor update's popup, which does not block) leaves the step where
    // it was: the actions of the response before are still due.
    if (r.actions.length > 0) queue = r.actions.slice();
  }

  async function answerResult(name, a) {
    let v = await ask(name, a, 'any');
    // Back from the settings with the switch untouched: nothing changed.
    if (v === 'not_determined') v = 'dismissed';
    if (!RESULTS.has(v)) {
      throw new StepError(`runner.mjs: ${name} must return the permission's result (granted, limited, denied, denied_forever, dismissed), not ${describe(v)}`,
        'bad_answer', { response: last, decisions });
    }
    return v;
  }
}

function describe(v) {
  return v === undefined ? 'undefined' : JSON.stringify(v) ?? String(v);
}

/** What a run resolves to. */
function result(outcome, reason, action, response, decisions) {
  const out = {
    outcome,
    reason,
    action,
    missing: [],
    missing_consents: [],
    fallbacks: [],
    response,
    decisions,
  };
  if (action && action.type === 'proceed') {
    out.missing = action.missing.slice();
    out.missing_consents = action.missing_consents.slice();
    out.fallbacks = action.fallbacks.slice();
    if (action.system_prompt) out.system_prompt = action.system_prompt;
    if (action.system_apis) out.system_apis = action.system_apis.slice();
  } else if (action && action.type === 'block') {
    if (action.permission) out.missing = [action.permission];
    else out.missing_consents = [`${action.sensitive}/${action.purpose}`];
  }
  return out;
}

/**
 * Whether an SDK may start now, and which of its optional data it may
 * collect, from the last response (a `Decision`, or what runStep and
 * runLaunch resolve to): `{sdk, allowed, optionalData}`. `optionalData` is
 * the part of the optional data the SDK declares that it may collect now
 * (switch the rest off in the SDK); `null` when it declares none (nothing
 * to switch off); `[]` when it may not start. A state alone cannot say:
 * the engine decides the SDKs with the request's OS states and step.
 * @param {object} from
 * @param {string} sdk
 * @returns {{sdk: string, allowed: boolean, optionalData: string[] | null}}
 */
export function sdkAllowed(from, sdk) {
  if (typeof sdk !== 'string' || sdk === '') throw new TypeError('runner.mjs: sdkAllowed needs the SDK\'s id, as the policy names it ("jpush")');
  const r = from && typeof from === 'object' && 'outcome' in from && 'response' in from ? from.response : from;
  if (!r || typeof r !== 'object' || !Array.isArray(r.sdks)) {
    const what = r && r.error ? `an error answer (${r.error.code})` : r && r.v !== undefined && r.hash !== undefined ? 'a state' : describe(r);
    throw new TypeError(`runner.mjs: sdkAllowed needs the engine's last response (its sdks and sdk_data), or what runStep resolved to, not ${what}: only a decision says which SDKs may run`);
  }
  if (!r.sdks.includes(sdk)) return { sdk, allowed: false, optionalData: [] };
  const data = r.sdk_data && Object.prototype.hasOwnProperty.call(r.sdk_data, sdk) ? r.sdk_data[sdk].slice() : null;
  return { sdk, allowed: true, optionalData: data };
}
