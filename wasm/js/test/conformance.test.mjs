// (a) Every conformance case through consent.mjs, on three fresh engines
// per case (the reference policy as instantiated, the revision and the
// revision declared minor after loadBundle): the requests the JavaScript runner builds from the case
// files must be the Go runner's, the module's responses the native
// engine's (dist/conformance.json), byte for byte, and every expectation
// of the case files must hold.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Consent } from '../consent.mjs';
import { cases, replay, testModuleBytes, transcript } from '../testlib/conformance.mjs';

const native = transcript();
const module = await WebAssembly.compile(testModuleBytes());
const byFile = new Map(native.cases.map((j) => [j.file, j]));
const all = cases();

test('the transcript has every case, in order', () => {
  assert.deepEqual(native.cases.map((j) => j.file), all.map((j) => j.file),
    'dist/conformance.json is stale: run `go run ./cmd/transcript -o dist/conformance.json`');
});

test('conformance cases through consent.mjs', async (t) => {
  for (const j of all) {
    await t.test(j.name, async () => {
      const output = [];
      const options = { stdout: (l) => output.push(`stdout: ${l}`), stderr: (l) => output.push(`stderr: ${l}`) };
      await replay(assert, j, byFile.get(j.file), native.bundles, () => Consent.load(module, options));
      assert.deepEqual(output, [], 'the module wrote output (it does only on a runtime fault)');
    });
  }
});

// A host keeps the state as an object and sends request objects: decide()
// stringifies them and parses the answer. The answers must be the same.
// One pair of engines answers every case: the module keeps nothing of a
// user between calls (the state travels in the requests).
test('decide() with request objects, as hosts call it, one engine for all cases', async (t) => {
  const engines = { reference: await Consent.load(module), revision: await Consent.load(module), minor: await Consent.load(module) };
  assert.equal(engines.revision.loadBundle(native.bundles.revision).ok, true);
  assert.equal(engines.minor.loadBundle(native.bundles.minor).ok, true);
  for (const j of all) {
    await t.test(j.name, async () => {
      const want = byFile.get(j.file);
      let bundle = j.bundle;
      j.steps.forEach((s, i) => {
        if (s.bundle !== '') bundle = s.bundle;
        const req = want.steps[i].request;
        // A raw step's bytes are the point (bad JSON, duplicate fields): sent as they are.
        const got = engines[bundle].decide(s.raw !== null ? req : JSON.parse(req));
        assert.deepEqual(got, JSON.parse(want.steps[i].response), `step ${i + 1}`);
      });
    });
  }
});
