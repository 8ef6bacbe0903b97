// The demo page. It plays a phone: the app's screens, the OS's permission
// dialogs and the OS's permission states. Every decision (what to show, what
// to ask, which SDKs run) comes from consent.wasm, loaded with consent.mjs,
// through the JSON contract of engine/CONTRACT.md. The page keeps the state
// the module returns and sends it back with the next request.
import { Consent } from '/js/consent.mjs';

const START = '2026-03-01T10:00:00+08:00';
const CLOCK_STEP_HOURS = 49;

const VERSIONS = {
  android: ['22', '23', '29', '30', '31', '33', '34', '35'],
  ios: ['13', '14', '17.2'],
  harmonyos: ['12'],
  wechat: ['3.4.1'],
  alipay: ['2.9.0'],
  web: ['chrome'],
};
const DEFAULT_VERSION = { android: '33', ios: '17.2' };
const PLATFORM_NAMES = {
  android: 'Android', ios: 'iOS', harmonyos: 'HarmonyOS', wechat: 'WeChat mini-program',
  alipay: 'Alipay mini-program', web: 'Web (browser)',
};
const OS_STATES = ['not_determined', 'granted', 'limited', 'denied', 'denied_forever', 'restricted'];
// Android's one-time and "while in use" choices exist for these only.
const FOREGROUND = new Set(['location', 'camera', 'microphone']);

// The page's own words (the app's chrome and the mock system dialogs). The
// texts the user consents to all come from the module.
const UI = {
  'zh-CN': {
    app: '马上消费', host: 'm.msxf.com', services: '全部服务', splash: '应用未运行', back: '返回',
    going: '正在办理…', proceed: '可以继续办理', without: '未获授权，将继续办理：', blocked: '无法继续',
    basicAccept: '阅读并同意隐私政策', ok: '好',
    withoutConsents: '未获单独同意，将继续办理：', systemPrompt: '调用系统验证：', unavailable: '此设备无法使用',
    separate: '单独同意',
    aTitle: (n) => `要允许“马上消费”使用${n}吗？`,
    aWhileUsing: '使用应用时允许', aOnce: '仅限这一次', aDontAllow: '不允许', aAllow: '允许', aDeny: '拒绝',
    aDenyForever: '拒绝且不再询问', aPrecise: '确切位置', aApprox: '大致位置', aSelectPhotos: '选择照片和视频', aAllowAll: '全部允许',
    iTitle: (n) => `“马上消费”想访问您的${n}`, iLocTitle: '要允许“马上消费”使用您的位置吗？',
    iTrackTitle: '允许“马上消费”跟踪您在其他公司的App和网站上的活动吗？', iFaceTitle: '您要允许“马上消费”使用面容ID吗？',
    iNotifTitle: '“马上消费”想给您发送通知',
    iAllow: '允许', iDontAllow: '不允许', iOnce: '允许一次', iWhileUsing: '使用App时允许', iSelectPhotos: '选择照片…',
    iAllPhotos: '允许访问所有照片', iPrecise: '精确位置', iAskNotTrack: '要求App不跟踪',
    hTitle: (n) => `是否允许“马上消费”使用${n}？`, hAllow: '允许', hDeny: '禁止',
    mRequests: '马上消费 申请', mGet: (n) => `获取你的${n}`, mAllow: '允许', mDeny: '拒绝',
    wWants: 'm.msxf.com 想要', wUse: (n) => `使用您的${n}`, wAllow: '允许', wBlock: '屏蔽',
  },
  'zh-TW': {
    app: '馬上消費', host: 'm.msxf.com', services: '全部服務', splash: '應用程式未執行', back: '返回',
    going: '正在辦理…', proceed: '可以繼續辦理', without: '未獲授權，將繼續辦理：', blocked: '無法繼續',
    basicAccept: '閱讀並同意隱私權政策', ok: '好',
    withoutConsents: '未獲單獨同意，將繼續辦理：', systemPrompt: '呼叫系統驗證：', unavailable: '此裝置無法使用',
    separate: '單獨同意',
    aTitle: (n) => `要允許「馬上消費」使用${n}嗎？`,
    aWhileUsing: '僅在使用該應用程式時允許', aOnce: '僅允許這一次', aDontAllow: '不允許', aAllow: '允許', aDeny: '拒絕',
    aDenyForever: '拒絕且不再詢問', aPrecise: '精確位置', aApprox: '概略位置', aSelectPhotos: '選取相片和影片', aAllowAll: '全部允許',
    iTitle: (n) => `「馬上消費」想要取用您的${n}`, iLocTitle: '要允許「馬上消費」使用您的位置嗎？',
    iTrackTitle: '要允許「馬上消費」追蹤您在其他公司 App 和網站上的活動嗎？', iFaceTitle: '您要允許「馬上消費」使用 Face ID 嗎？',
    iNotifTitle: '「馬上消費」想要傳送通知給您',
    iAllow: '允許', iDontAllow: '不允許', iOnce: '允許一次', iWhileUsing: '使用 App 期間允許', iSelectPhotos: '選取照片⋯',
    iAllPhotos: '允許取用所有照片', iPrecise: '精確位置', iAskNotTrack: '要求 App 不要追蹤',
    hTitle: (n) => `是否允許「馬上消費」使用${n}？`, hAllow: '允許', hDeny: '禁止',
    mRequests: '馬上消費 申請', mGet: (n) => `取得你的${n}`, mAllow: '允許', mDeny: '拒絕',
    wWants: 'm.msxf.com 想要', wUse: (n) => `使用您的${n}`, wAllow: '允許', wBlock: '封鎖',
  },
  en: {
    app: 'Mashang Consumer Finance', host: 'm.msxf.com', services: 'Services', splash: 'The app is not running', back: 'Back',
    going: 'Working…', proceed: 'You can go on', without: 'Going on without: ', blocked: 'Cannot go on',
    basicAccept: 'Read and accept the Privacy Policy', ok: 'OK',
    withoutConsents: 'Going on without the separate consent to: ', systemPrompt: 'The system prompt: ', unavailable: 'Not available on this device',
    separate: 'Separate consent',
    aTitle: (n) => `Allow Mashang Consumer Finance to access ${n.toLowerCase()}?`,
    aWhileUsing: 'While using the app', aOnce: 'Only this time', aDontAllow: "Don't allow", aAllow: 'Allow', aDeny: 'Deny',
    aDenyForever: "Deny & don't ask again", aPrecise: 'Precise', aApprox: 'Approximate', aSelectPhotos: 'Select photos and videos', aAllowAll: 'Allow all',
    iTitle: (n) => `“Mashang Consumer Finance” Would Like to Access Your ${n}`,
    iLocTitle: 'Allow “Mashang Consumer Finance” to use your location?',
    iTrackTitle: "Allow “Mashang Consumer Finance” to track your activity across other companies' apps and websites?",
    iFaceTitle: 'Do you want to allow “Mashang Consumer Finance” to use Face ID?',
    iNotifTitle: '“Mashang Consumer Finance” Would Like to Send You Notifications',
    iAllow: 'Allow', iDontAllow: "Don't Allow", iOnce: 'Allow Once', iWhileUsing: 'Allow While Using App', iSelectPhotos: 'Select Photos…',
    iAllPhotos: 'Allow Access to All Photos', iPrecise: 'Precise', iAskNotTrack: 'Ask App Not to Track',
    hTitle: (n) => `Allow Mashang Consumer Finance to use ${n.toLowerCase()}?`, hAllow: 'Allow', hDeny: 'Deny',
    mRequests: 'Mashang Consumer Finance requests', mGet: (n) => `Access to your ${n.toLowerCase()}`, mAllow: 'Allow', mDeny: 'Deny',
    wWants: 'm.msxf.com wants to', wUse: (n) => `Use your ${n.toLowerCase()}`, wAllow: 'Allow', wBlock: 'Block',
  },
};

// ---------------------------------------------------------------------------
// DOM helpers.

const $ = (id) => document.getElementById(id);

function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k === 'testid') e.dataset.testid = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids.flat()) if (k !== undefined && k !== null && k !== false) e.append(k);
  return e;
}

function button(testid, label, onclick, cls) {
  return h('button', { testid, class: cls, text: label, type: 'button', onclick });
}

// ---------------------------------------------------------------------------
// The simulation: the device, its OS and the app's memory.

const sim = {
  engine: null,
  envelope: null, // the bundle the page reads names from (the module has its own copy)
  state: null, // the module's state, kept as returned and sent back unchanged
  now: new Date(START),
  os: {}, // permission -> OS state reported in "os"
  once: new Set(), // one-time grants, gone when the app restarts
  denials: {}, // dialogs denied per permission (the OS's own count, for its buttons)
  purpose: {}, // the last rationale's purpose per permission (iOS shows it in its dialog)
  receipts: [], // the ledger, oldest first
  view: { screen: 'off', step: null, basic: false },
};

const platform = () => $('platform').value;
const version = () => $('version').value;
const locale = () => $('locale').value;
const api = () => parseInt(version(), 10) || 0;
const ui = () => UI[locale()] || UI.en;
const bundle = () => sim.envelope.payload;
const permissionIds = () => bundle().permissions.map((p) => p.id);

function text(key) {
  const t = bundle().texts;
  const v = (t[locale()] || {})[key] ?? (t[bundle().policy.default_locale] || {})[key];
  return v ?? key;
}
const permName = (p) => text(`permission.${p}.name`);
// A purpose's name as the user reads it (the policy's own words), or its id.
function purposeName(id) {
  const p = (bundle().purposes || []).find((x) => x.id === id);
  return p ? text(p.name) : id;
}
const consentOf = (x) => `${x.sensitive}/${x.purpose}`;

// Every separate consent the policy names, as <sensitive>/<purpose>: those
// its steps ask and those its SDKs need, in the bundle's order.
function consentIds() {
  const out = [];
  const add = (s, p) => { if (s && p && !out.includes(`${s}/${p}`)) out.push(`${s}/${p}`); };
  for (const sc of bundle().scenarios) {
    for (const st of sc.steps) for (const sp of [...(st.consents || []), ...(st.permissions || [])]) add(sp.sensitive, sp.consent_purpose);
  }
  for (const sdk of bundle().sdks) {
    for (const c of sdk.consents || []) add(c.sensitive, c.purpose);
    for (const o of sdk.optional || []) add(o.sensitive, o.purpose);
  }
  return out;
}
const stepName = (sc, st) => text(`step.${sc}.${st}.name`);
const scenarioName = (sc) => text(`scenario.${sc}.name`);

// RFC 3339 in China Standard Time, the time zone of the starting time.
function rfc3339(d) {
  const cst = new Date(d.getTime() + 8 * 3600e3);
  const p = (n) => String(n).padStart(2, '0');
  return `${cst.getUTCFullYear()}-${p(cst.getUTCMonth() + 1)}-${p(cst.getUTCDate())}T${p(cst.getUTCHours())}:${p(cst.getUTCMinutes())}:${p(cst.getUTCSeconds())}+08:00`;
}

// Does the platform declare the permission at all (so the OS knows it)?
function declared(p) {
  const perm = bundle().permissions.find((x) => x.id === p);
  return !!perm && perm.declare.some((d) => d.platform === platform());
}

// A fresh install: nothing asked yet. Android 5.1 and below grants every
// declared permission at install.
function freshOS() {
  const os = {};
  const installTime = platform() === 'android' && api() <= 22;
  for (const p of permissionIds()) os[p] = installTime && declared(p) ? 'granted' : 'not_determined';
  return os;
}

// What the OS reports now, for every permission the bundle knows.
function osReport() {
  const os = {};
  for (const p of permissionIds()) os[p] = sim.os[p] || 'not_determined';
  return os;
}

// What a dialog answer does to the OS's state for the permission.
function osAfter(perm, result) {
  switch (result) {
    case 'granted': case 'limited':
      sim.os[perm] = result;
      break;
    case 'dismissed':
      break; // nothing decided: the dialog may come again
    case 'denied_forever':
      sim.denials[perm] = (sim.denials[perm] || 0) + 1;
      sim.os[perm] = 'denied_forever';
      break;
    default: {
      sim.denials[perm] = (sim.denials[perm] || 0) + 1;
      // Android 11 and up ends the dialogs after the second denial.
      const ends = platform() === 'android' && api() >= 30 && sim.denials[perm] >= 2;
      sim.os[perm] = ends ? 'denied_forever' : 'denied';
    }
  }
}

// ---------------------------------------------------------------------------
// Talking to the module.

// decide sends one event with the OS's state and the kept state; it keeps
// the new state and shows what the module said. On an error the previous
// state stays, as the contract says.
function decide(event) {
  const req = {
    now: rfc3339(sim.now),
    locale: locale(),
    device: { platform: platform(), version: version() },
    os: osReport(),
    state: sim.state,
    event,
  };
  $('request').textContent = JSON.stringify(req, null, 1);
  const r = sim.engine.decide(req);
  logDecision(event, r);
  if (r.error) {
    console.error(`consent.wasm refused ${event.type}: ${r.error.code} ${r.error.field || ''}: ${r.error.message}`);
    showError(r.error);
    return null;
  }
  hideError();
  sim.state = r.state;
  if (!r.state.basic) sim.view.basic = false;
  renderPanel(r);
  return r;
}

// act decides an event and performs the actions.
function act(event) {
  const r = decide(event);
  if (r) perform(r.actions);
  renderApp();
  renderOS();
}

// perform carries out the actions in order. An action that waits for the
// user (a popup, a rationale, a system dialog, the settings hint) is the
// last; a minor update's popup, which does not block, lets the rest go on
// once answered.
function perform(actions) {
  closeLayers();
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i];
    const rest = actions.slice(i + 1);
    switch (a.type) {
      case 'show_policy':
        showPolicy(a, rest);
        return;
      case 'basic_mode':
        sim.view.basic = a.body;
        sim.view.screen = 'home';
        sim.view.step = null;
        break;
      case 'show_consent':
        showConsent(a);
        return;
      case 'show_rationale':
        showRationale(a);
        return;
      case 'request_permission':
        showSystemDialog(a);
        return;
      case 'open_settings':
        showSettingsHint(a);
        return;
      case 'proceed':
        setStepResult(a, { kind: 'proceed', action: a });
        break;
      case 'block':
        setStepResult(a, { kind: 'block', action: a });
        break;
      case 'unavailable':
        setStepResult(a, { kind: 'unavailable', action: a });
        break;
      default:
        console.warn('unknown action', a);
    }
  }
}

// ---------------------------------------------------------------------------
// The app's screens inside the phone.

function closeLayers() {
  for (const id of ['app-layer', 'sys-layer']) { $(id).hidden = true; $(id).replaceChildren(); }
}

function appLayer(node) { const l = $('app-layer'); l.replaceChildren(node); l.hidden = false; }
function sysLayer(node) { const l = $('sys-layer'); l.replaceChildren(node); l.hidden = false; }

function setStepResult(a, result) {
  sim.view.screen = 'step';
  sim.view.step = { scenario: a.scenario, step: a.step, result };
}

function renderChrome() {
  const p = platform();
  const u = ui();
  const chrome = $('chrome');
  chrome.className = `chrome ${p}`;
  if (p === 'web') {
    chrome.replaceChildren(h('div', { class: 'addressbar' }, h('span', { class: 'lock' }, icon('lock', 14)), h('span', { text: u.host }), h('span', { class: 'tabs', text: '⋮' })));
  } else if (p === 'wechat' || p === 'alipay') {
    chrome.replaceChildren(h('div', { class: 'navbar' }, h('span', { class: 'title', text: u.app }), h('span', { class: 'capsule' }, h('span', { text: '···' }), h('span', { class: 'sep' }), h('span', { class: 'ring' }))));
  } else {
    chrome.replaceChildren();
  }
}

function renderApp() {
  renderChrome();
  const u = ui();
  const v = sim.view;
  const app = $('app');
  if (v.screen === 'off') {
    app.replaceChildren(h('div', { class: 'splash', testid: 'splash' },
      h('div', { class: 'app-icon', text: '马' }), h('p', { text: u.splash }), h('p', { class: 'hint', text: 'Press “Launch app”.' })));
    return;
  }
  const basic = v.basic ? h('div', { class: 'basic', testid: 'basic-mode' },
    h('p', { testid: 'basic-body', text: v.basic }),
    button('basic-accept', u.basicAccept, () => act({ type: 'policy_answer', accepted: true }), 'link')) : null;
  if (v.screen === 'home' || !v.step) {
    app.replaceChildren(h('div', { class: 'appbar' }, h('span', { text: u.app })),
      h('div', { class: 'content', testid: 'home' }, basic,
        h('h4', { text: u.services }),
        ...bundle().scenarios.map((sc) => h('div', { class: 'scenario' },
          h('div', { class: 'scenario-name', text: scenarioName(sc.id) }),
          h('div', { class: 'tiles' }, ...sc.steps.map((st) => button(`tile-${sc.id}-${st.id}`, stepName(sc.id, st.id), () => enterStep(sc.id, st.id), 'tile')))))));
    return;
  }
  const { scenario, step, result } = v.step;
  let body;
  if (!result) {
    body = h('div', { class: 'card pending', testid: 'step-pending' }, h('p', { text: u.going }));
  } else if (result.kind === 'proceed') {
    const a = result.action;
    const consents = a.missing_consents || [];
    body = h('div', { class: 'card proceed', testid: 'proceed' },
      h('h3', { testid: 'proceed-title', text: `✓ ${u.proceed}` }),
      a.missing.length ? h('div', { testid: 'proceed-missing', 'data-missing': a.missing.join(' ') },
        h('p', { text: u.without }),
        h('ul', {}, ...a.missing.map((p) => h('li', { 'data-permission': p }, permName(p), ' ', h('code', { text: p }))))) : null,
      consents.length ? h('div', { testid: 'proceed-missing-consents', 'data-missing': consents.join(' ') },
        h('p', { text: u.withoutConsents }),
        h('ul', {}, ...consents.map((c) => h('li', { 'data-consent': c }, purposeName(c.slice(c.indexOf('/') + 1)), ' ', h('code', { text: c }))))) : null,
      ...a.fallbacks.map((f) => h('p', { class: 'fallback', testid: 'proceed-fallback', text: f })),
      a.system_prompt ? h('p', { class: 'system-prompt', testid: 'proceed-prompt', 'data-api': a.system_prompt }, u.systemPrompt, h('code', { text: a.system_prompt })) : null,
      // Pickers and components that need no permission: the app calls
      // them, and they show only what the user selects or saves.
      ...(a.system_apis || []).map((x) => h('p', { class: 'system-prompt', testid: 'proceed-api', 'data-permission': x.permission, 'data-api': x.api },
        permName(x.permission), ` (${x.access}): `, h('code', { text: x.api }))));
  } else if (result.kind === 'unavailable') {
    const a = result.action;
    body = h('div', { class: 'card block unavailable', testid: 'unavailable' },
      h('h3', { testid: 'unavailable-title', text: u.unavailable }),
      h('p', { testid: 'unavailable-body', text: a.body }),
      button('unavailable-back', u.back, goHome, 'secondary'));
  } else {
    const a = result.action;
    body = h('div', { class: 'card block', testid: 'block', 'data-permission': a.permission, 'data-consent': a.permission ? null : consentOf(a) },
      h('h3', { testid: 'block-title', text: a.title }),
      h('p', { testid: 'block-body', text: a.body }),
      button('block-back', u.back, goHome, 'secondary'));
  }
  app.replaceChildren(
    h('div', { class: 'appbar' }, button('app-back', '‹', goHome, 'back'), h('span', { testid: 'step-name', text: `${scenarioName(scenario)} · ${stepName(scenario, step)}` })),
    h('div', { class: 'content', testid: 'step-screen', 'data-step': `${scenario}/${step}` }, basic, body));
}

function goHome() { sim.view.screen = 'home'; sim.view.step = null; closeLayers(); renderApp(); }

function enterStep(scenario, step) {
  sim.view.screen = 'step';
  sim.view.step = { scenario, step, result: null };
  renderApp();
  act({ type: 'enter', scenario, step });
}

// The privacy policy popup, as the app draws it. A minor update
// (blocking false) offers agree and decline too, and whichever the user
// picks, the rest of the answer goes on; the policy's pages (the full
// text, the SDK list) are links.
function showPolicy(a, rest) {
  const goesOn = a.blocking === false;
  const answer = (accepted) => () => {
    const r = decide({ type: 'policy_answer', accepted });
    if (!r) return;
    if (goesOn) perform([...r.actions, ...rest]); else perform(r.actions);
    renderApp();
    renderOS();
  };
  const links = a.links || [];
  appLayer(h('div', { class: 'dialog policy', testid: 'policy-dialog', 'data-change': a.change, role: 'dialog' },
    h('h3', { testid: 'policy-title', text: a.title }),
    h('div', { class: 'scroll' },
      h('p', { testid: 'policy-body', text: a.body }),
      a.changes.length ? h('ul', { class: 'changes', testid: 'policy-changes' }, ...a.changes.map((c) => h('li', { text: c }))) : null,
      links.length ? h('p', { class: 'links', testid: 'policy-links' },
        ...links.map((l) => h('a', { href: l.url, target: '_blank', rel: 'noopener noreferrer', 'data-kind': l.kind, text: l.title }))) : null),
    h('div', { class: 'actions' },
      button('policy-accept', a.accept, answer(true), 'primary'),
      a.decline ? button('policy-decline', a.decline, answer(false), 'plain') : null)));
}

// The note of a rationale or a consent screen that asks a separate
// consent: the body's last line (the policy's words), under a label naming
// the consent the action names (its purpose, as the policy calls it). The
// actions carry no label text of their own (engine/CONTRACT.md), so the
// words "separate consent" come from the page's table, in the request's
// locale: never a fixed bilingual string.
function separateNote(a, note, testid) {
  return h('p', { class: 'separate', testid, 'data-consent': consentOf(a) },
    h('span', { class: 'separate-label', testid: `${testid}-label` }, `${ui().separate} · ${purposeName(a.purpose)}`, ' ', h('code', { text: consentOf(a) })),
    note);
}

// The in-app rationale, before any system dialog. For sensitive data the
// body's last line asks for the separate consent: it is shown as a note.
function showRationale(a) {
  const lines = a.body.split('\n');
  const separate = !!(a.purpose || a.separate_consent);
  const note = separate && lines.length > 1 ? lines.pop() : null;
  sim.purpose[a.permission] = lines.join('\n');
  appLayer(h('div', { class: 'dialog rationale', testid: 'rationale-dialog', 'data-permission': a.permission, role: 'dialog' },
    h('div', { class: 'perm-icon' }, iconOf(a.permission)),
    h('h3', { testid: 'rationale-title', text: a.title }),
    h('p', { testid: 'rationale-body', text: lines.join('\n') }),
    a.consequence ? h('p', { class: 'consequence', testid: 'rationale-consequence', text: a.consequence }) : null,
    note ? separateNote(a, note, 'rationale-separate') : null,
    h('div', { class: 'actions' },
      button('rationale-accept', a.accept, () => act({ type: 'rationale_answer', permission: a.permission, accepted: true }), 'primary'),
      // iOS: one button, on to the system dialog, where the user refuses.
      a.decline === '' ? null : button('rationale-decline', a.decline, () => act({ type: 'rationale_answer', permission: a.permission, accepted: false }), 'plain'))));
}

// A separate consent asked on its own, with no permission and no system
// dialog (card data for card binding, the biometric rules before biometric
// login): answered with consent_answer naming the same consent.
function showConsent(a) {
  const lines = a.body.split('\n');
  const note = lines.length > 1 ? lines.pop() : null;
  const answer = (accepted) => () => act({ type: 'consent_answer', sensitive: a.sensitive, purpose: a.purpose, accepted });
  appLayer(h('div', { class: 'dialog rationale consent', testid: 'consent-dialog', 'data-consent': consentOf(a), 'data-permission': a.permission || null, role: 'dialog' },
    h('div', { class: 'perm-icon' }, a.permission ? iconOf(a.permission) : icon('shield')),
    h('h3', { testid: 'consent-title', text: a.title }),
    h('p', { testid: 'consent-body', text: lines.join('\n') }),
    a.consequence ? h('p', { class: 'consequence', testid: 'consent-consequence', text: a.consequence }) : null,
    separateNote(a, note, 'consent-separate'),
    h('div', { class: 'actions' },
      button('consent-accept', a.accept, answer(true), 'primary'),
      button('consent-decline', a.decline, answer(false), 'plain'))));
}

// The app's hint to open the settings, and the user coming back from them.
function showSettingsHint(a) {
  const back = (on) => {
    if (on) sim.os[a.permission] = 'granted';
    const os = sim.os[a.permission] || 'not_determined';
    const result = ['granted', 'limited', 'denied_forever'].includes(os) ? os : 'denied';
    act({ type: 'permission_result', permission: a.permission, result });
  };
  appLayer(h('div', { class: 'dialog settings', testid: 'settings-hint', 'data-permission': a.permission, role: 'dialog' },
    h('div', { class: 'perm-icon' }, icon('gear')),
    h('h3', { testid: 'settings-title', text: a.title }),
    h('p', { testid: 'settings-body', text: a.body }),
    // A special access is granted only on its own settings page.
    a.special ? h('p', { class: 'system-prompt', testid: 'settings-special', 'data-settings': a.settings }, h('code', { text: a.settings })) : null,
    h('div', { class: 'sim-controls' },
      h('span', { class: 'sim-label', text: 'simulator: the user visits the settings and comes back' }),
      button('settings-on', `Back from settings, ${a.permission} ON`, () => back(true), 'sim'),
      button('settings-off', `Back from settings, ${a.permission} still off`, () => back(false), 'sim'))));
}

// ---------------------------------------------------------------------------
// The mock system dialogs, one style and one set of choices per platform.

// Icons as inline SVG (Material Design shapes): the page needs no emoji font.
const ICONS = {
  location: 'M12 2C8.13 2 5 5.13 5 9c0 5.25 7 13 7 13s7-7.75 7-13c0-3.87-3.13-7-7-7zm0 9.5a2.5 2.5 0 1 1 0-5 2.5 2.5 0 0 1 0 5z',
  camera: 'M9 2 7.17 4H4c-1.1 0-2 .9-2 2v12c0 1.1.9 2 2 2h16c1.1 0 2-.9 2-2V6c0-1.1-.9-2-2-2h-3.17L15 2H9zm3 15a5 5 0 1 1 0-10 5 5 0 0 1 0 10zm0-1.8a3.2 3.2 0 1 0 0-6.4 3.2 3.2 0 0 0 0 6.4z',
  microphone: 'M12 14c1.66 0 3-1.34 3-3V5c0-1.66-1.34-3-3-3S9 3.34 9 5v6c0 1.66 1.34 3 3 3zm5.3-3c0 3-2.54 5.1-5.3 5.1S6.7 14 6.7 11H5c0 3.41 2.72 6.23 6 6.72V21h2v-3.28c3.28-.48 6-3.3 6-6.72h-1.7z',
  phone: 'M6.62 10.79c1.44 2.83 3.76 5.14 6.59 6.59l2.2-2.2c.27-.27.67-.36 1.02-.24 1.12.37 2.33.57 3.57.57.55 0 1 .45 1 1V20c0 .55-.45 1-1 1C10.61 21 3 13.39 3 4c0-.55.45-1 1-1h3.5c.55 0 1 .45 1 1 0 1.25.2 2.45.57 3.57.11.35.03.74-.25 1.02l-2.2 2.2z',
  person: 'M12 12c2.21 0 4-1.79 4-4s-1.79-4-4-4-4 1.79-4 4 1.79 4 4 4zm0 2c-2.67 0-8 1.34-8 4v2h16v-2c0-2.66-5.33-4-8-4z',
  photos: 'M21 19V5c0-1.1-.9-2-2-2H5c-1.1 0-2 .9-2 2v14c0 1.1.9 2 2 2h14c1.1 0 2-.9 2-2zM8.5 13.5l2.5 3.01L14.5 12l4.5 6H5l3.5-4.5z',
  calendar: 'M19 4h-1V2h-2v2H8V2H6v2H5c-1.11 0-2 .9-2 2v14a2 2 0 0 0 2 2h14c1.1 0 2-.9 2-2V6c0-1.1-.9-2-2-2zm0 16H5V9h14v11z',
  bell: 'M12 22c1.1 0 2-.9 2-2h-4c0 1.1.89 2 2 2zm6-6v-5c0-3.07-1.64-5.64-4.5-6.32V4c0-.83-.67-1.5-1.5-1.5s-1.5.67-1.5 1.5v.68C7.63 5.36 6 7.92 6 11v5l-2 2v1h16v-1l-2-2z',
  folder: 'M10 4H4c-1.1 0-2 .9-2 2v12c0 1.1.9 2 2 2h16c1.1 0 2-.9 2-2V8c0-1.1-.9-2-2-2h-8l-2-2z',
  shield: 'M12 1 3 5v6c0 5.55 3.84 10.74 9 12 5.16-1.26 9-6.45 9-12V5l-9-4z',
  gear: 'M19.14 12.94a7.5 7.5 0 0 0 0-1.88l2.03-1.58a.49.49 0 0 0 .12-.61l-1.92-3.32a.49.49 0 0 0-.59-.22l-2.39.96a7 7 0 0 0-1.62-.94l-.36-2.54a.48.48 0 0 0-.48-.41h-3.84a.48.48 0 0 0-.47.41l-.36 2.54a7 7 0 0 0-1.62.94l-2.39-.96a.49.49 0 0 0-.59.22L2.74 8.87a.48.48 0 0 0 .12.61l2.03 1.58a7.5 7.5 0 0 0 0 1.88l-2.03 1.58a.49.49 0 0 0-.12.61l1.92 3.32c.12.22.37.29.59.22l2.39-.96c.5.38 1.03.7 1.62.94l.36 2.54c.05.24.24.41.48.41h3.84c.24 0 .44-.17.47-.41l.36-2.54a7 7 0 0 0 1.62-.94l2.39.96c.22.08.47 0 .59-.22l1.92-3.32a.48.48 0 0 0-.12-.61l-2.01-1.58zM12 15.6a3.6 3.6 0 1 1 0-7.2 3.6 3.6 0 0 1 0 7.2z',
  lock: 'M18 8h-1V6A5 5 0 0 0 7 6v2H6c-1.1 0-2 .9-2 2v10c0 1.1.9 2 2 2h12c1.1 0 2-.9 2-2V10c0-1.1-.9-2-2-2zm-6 9a2 2 0 1 1 0-4 2 2 0 0 1 0 4zm3.1-9H8.9V6a3.1 3.1 0 0 1 6.2 0v2z',
  wifi: 'M1 9l2 2c4.97-4.97 13.03-4.97 18 0l2-2C16.93 2.93 7.08 2.93 1 9zm8 8 3 3 3-3a4.24 4.24 0 0 0-6 0zm-4-4 2 2a7.07 7.07 0 0 1 10 0l2-2C15.14 9.14 8.87 9.14 5 13z',
  signal: 'M2 22h3v-5H2v5zm5 0h3v-9H7v9zm5 0h3V9h-3v13zm5 0h3V3h-3v19z',
  battery: 'M16 5H4a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2zm4 4v6h2V9h-2z',
};
const PERMISSION_ICONS = { location: 'location', camera: 'camera', microphone: 'microphone', call_log: 'phone', phone_state: 'phone',
  contacts: 'person', photos: 'photos', calendar: 'calendar', notifications: 'bell', storage: 'folder',
  bluetooth: 'signal', install_packages: 'folder', installed_apps: 'folder' };

function icon(name, size = 24) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', size);
  svg.setAttribute('height', size);
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('icon');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name] || ICONS.shield);
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}
const iconOf = (p) => icon(PERMISSION_ICONS[p] || 'shield');

// systemDialog describes the platform's dialog for a permission: its title,
// an optional body, an optional precise/approximate switch, and its choices
// as [testid, label, result]. 'granted' becomes 'limited' when the switch is
// on approximate.
function systemDialog(perm) {
  const u = ui();
  const name = permName(perm);
  const p = platform();
  const d = { title: '', body: '', choices: [], approx: null, dismiss: false };
  if (p === 'android') {
    d.title = u.aTitle(name);
    d.dismiss = true;
    if (api() >= 30) {
      if (perm === 'location' && api() >= 31) d.approx = { precise: u.aPrecise, approximate: u.aApprox };
      if (perm === 'photos' && api() >= 34) {
        d.choices = [['system-limited', u.aSelectPhotos, 'limited'], ['system-allow', u.aAllowAll, 'granted'], ['system-deny', u.aDontAllow, 'denied']];
      } else if (FOREGROUND.has(perm)) {
        d.choices = [['system-allow', u.aWhileUsing, 'granted'], ['system-once', u.aOnce, 'granted-once'], ['system-deny', u.aDontAllow, 'denied']];
      } else {
        d.choices = [['system-allow', u.aAllow, 'granted'], ['system-deny', u.aDontAllow, 'denied']];
      }
    } else {
      d.choices = [['system-allow', u.aAllow, 'granted'], ['system-deny', u.aDeny, 'denied']];
      if ((sim.denials[perm] || 0) > 0) d.choices.push(['system-deny-forever', u.aDenyForever, 'denied_forever']);
    }
  } else if (p === 'ios') {
    const v = parseFloat(version());
    d.body = sim.purpose[perm] || '';
    if (perm === 'location') {
      d.title = u.iLocTitle;
      if (v >= 14) d.approx = { precise: u.iPrecise, toggle: true };
      d.choices = [['system-once', u.iOnce, 'granted-once'], ['system-allow', u.iWhileUsing, 'granted'], ['system-deny', u.iDontAllow, 'denied']];
    } else if (perm === 'photos' && v >= 14) {
      d.title = u.iTitle(name);
      d.choices = [['system-limited', u.iSelectPhotos, 'limited'], ['system-allow', u.iAllPhotos, 'granted'], ['system-deny', u.iDontAllow, 'denied']];
    } else if (perm === 'ad_tracking') {
      d.title = u.iTrackTitle;
      d.choices = [['system-deny', u.iAskNotTrack, 'denied'], ['system-allow', u.iAllow, 'granted']];
    } else if (perm === 'face_id') {
      d.title = u.iFaceTitle;
      d.choices = [['system-deny', u.iDontAllow, 'denied'], ['system-allow', u.ok, 'granted']];
    } else {
      d.title = perm === 'notifications' ? u.iNotifTitle : u.iTitle(name);
      d.choices = [['system-deny', u.iDontAllow, 'denied'], ['system-allow', u.iAllow, 'granted']];
    }
  } else if (p === 'harmonyos') {
    d.title = u.hTitle(name);
    d.body = sim.purpose[perm] || '';
    d.dismiss = true;
    d.choices = [['system-deny', u.hDeny, 'denied'], ['system-allow', u.hAllow, 'granted']];
  } else if (p === 'wechat' || p === 'alipay') {
    d.title = u.mRequests;
    d.body = u.mGet(name);
    d.choices = [['system-deny', u.mDeny, 'denied'], ['system-allow', u.mAllow, 'granted']];
  } else {
    d.title = u.wWants;
    d.body = u.wUse(name);
    d.dismiss = true;
    d.choices = [['system-allow', u.wAllow, 'granted'], ['system-deny', u.wBlock, 'denied']];
  }
  return d;
}

function showSystemDialog(a) {
  const perm = a.permission;
  const d = systemDialog(perm);
  let approximate = false;
  const answer = (result) => {
    if (result === 'granted-once') { result = 'granted'; sim.once.add(perm); } else if (result === 'granted') sim.once.delete(perm);
    if (result === 'granted' && approximate) result = 'limited';
    osAfter(perm, result);
    act({ type: 'permission_result', permission: perm, result });
  };
  let approx = null;
  if (d.approx && d.approx.toggle) {
    const sw = h('button', { testid: 'system-approximate', class: 'switch on', type: 'button', role: 'switch', 'aria-checked': 'true' });
    sw.onclick = () => { approximate = !approximate; sw.classList.toggle('on', !approximate); sw.setAttribute('aria-checked', String(!approximate)); };
    approx = h('div', { class: 'precise' }, h('span', { text: d.approx.precise }), sw);
  } else if (d.approx) {
    const pick = (apx) => () => {
      approximate = apx;
      approx.querySelectorAll('.choice').forEach((c) => c.classList.toggle('on', c.dataset.approx === String(apx)));
    };
    approx = h('div', { class: 'approx' },
      h('button', { type: 'button', class: 'choice on', 'data-approx': 'false', testid: 'system-precise', onclick: pick(false) }, h('span', { class: 'map precise' }, icon('location', 30)), d.approx.precise),
      h('button', { type: 'button', class: 'choice', 'data-approx': 'true', testid: 'system-approximate', onclick: pick(true) }, h('span', { class: 'map approximate' }, h('span', { class: 'area' })), d.approx.approximate));
  }
  const dialog = h('div', { class: `sysdialog ${platform()}`, testid: 'system-dialog', 'data-platform': platform(), 'data-permission': perm, role: 'alertdialog' },
    platform() === 'web' ? button('system-dismiss', '×', () => answer('dismissed'), 'close') : null,
    platform() === 'android' || platform() === 'harmonyos' ? h('div', { class: 'sys-icon' }, iconOf(perm)) : null,
    platform() === 'wechat' || platform() === 'alipay' ? h('div', { class: 'mp-head' }, h('span', { class: 'mp-logo', text: '马' }), h('span', { testid: 'system-title', text: d.title })) : h('h3', { testid: 'system-title', text: d.title }),
    d.body ? h('p', { testid: 'system-body', text: d.body }) : null,
    approx,
    h('div', { class: 'sys-actions' }, ...d.choices.map(([id, label, result]) => button(id, label, () => answer(result), result === 'denied' || result === 'denied_forever' ? 'deny' : 'allow'))),
    h('p', { class: 'ids', testid: 'system-ids', text: a.platform_ids.join(' · ') }));
  const scrim = h('div', { class: 'scrim' });
  if (d.dismiss && platform() !== 'web') {
    sysLayer(h('div', { class: 'sys-wrap' }, scrim, dialog,
      button('system-dismiss', 'simulator: back gesture (dismissed)', () => answer('dismissed'), 'sim dismiss')));
  } else {
    sysLayer(h('div', { class: 'sys-wrap' }, scrim, dialog));
  }
}

// ---------------------------------------------------------------------------
// The side panel.

function renderPanel(r) {
  // Each running SDK, with the optional data it may collect now where it declares some.
  const data = r.sdk_data || {};
  $('sdks').replaceChildren(...r.sdks.map((s) => h('li', { 'data-sdk': s }, s,
    data[s] ? h('span', { class: 'sdk-data', 'data-data': data[s].join(' '), text: ` (${data[s].length ? 'may collect: ' + data[s].join(', ') : 'optional data off'})` }) : null)));
  $('sdk-count').textContent = String(r.sdks.length);
  $('trace').replaceChildren(...r.trace.map((t) => h('li', { 'data-rule': t.rule }, h('span', { class: 'rule', text: t.rule }), ' ', t.detail)));
  for (const rc of r.receipts) sim.receipts.push(rc);
  renderReceipts();
  $('state').textContent = JSON.stringify(r.state, null, 1);
}

function renderReceipts() {
  let ok = true;
  let prev = sim.receipts.length ? sim.receipts[0].prev : '';
  for (const rc of sim.receipts) { ok = ok && rc.prev === prev; prev = rc.hash; }
  const n = sim.receipts.length;
  $('receipts-chain').textContent = n ? (ok ? `${n}, chain ok` : `${n}, chain BROKEN`) : '';
  $('receipts-chain').className = `chain ${ok ? 'ok' : 'bad'}`;
  $('receipts').replaceChildren(...sim.receipts.slice().reverse().map((rc) => h('li', { 'data-kind': rc.kind, title: JSON.stringify(rc, null, 1) },
    h('span', { class: `kind ${rc.kind}`, text: rc.kind }), ' ',
    [rc.permission || (rc.purpose && consentOf(rc)), rc.scenario && `${rc.scenario}/${rc.step}`].filter(Boolean).join(' '), ' ',
    h('b', { text: rc.answer }), rc.permission && (rc.purpose || rc.separate_consent) ? ` (separate consent${rc.purpose ? ` ${consentOf(rc)}` : ''})` : '', ' ',
    h('code', { text: `${rc.hash.slice(0, 10)}…` }), h('span', { class: 'time', text: ` ${rc.time.slice(5, 16).replace('T', ' ')}` }))));
}

function describe(event) {
  switch (event.type) {
    case 'enter': return `enter ${event.scenario}/${event.step}`;
    case 'policy_answer': return `policy_answer ${event.accepted ? 'accepted' : 'declined'}`;
    case 'consent_answer': return `consent_answer ${consentOf(event)} ${event.accepted ? 'accepted' : 'declined'}`;
    case 'rationale_answer': return `rationale_answer ${event.permission} ${event.accepted ? 'accepted' : 'declined'}`;
    case 'permission_result': return `permission_result ${event.permission} ${event.result}`;
    case 'withdraw': return `withdraw ${event.permission || consentOf(event)}`;
    default: return event.type;
  }
}

function logDecision(event, r) {
  const subject = (a) => (a.permission ? ` ${a.permission}` : a.purpose ? ` ${consentOf(a)}` : '');
  const out = r.error ? `error ${r.error.code}` : (r.actions.map((a) => a.type + subject(a)).join(', ') || 'nothing to show');
  const rules = r.error ? '' : [...new Set(r.trace.map((t) => t.rule))].join(' ');
  $('log').prepend(h('li', { class: r.error ? 'error' : '' },
    h('span', { class: 'time', text: rfc3339(sim.now).slice(5, 16).replace('T', ' ') }), ' ',
    h('b', { text: describe(event) }), ' → ', out, rules ? h('span', { class: 'rules', text: ` [${rules}]` }) : null));
}

function renderOS() {
  const os = osReport();
  $('os').replaceChildren(h('tr', {}, h('th', { text: 'permission' }), h('th', { text: 'OS reports' })),
    ...permissionIds().map((p) => {
      const sel = h('select', { testid: `os-${p}`, 'data-state': os[p], onchange: (e) => { sim.os[p] = e.target.value; sim.once.delete(p); renderOS(); } },
        ...OS_STATES.map((s) => h('option', { value: s, text: s })));
      sel.value = os[p];
      return h('tr', { class: declared(p) ? '' : 'undeclared' }, h('td', { text: p }), h('td', {}, sel));
    }));
  $('now').textContent = rfc3339(sim.now);
  const cst = new Date(sim.now.getTime() + 8 * 3600e3);
  $('status-time').textContent = `${String(cst.getUTCHours()).padStart(2, '0')}:${String(cst.getUTCMinutes()).padStart(2, '0')}`;
}

function showError(err) {
  const f = $('fatal');
  f.replaceChildren(h('b', { text: `consent.wasm: ${err.code}` }), ` ${err.field ? `(${err.field}) ` : ''}${err.message}`);
  f.hidden = false;
}
function hideError() { $('fatal').hidden = true; }

// ---------------------------------------------------------------------------
// Controls.

function fillSteps() {
  const sel = $('step');
  const keep = sel.value;
  sel.replaceChildren(...bundle().scenarios.map((sc) => h('optgroup', { label: `${scenarioName(sc.id)} (${sc.id})` },
    ...sc.steps.map((st) => h('option', { value: `${sc.id}/${st.id}`, text: `${stepName(sc.id, st.id)} — ${sc.id}/${st.id}` })))));
  if (keep) sel.value = keep;
  if (!sel.value) sel.value = 'loan_apply/apply';
  showStepPermissions();
}

function showStepPermissions() {
  const [sc, st] = $('step').value.split('/');
  const step = bundle().scenarios.find((s) => s.id === sc)?.steps.find((s) => s.id === st);
  const here = (step?.permissions || []).filter((p) => (p.platforms || []).some((x) => x.platform === platform()));
  const consents = (step?.consents || []).map((c) => `${consentOf({ sensitive: c.sensitive, purpose: c.consent_purpose })} (${c.consequence})`);
  const asks = [...consents, ...here.map((p) => `${p.id} (${p.consequence})`)];
  $('step-permissions').textContent = asks.length
    ? `Asks here: ${asks.join(', ')}`
    : 'Asks for no permission on this platform.';
}

function fillVersions() {
  $('version').replaceChildren(...VERSIONS[platform()].map((v) => h('option', { value: v, text: v })));
  $('version').value = DEFAULT_VERSION[platform()] || VERSIONS[platform()][0];
}

// The withdraw control: a permission, or a separate consent (its value
// "consent:<sensitive>/<purpose>").
function fillWithdraw() {
  const sel = $('withdraw-what');
  const keep = sel.value;
  sel.replaceChildren(
    h('optgroup', { label: 'Permissions' }, ...permissionIds().map((p) => h('option', { value: p, text: `${permName(p)} (${p})` }))),
    h('optgroup', { label: 'Separate consents' }, ...consentIds().map((c) => h('option', { value: `consent:${c}`, text: `${purposeName(c.slice(c.indexOf('/') + 1))} (${c})` }))));
  sel.value = keep || 'location';
  if (!sel.value) sel.value = 'location';
}

function withdrawChosen() {
  const v = $('withdraw-what').value;
  if (!v.startsWith('consent:')) return act({ type: 'withdraw', permission: v });
  const [sensitive, purpose] = v.slice('consent:'.length).split('/');
  return act({ type: 'withdraw', sensitive, purpose });
}

// reinstall: a fresh install on the chosen device. The app's state and
// ledger are gone, the OS forgets its answers; the clock runs on.
function reinstall() {
  sim.state = null;
  sim.os = freshOS();
  sim.once.clear();
  sim.denials = {};
  sim.purpose = {};
  sim.receipts = [];
  sim.view = { screen: 'off', step: null, basic: false };
  $('phone').dataset.platform = platform();
  $('phone').lang = locale();
  $('caption').textContent = `${PLATFORM_NAMES[platform()]} ${version()}`;
  $('sdks').replaceChildren();
  $('sdk-count').textContent = '0';
  $('trace').replaceChildren();
  $('state').textContent = 'null';
  renderReceipts();
  const sep = h('li', { class: 'sep', text: `fresh install on ${PLATFORM_NAMES[platform()]} ${version()}` });
  const top = $('log').firstElementChild;
  if (top && top.classList.contains('sep')) top.replaceWith(sep); else $('log').prepend(sep);
  closeLayers();
  hideError();
  renderApp();
  renderOS();
  showStepPermissions();
}

function launch() {
  // An app restart ends one-time grants.
  for (const p of sim.once) if (sim.os[p] === 'granted') sim.os[p] = 'not_determined';
  sim.once.clear();
  sim.view.screen = 'home';
  sim.view.step = null;
  act({ type: 'launch' });
}

async function loadBundleFile(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const r = sim.engine.loadBundle(bytes);
  if (r.error) {
    console.warn('bundle refused', r.error);
    showError(r.error);
    return;
  }
  sim.envelope = JSON.parse(new TextDecoder().decode(bytes));
  fillSteps();
  fillWithdraw();
  showModuleInfo();
  $('log').prepend(h('li', { text: `bundle loaded: policy ${r.policy?.version || ''} ${r.hash || ''}` }));
  renderApp();
  renderOS();
}

function showModuleInfo() {
  const info = sim.engine.info();
  $('module-info').textContent = `module ${info.module}, policy ${info.policy.id} ${info.policy.version}`;
  if (sim.envelope.hash !== info.hash) {
    console.warn(`dist/bundle.json (${sim.envelope.hash}) is not the bundle in consent.wasm (${info.hash}): run make wasm`);
  }
}

async function fetchOK(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${(await res.text()).trim()}`);
  return res;
}

async function main() {
  sim.envelope = await (await fetchOK('/bundle.json')).json();
  sim.engine = await Consent.load(await fetchOK('/consent.wasm'));
  showModuleInfo();
  $('status-icons').append(icon('signal', 14), icon('wifi', 14), icon('battery', 16));

  for (const p of Object.keys(VERSIONS)) $('platform').append(h('option', { value: p, text: PLATFORM_NAMES[p] }));
  $('platform').value = 'android';
  fillVersions();
  for (const l of bundle().policy.locales) $('locale').append(h('option', { value: l, text: l }));
  $('locale').value = bundle().policy.locales.includes('zh-CN') ? 'zh-CN' : bundle().policy.default_locale;
  fillSteps();
  fillWithdraw();

  $('platform').onchange = () => { fillVersions(); reinstall(); };
  $('version').onchange = reinstall;
  $('locale').onchange = () => { fillSteps(); fillWithdraw(); $('phone').lang = locale(); renderApp(); };
  $('step').onchange = showStepPermissions;
  $('launch').onclick = launch;
  $('enter').onclick = () => { const [sc, st] = $('step').value.split('/'); enterStep(sc, st); };
  $('withdraw-permission').onclick = withdrawChosen;
  $('withdraw-policy').onclick = () => act({ type: 'withdraw', permission: 'policy' });
  $('clock').onclick = () => { sim.now = new Date(sim.now.getTime() + CLOCK_STEP_HOURS * 3600e3); renderOS(); };
  $('reinstall').onclick = reinstall;
  $('bundle-file').onchange = (e) => { if (e.target.files[0]) loadBundleFile(e.target.files[0]).catch((err) => showError({ code: 'bundle', message: String(err) })); };

  reinstall();
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  const f = $('fatal');
  f.textContent = `The demo could not start: ${e.message || e}`;
  f.hidden = false;
  document.body.dataset.error = String(e.message || e);
  console.error(e);
});
