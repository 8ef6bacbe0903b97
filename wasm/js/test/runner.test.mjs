// The JavaScript conformance runner (testlib/conformance.mjs) on its own,
// without the module: the summaries of conformance/summaries.json, which
// the Go runner's tests read too, a step's state given as an object, and
// the sdk_data expectation. These need nothing built.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chain, canonical, check, play, readCase, receiptHash, receiptID, receiptsOp, root, sameJSON, summary } from '../testlib/conformance.mjs';

const table = JSON.parse(readFileSync(join(root, 'conformance', 'summaries.json'), 'utf8'));

test('action summaries are the Go runner\'s (conformance/summaries.json)', () => {
  assert.ok(table.actions.some(([s]) => s.startsWith('show_consent ')));
  for (const [want, a] of table.actions) assert.equal(summary(a), want, JSON.stringify(a));
});

// A version 2 receipt of a body's members, numbered seq and chained to
// prev, with its hash and id, in canonical form, as the engine writes it.
function receipt(body, seq, prev) {
  const m = { v: 2, policy: 'msxf', version: '2022-03-29', locale: 'en', platform: 'android', platform_version: '33', time: '2026-03-01T10:00:00+08:00', ...body, seq, prev };
  m.hash = receiptHash(m);
  m.id = receiptID(m.hash);
  return canonical(m);
}

test('receipt summaries are the Go runner\'s, and they chain', () => {
  const chain = new Chain();
  for (const [want, body] of table.receipts) {
    assert.deepEqual(chain.add(receipt(body, chain.seq + 1, chain.hash)), [want, null], JSON.stringify(body));
  }
  const [, err] = chain.add(receipt({ kind: 'consent', sensitive: 'biometrics', purpose: 'loan_identity', scenario: 'loan_apply', step: 'liveness', answer: 'accepted', separate_consent: true }, chain.seq + 1, 'nope'));
  assert.match(err, /follows neither the head sent/);
});

test('the chain check finds an edit, a gap, a wrong id, a form not canonical and time_behind wrong', () => {
  const body = { kind: 'policy', answer: 'accepted' };
  const earlier = { kind: 'withdraw', answer: 'withdrawn', time: '2026-03-01T09:59:59.5+08:00' };
  const cases = [
    ['next', (h) => receipt(body, 2, h), true],
    ['a gap', (h) => receipt(body, 3, h), false],
    ['a restart', () => receipt(body, 1, ''), false],
    ['edited', (h) => receipt(body, 2, h).replace('"accepted"', '"declined"'), false],
    ['spaced', (h) => receipt(body, 2, h).replace(',"kind"', ', "kind"'), false],
    ['unknown member', (h) => receipt({ ...body, device: 'x' }, 2, h), false],
    ['behind, unflagged', (h) => receipt(earlier, 2, h), false],
    ['behind, flagged', (h) => receipt({ ...earlier, time_behind: true }, 2, h), true],
    ['flagged, not behind', (h) => receipt({ ...body, time_behind: true }, 2, h), false],
    ['flagged false', (h) => receipt({ ...earlier, time_behind: false }, 2, h), false],
  ];
  for (const [name, second, ok] of cases) {
    const chain = new Chain();
    assert.equal(chain.add(receipt(body, 1, ''))[1], null);
    const [, err] = chain.add(second(chain.hash));
    assert.equal(err === null, ok, `${name}: ${err}`);
  }
  const r = receipt(body, 1, '');
  const i = r.indexOf('"id":"') + 6;
  const bad = r.slice(0, i) + (r[i] === '0' ? '1' : '0') + r.slice(i + 1);
  assert.match(new Chain().add(bad)[1], /id/);
  // The Go runner's TestCanonical.
  assert.equal(canonical(JSON.parse('{"b":"\\u2028\\"\\\\\\u0001\\n/é","a":[1,true,null],"A":{}}')), '{"A":{},"a":[1,true,null],"b":"\u2028\\"\\\\\\u0001\\n/é"}');
});

test('receipts sent: the chain, the first n, edited and made again', () => {
  const chain = [receipt({ kind: 'policy', answer: 'accepted' }, 1, '')];
  chain.push(receipt({ kind: 'withdraw', answer: 'withdrawn' }, 2, JSON.parse(chain[0]).hash));
  assert.equal(receiptsOp('"chain"', chain), `[${chain.join(',')}]`);
  assert.equal(receiptsOp('{"take":1}', chain), `[${chain[0]}]`);
  const edited = JSON.parse(receiptsOp('{"set":{"0":{"answer":"declined"}},"rehash":true}', chain));
  assert.equal(edited[0].answer, 'declined');
  assert.equal(edited[1].prev, edited[0].hash);
  const c = new Chain();
  assert.equal(c.add(canonical(edited[0]))[1], null);
  assert.equal(c.add(canonical(edited[1]))[1], null);
  assert.throws(() => receiptsOp('{"set":{"5":{}}}', chain), /no such receipt/);
});

// Writes a case file and reads it as the runner does.
function caseOf(steps) {
  const dir = mkdtempSync(join(tmpdir(), 'conformance-'));
  const path = join(dir, 'x.json');
  writeFileSync(path, JSON.stringify({ name: 'x', device: { platform: 'ios', version: '17.2' }, now: '2026-03-01T10:00:00+08:00', steps }, null, 2));
  return readCase(path);
}

test('a step\'s state object is sent compacted, for that step; later steps send the returned state', () => {
  const v1 = { v: 1, policy: '2022-03-29', perms: { camera: { granted: '2026-02-01T10:00:00+08:00', separate: true } } };
  const j = caseOf([
    { event: { type: 'launch' } },
    { event: { type: 'launch' }, state: v1 },
    { event: { type: 'launch' } },
    { event: { type: 'launch' }, state: 'tamper' },
  ]);
  let n = 0;
  const steps = play(j, () => {
    n++;
    // The second answer is an error: it leaves the state sent before it.
    return n === 2 ? '{"error":{"code":"bad_state","message":"m"}}' : `{"state":{"v":2,"n":${n},"head":{"hash":"ab"},"hash":"0123456789abcdef0123"}}`;
  });
  assert.ok(!steps[0].request.includes('"state"'));
  assert.ok(steps[1].request.includes(`,"state":${JSON.stringify(v1)},"event"`), steps[1].request);
  assert.ok(steps[2].request.includes(',"state":{"v":2,"n":1,"head":{"hash":"ab"},"hash":"0123456789abcdef0123"},'), steps[2].request);
  assert.ok(steps[3].request.includes(',"state":{"v":2,"n":3,"head":{"hash":"ab"},"hash":"0123456789abcde00123"},'), steps[3].request);
});

test('a step\'s state is an operation, an object or nothing', () => {
  assert.throws(() => caseOf([{ state: 'clock' }]), /unknown state operation "clock"/);
  assert.throws(() => caseOf([{}, { state: 2 }]), /state is 2/);
  assert.throws(() => caseOf([{ state: [1] }]), /state is \[/);
  assert.equal(caseOf([{ state: null }]).steps[0].state.op, '');
});

test('sdk_data is compared exactly; absent, it is not checked', () => {
  const want = { jpush: ['location'], umeng_analytics: [] };
  const j = caseOf([{ event: { type: 'launch' }, expect: { sdk_data: want } }]);
  const good = '{"sdks":["jpush","umeng_analytics"],"sdk_data":{"umeng_analytics":[],"jpush":["location"]},"state":{}}';
  assert.deepEqual(check(j.steps[0], good, new Chain()), []);
  for (const resp of [
    '{"sdks":[],"state":{}}',
    '{"sdk_data":{"jpush":["location"]},"state":{}}',
    '{"sdk_data":{"jpush":["location"],"umeng_analytics":null},"state":{}}',
    '{"sdk_data":{"jpush":["location"],"umeng_analytics":[],"sensors":[]},"state":{}}',
    '{"sdk_data":null,"state":{}}',
  ]) {
    assert.notDeepEqual(check(j.steps[0], resp, new Chain()), [], resp);
  }
  const open = caseOf([{ event: { type: 'launch' }, expect: { sdk_data: null } }]);
  assert.deepEqual(check(open.steps[0], '{"sdk_data":{"x":[]},"state":{}}', new Chain()), []);
  assert.ok(sameJSON({ a: [1, { b: null }] }, { a: [1, { b: null }] }));
  assert.ok(!sameJSON({ a: [] }, { a: null }));
});

test('every trace entry has a detail, whatever the step expects', () => {
  const j = caseOf([{ event: { type: 'launch' } }]);
  assert.deepEqual(check(j.steps[0], '{"trace":[{"rule":"JIT","detail":""}],"state":{}}', new Chain()), ['trace entry JIT has no detail']);
});

test('trace_contains needs an entry of that rule whose detail contains the text', () => {
  const j = caseOf([{ event: { type: 'launch' }, expect: { trace_contains: ['COOLDOWN: refused 1d2h ago'] } }]);
  assert.deepEqual(check(j.steps[0], '{"trace":[{"rule":"JIT","detail":"x"},{"rule":"COOLDOWN","detail":"call_log was refused 1d2h ago: ..."}],"state":{}}', new Chain()), []);
  for (const resp of [
    '{"trace":[{"rule":"COOLDOWN","detail":"call_log was refused 26h ago"}],"state":{}}',
    '{"trace":[{"rule":"DEGRADE","detail":"refused 1d2h ago"}],"state":{}}',
    '{"trace":[],"state":{}}',
  ]) assert.notDeepEqual(check(j.steps[0], resp, new Chain()), [], resp);
});

test('a separate consent\'s receipt carries the flag and no other does; an answer\'s receipt names its step', () => {
  for (const body of [
    { kind: 'consent', sensitive: 'biometrics', purpose: 'loan_identity', scenario: 'loan_apply', step: 'liveness', answer: 'accepted' },
    { kind: 'rationale', permission: 'camera', scenario: 'loan_apply', step: 'id_verify', answer: 'accepted', separate_consent: true },
    { kind: 'rationale', permission: 'photos', answer: 'accepted' },
    { kind: 'consent', sensitive: 'biometrics', purpose: 'loan_identity', answer: 'accepted', separate_consent: true },
  ]) assert.notEqual(new Chain().add(receipt(body, 1, ''))[1], null, JSON.stringify(body));
  assert.equal(new Chain().add(receipt({ kind: 'withdraw', permission: 'camera', answer: 'withdrawn' }, 1, ''))[1], null);
});
