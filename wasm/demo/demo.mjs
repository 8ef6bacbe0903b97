// The demo page: it plays an app and its phone's OS; every decision comes
// from consent.wasm, loaded with consent.mjs.
import { Consent } from '/js/consent.mjs';

const $ = (id) => document.getElementById(id);
const h = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'onclick') e.onclick = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
};

const VERSIONS = {
  android: ['22', '23', '29', '30', '31', '33', '34', '35'], ios: ['13', '14', '17.2'], harmonyos: ['12'],
  wechat: ['3.4.1'], alipay: ['2.9.0'], web: ['chrome'],
};
const PERMISSIONS = ['location', 'camera', 'microphone', 'call_log', 'contacts', 'photos', 'calendar',
  'phone_state', 'notifications', 'storage', 'ad_tracking', 'face_id'];

const sim = {
  engine: null, bundle: null, state: null,
  now: new Date('2026-03-01T10:00:00+08:00'),
  os: {}, denials: {},
};

function platform() { return $('platform').value; }
function version() { return $('version').value; }
function api() { return parseInt(version(), 10); }
function text(key) {
  const t = sim.bundle.texts;
  return (t[$('locale').value] || t[sim.bundle.policy.default_locale])[key] || key;
}

function fmt(d) {
  const p = (n) => String(n).padStart(2, '0');
  const cst = new Date(d.getTime() + 8 * 3600e3);
  return `${cst.getUTCFullYear()}-${p(cst.getUTCMonth() + 1)}-${p(cst.getUTCDate())}T${p(cst.getUTCHours())}:${p(cst.getUTCMinutes())}:${p(cst.getUTCSeconds())}+08:00`;
}

function log(line) { $('log').prepend(h('li', { text: line })); }

// The OS model: what a request shows and what an answer turns into.
function osReport() {
  if (platform() === 'android' && api() <= 22) {
    return Object.fromEntries(PERMISSIONS.map((p) => [p, 'granted']));
  }
  return { ...sim.os };
}

function systemChoices(perm) {
  const p = platform();
  if (p === 'android' && api() >= 30) {
    const c = [['system-allow', '使用时允许 While using the app', 'granted'], ['system-once', '仅限这一次 Only this time', 'granted'], ['system-deny', '不允许 Don\'t allow', 'denied']];
    if (perm === 'location' && api() >= 31) c.splice(1, 0, ['system-limited', '大致位置 Approximate', 'limited']);
    if (perm === 'photos' && api() >= 34) c.splice(1, 0, ['system-limited', '选择照片 Select photos', 'limited']);
    return c;
  }
  if (p === 'android') {
    const c = [['system-allow', '允许 Allow', 'granted'], ['system-deny', '拒绝 Deny', 'denied']];
    if ((sim.denials[perm] || 0) > 0) c.push(['system-deny-forever', '拒绝且不再询问 Deny & don\'t ask again', 'denied_forever']);
    return c;
  }
  if (p === 'ios') {
    const c = [['system-allow', 'Allow', 'granted'], ['system-deny', 'Don\'t Allow', 'denied']];
    if (perm === 'photos' && parseFloat(version()) >= 14) c.splice(0, 0, ['system-limited', 'Select Photos…', 'limited']);
    if (perm === 'location') c.splice(0, 0, ['system-once', 'Allow Once', 'granted']);
    return c;
  }
  if (p === 'web') return [['system-allow', 'Allow', 'granted'], ['system-deny', 'Block', 'denied'], ['system-dismiss', '×', 'dismissed']];
  return [['system-allow', '允许 Allow', 'granted'], ['system-deny', '拒绝 Deny', 'denied']];
}

function applyResult(perm, result) {
  if (result === 'granted' || result === 'limited') { sim.os[perm] = result; return; }
  if (result === 'dismissed') return;
  sim.denials[perm] = (sim.denials[perm] || 0) + 1;
  const p = platform();
  if (result === 'denied_forever' || (p === 'android' && api() >= 30 && sim.denials[perm] >= 2)) sim.os[perm] = 'denied_forever';
  else sim.os[perm] = 'denied';
}

// The engine.
function decide(event) {
  const req = { now: fmt(sim.now), locale: $('locale').value, device: { platform: platform(), version: version() }, os: osReport(), event };
  if (sim.state) req.state = sim.state;
  const r = sim.engine.decide(req);
  log(`${event.type}${event.permission ? ' ' + event.permission : ''}${event.step ? ' ' + event.scenario + '/' + event.step : ''} → ${r.error ? 'error ' + r.error.code : r.actions.map((a) => a.type).join(', ') || '—'}`);
  if (r.error) { showApp(h('p', { class: 'block', 'data-testid': 'error', text: r.error.message })); return; }
  sim.state = r.state;
  renderPanel(r);
  perform(r.actions, 0);
}

function perform(actions, i) {
  closeOverlay();
  if (i >= actions.length) { renderOS(); return; }
  const a = actions[i];
  const next = () => perform(actions, i + 1);
  switch (a.type) {
    case 'show_policy': return showPolicy(a, next);
    case 'basic_mode': showApp(h('div', { 'data-testid': 'basic-mode' }, h('h2', { text: 'Basic mode' }), h('p', { text: a.body }))); return next();
    case 'show_rationale': return showRationale(a);
    case 'request_permission': return showSystemDialog(a);
    case 'open_settings': return showSettings(a);
    case 'proceed': showProceed(a); return next();
    case 'block': showApp(h('div', { class: 'block', 'data-testid': 'block' }, h('h2', { 'data-testid': 'block-title', text: a.title }), h('p', { 'data-testid': 'block-body', text: a.body }))); return next();
  }
  next();
}

function overlay(node) { const o = $('overlay'); o.replaceChildren(node); o.hidden = false; }
function closeOverlay() { $('overlay').hidden = true; $('overlay').replaceChildren(); }
function showApp(node) { $('app').replaceChildren(node); }

function showPolicy(a, next) {
  const buttons = [h('button', { 'data-testid': 'policy-accept', text: a.accept, onclick: () => a.change === 'minor' ? (decide({ type: 'policy_answer', accepted: true }), next()) : decide({ type: 'policy_answer', accepted: true }) })];
  if (a.decline) buttons.push(h('button', { class: 'secondary', 'data-testid': 'policy-decline', text: a.decline, onclick: () => decide({ type: 'policy_answer', accepted: false }) }));
  overlay(h('div', { class: 'dialog', 'data-testid': 'policy-dialog' },
    h('h3', { 'data-testid': 'policy-title', text: a.title }),
    h('p', { 'data-testid': 'policy-body', text: a.body }),
    h('ul', { class: 'changes' }, ...a.changes.map((c) => h('li', { text: c }))),
    h('div', { class: 'actions' }, ...buttons)));
}

function showRationale(a) {
  overlay(h('div', { class: 'dialog', 'data-testid': 'rationale-dialog' },
    h('h3', { 'data-testid': 'rationale-title', text: a.title }),
    h('p', { 'data-testid': 'rationale-body', text: a.body }),
    h('p', { class: 'consequence', 'data-testid': 'rationale-consequence', text: a.consequence }),
    a.separate_consent ? h('p', { class: 'separate', 'data-testid': 'rationale-separate', text: '单独同意 Separate consent' }) : '',
    h('div', { class: 'actions' },
      h('button', { 'data-testid': 'rationale-accept', text: a.accept, onclick: () => decide({ type: 'rationale_answer', permission: a.permission, accepted: true }) }),
      h('button', { class: 'secondary', 'data-testid': 'rationale-decline', text: a.decline, onclick: () => decide({ type: 'rationale_answer', permission: a.permission, accepted: false }) }))));
}

function showSystemDialog(a) {
  const name = text(`permission.${a.permission}.name`);
  overlay(h('div', { class: `dialog system ${platform()}`, 'data-testid': 'system-dialog' },
    h('h3', { 'data-testid': 'system-title', text: `允许“马上消费”使用${name}？ Allow access to ${a.permission}?` }),
    h('p', { class: 'hint', text: a.platform_ids.join(', ') }),
    h('div', { class: 'actions' }, ...systemChoices(a.permission).map(([id, label, result]) =>
      h('button', { 'data-testid': id, text: label, onclick: () => { applyResult(a.permission, result); decide({ type: 'permission_result', permission: a.permission, result }); } })))));
}

function showSettings(a) {
  showApp(h('div', { class: 'settings', 'data-testid': 'settings-hint' },
    h('h2', { 'data-testid': 'settings-title', text: a.title }),
    h('p', { 'data-testid': 'settings-body', text: a.body }),
    h('div', { class: 'buttons' },
      h('button', { 'data-testid': 'settings-on', text: 'Back from settings: switched on', onclick: () => { sim.os[a.permission] = 'granted'; decide({ type: 'permission_result', permission: a.permission, result: 'granted' }); } }),
      h('button', { class: 'secondary', 'data-testid': 'settings-off', text: 'Back from settings: left off', onclick: () => decide({ type: 'permission_result', permission: a.permission, result: sim.os[a.permission] || 'denied' }) }))));
}

function showProceed(a) {
  showApp(h('div', { class: 'proceed', 'data-testid': 'proceed' },
    h('h2', { text: `${text(`step.${a.scenario}.${a.step}.name`)} ✓` }),
    a.missing.length ? h('p', { 'data-testid': 'proceed-missing', text: `missing: ${a.missing.join(', ')}` }) : '',
    ...a.fallbacks.map((f) => h('p', { 'data-testid': 'proceed-fallback', text: f }))));
}

function renderPanel(r) {
  $('sdks').replaceChildren(...r.sdks.map((s) => h('li', { text: s })));
  $('trace').replaceChildren(...r.trace.map((t) => h('li', {}, h('span', { class: 'rule', text: t.rule }), ' ' + t.detail)));
  for (const rc of r.receipts) $('receipts').prepend(h('li', { text: `${rc.kind} ${rc.permission || ''} ${rc.answer} ${rc.hash.slice(0, 12)}…` }));
}

function renderOS() {
  $('now').textContent = fmt(sim.now);
  const os = osReport();
  $('os').replaceChildren(...PERMISSIONS.map((p) => h('tr', {}, h('td', { text: p }), h('td', { 'data-testid': `os-${p}`, text: os[p] || 'not_determined' }))));
}

function reset() {
  sim.state = null; sim.os = {}; sim.denials = {};
  $('receipts').replaceChildren(); $('trace').replaceChildren(); $('sdks').replaceChildren();
  closeOverlay(); showApp(h('p', { class: 'hint', text: 'Launch the app.' })); renderOS();
}

async function main() {
  const env = await (await fetch('/bundle.json')).json();
  sim.bundle = env.payload;
  sim.engine = await Consent.load('/consent.wasm');
  for (const p of Object.keys(VERSIONS)) $('platform').append(h('option', { value: p, text: p }));
  const fill = () => { $('version').replaceChildren(...VERSIONS[platform()].map((v) => h('option', { value: v, text: v }))); $('platform-name').textContent = platform(); };
  $('platform').onchange = () => { fill(); reset(); };
  $('version').onchange = reset;
  fill();
  $('version').value = '33';
  for (const l of sim.bundle.policy.locales) $('locale').append(h('option', { value: l, text: l }));
  for (const sc of sim.bundle.scenarios) for (const st of sc.steps) {
    $('step').append(h('option', { value: `${sc.id}/${st.id}`, text: `${sc.id}/${st.id}` }));
  }
  $('withdraw-what').append(h('option', { value: 'policy', text: 'policy' }), ...PERMISSIONS.map((p) => h('option', { value: p, text: p })));
  $('launch').onclick = () => decide({ type: 'launch' });
  $('enter').onclick = () => { const [scenario, step] = $('step').value.split('/'); decide({ type: 'enter', scenario, step }); };
  $('clock').onclick = () => { sim.now = new Date(sim.now.getTime() + 49 * 3600e3); renderOS(); };
  $('reinstall').onclick = reset;
  $('withdraw').onclick = () => decide({ type: 'withdraw', permission: $('withdraw-what').value });
  renderOS();
  document.body.dataset.ready = 'true';
  log(`module ${sim.engine.info().module}, policy ${sim.engine.info().policy.version}`);
}

main().catch((e) => { document.body.dataset.error = String(e); console.error(e); });
