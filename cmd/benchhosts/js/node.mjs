// bench-hosts in Node: node node.mjs <module.wasm> <requests.json> <steadyMs>,
// in a fresh process each run; prints the measurement (measure.mjs) as
// JSON. Node's own WASI (node:wasi) runs the module, as a Node host may.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { measure } from './measure.mjs';

const [wasmPath, requestsPath, steadyMs] = process.argv.slice(2);
const requests = JSON.parse(await readFile(requestsPath, 'utf8'));
const t0 = performance.now();
const result = await measure({
  t0,
  compile: async () => WebAssembly.compile(await readFile(wasmPath)),
  start: async (module) => {
    const wasi = new WASI({ version: 'preview1' });
    const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
    wasi.initialize(instance);
    return instance;
  },
  requests,
  steadyMs: Number(steadyMs),
});
process.stdout.write(JSON.stringify(result) + '\n');
