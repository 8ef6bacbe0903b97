// Every conformance journey through consent.mjs and through node:wasi:
// the requests this runner builds and the module's answers must be the
// native engine's, byte for byte (dist/conformance.json), and every
// expectation of the journey files must hold.
import test from 'node:test';
import assert from 'node:assert/strict';
import { WASI } from 'node:wasi';
import { Consent } from '../consent.mjs';
import { need, journeys, play, check } from './runner.mjs';

const wasm = need('dist/consent-test.wasm', 'make wasm-test');
const transcript = JSON.parse(need('dist/conformance.json', 'make transcript'));
const native = new Map(transcript.journeys.map((j) => [j.file, j]));
const module = await WebAssembly.compile(wasm);

async function viaConsent() { return Consent.load(wasm, { stderr: () => {} }); }

async function viaNodeWASI() {
  const wasi = new WASI({ version: 'preview1', args: [], env: {}, returnOnExit: true });
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  wasi.initialize(instance);
  return Consent.fromInstance(instance);
}

for (const [name, make] of [['consent.mjs', viaConsent], ['node:wasi', viaNodeWASI]]) {
  test(`conformance journeys through ${name}`, async (t) => {
    assert.equal(journeys().length, transcript.journeys.length, 'the transcript is stale: run make transcript');
    for (const j of journeys()) {
      await t.test(j.name, async () => {
        const engines = { reference: await make(), revision: await make() };
        const loaded = engines.revision.loadBundle(transcript.bundles.revision);
        assert.equal(loaded.ok, true, JSON.stringify(loaded));
        const steps = play(j, (bundle, req) => engines[bundle].decideJSON(req));
        const want = native.get(j.file);
        assert.ok(want, `${j.file} is not in the transcript: run make transcript`);
        const chain = { last: '' };
        steps.forEach((s, i) => {
          assert.equal(s.request, want.steps[i].request, `step ${i + 1}: the request differs from the Go runner's`);
          assert.equal(s.response, want.steps[i].response, `step ${i + 1}: the answer differs from the native engine's`);
          const failures = check(j.steps[i], s.response, chain);
          assert.deepEqual(failures, [], `step ${i + 1}`);
        });
      });
    }
  });
}
