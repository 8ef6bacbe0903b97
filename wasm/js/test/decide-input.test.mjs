// What decide does with a request object JSON cannot write: the types say
// it throws only for input over 4 MiB, so a BigInt, a cycle, a throwing
// toJSON or a value with no JSON form get a bad_json answer, and the
// module keeps answering.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Consent } from '../consent.mjs';
import { testModuleBytes } from '../testlib/conformance.mjs';

const engine = await Consent.load(testModuleBytes());
const good = { now: '2026-03-01T10:00:00+08:00', locale: 'en', device: { platform: 'ios', version: '17.2' }, os: {}, event: { type: 'launch' } };

test('a request JSON cannot write is a bad_json answer, not a throw', () => {
  const cycle = { ...good };
  cycle.self = cycle;
  for (const [name, request, want] of [
    ['a BigInt', { ...good, now: 10n }, /BigInt/],
    ['a cycle', cycle, /circular/i],
    ['a throwing toJSON', { ...good, toJSON() { throw new Error('no JSON here'); } }, /no JSON here/],
    ['undefined', undefined, /undefined, which has no JSON form/],
    ['a function', () => good, /function, which has no JSON form/],
  ]) {
    const r = engine.decide(request);
    assert.equal(r.error && r.error.code, 'bad_json', name);
    assert.match(r.error.message, want, name);
  }
  const after = engine.decide(good);
  assert.ok(after.actions && after.actions.some((a) => a.type === 'show_policy'), 'the module keeps answering');
});

test('null and numbers have a JSON form: the module answers them', () => {
  for (const request of [null, 42]) {
    const r = engine.decide(request);
    assert.equal(r.error && r.error.code, 'bad_type', JSON.stringify(r));
  }
});
