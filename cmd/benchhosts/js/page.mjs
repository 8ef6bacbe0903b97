// bench-hosts in Chromium: the page's script. The module is compiled while
// it downloads (WebAssembly.compileStreaming) and runs on the WASI shim of
// consent.mjs, as the JavaScript host runs it; window.bench resolves to the
// measurement (measure.mjs). t0 is taken once the requests are in, before
// the module is fetched.
import { createWASI } from '/js/consent.mjs';
import { measure } from '/measure.mjs';

const params = new URLSearchParams(location.search);
window.bench = (async () => {
  const requests = await (await fetch('/requests.json')).json();
  const t0 = performance.now();
  return measure({
    t0,
    compile: () => WebAssembly.compileStreaming(fetch(params.get('wasm'))),
    start: async (module) => {
      const wasi = createWASI();
      const instance = await WebAssembly.instantiate(module, wasi.imports);
      wasi.initialize(instance);
      return instance;
    },
    requests,
    steadyMs: Number(params.get("steady") || 1000),
  });
})();
