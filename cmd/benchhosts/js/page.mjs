// bench-hosts in Chromium: the page's script. As it starts it draws the
// precomputed first popup (first-launch.json, which the app's code carries:
// served here as the module /first-launch.mjs, as a bundler would inline
// it) from consent.mjs's firstLaunchActions, as Consent.launch does, and
// takes its time on screen two animation frames after insertion (the frame
// that draws it has been produced), and its paint time where Chromium
// reports it (Element Timing). Meanwhile, as Consent.launch's host does,
// the module is compiled while it downloads (WebAssembly.compileStreaming)
// and runs on the WASI shim of consent.mjs; window.bench resolves to the
// measurement (measure.mjs) with the popup's, all popup times from the
// script's first statement (its imports, one file in a bundled app, are
// loaded then) and from navigation start. t0 is taken once the requests
// are in, before the module is fetched.
import { createWASI, firstLaunchActions } from '/js/consent.mjs';
import firstLaunch from '/first-launch.mjs';
import { measure } from '/measure.mjs';

const scriptStart = performance.now();
const params = new URLSearchParams(location.search);

let painted = 0;
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.identifier === 'popup' && !painted) painted = e.renderTime;
  }).observe({ type: 'element', buffered: true });
} catch {
  // no Element Timing: the animation frames only
}

// The popup, as an app draws show_policy: title, body, links, buttons.
const popup = (() => {
  const actions = firstLaunchActions(firstLaunch, params.get('locale'), params.get('platform')) || [];
  const a = actions.find((x) => x.type === 'show_policy');
  if (!a) return Promise.resolve({ at: 0, actions });
  const box = document.createElement('div');
  box.style.cssText = 'position:fixed;inset:10%;background:#fff;border:1px solid #888;padding:16px;overflow:auto;font:14px sans-serif;white-space:pre-wrap';
  const h = document.createElement('h2');
  h.textContent = a.title;
  h.setAttribute('elementtiming', 'popup');
  const body = document.createElement('div');
  body.textContent = a.body;
  box.append(h, body);
  for (const l of a.links) {
    const link = document.createElement('a');
    link.href = l.url;
    link.textContent = l.title;
    box.append(document.createElement('br'), link);
  }
  for (const label of [a.decline, a.accept]) {
    const b = document.createElement('button');
    b.textContent = label;
    box.append(b);
  }
  document.body.append(box);
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve({ at: performance.now(), actions }))));
})();

window.bench = (async () => {
  const requests = await (await fetch('/requests.json')).json();
  const t0 = performance.now();
  let firstAnswer = '';
  const s = await measure({
    t0,
    compile: () => WebAssembly.compileStreaming(fetch(params.get('wasm'))),
    start: async (module) => {
      const wasi = createWASI();
      const instance = await WebAssembly.instantiate(module, wasi.imports);
      wasi.initialize(instance);
      return instance;
    },
    requests,
    steadyMs: Number(params.get('steady') || 1000),
    onFirst: (answer) => (firstAnswer = answer),
  });
  const p = await popup;
  s.popup = p.at - scriptStart;
  s.popup_paint = painted ? painted - scriptStart : 0;
  s.popup_nav = p.at;
  s.first_at = t0 + s.total - scriptStart;
  let moduleActions = null;
  try {
    moduleActions = JSON.parse(firstAnswer).actions;
  } catch {
    // not the module's answer (the floor's)
  }
  s.popup_matches = p.at > 0 && JSON.stringify(p.actions) === JSON.stringify(moduleActions);
  return s;
})();
