// The storage adapters of storage.mjs over stand-ins of localStorage and
// of WeChat's and Alipay's storage calls (test/standins.mjs), which are
// strict about each platform's argument shapes.
import test from 'node:test';
import assert from 'node:assert/strict';
import { memoryStorage, webStorage, wxStorage, myStorage } from '../storage.mjs';
import { FakeLocalStorage, fakeWxStorage, fakeMyStorage } from './standins.mjs';

// Each adapter, with the platform storage it writes to, and a way to make the next set fail.
function adapters() {
  const out = [];
  {
    const map = new Map();
    out.push({ name: 'memory', storage: memoryStorage(map), raw: map });
  }
  {
    const ls = new FakeLocalStorage({ quota: 1000 });
    out.push({ name: 'localStorage', storage: webStorage(ls), raw: ls.map, full: 'x'.repeat(2000), fullError: /exceeded the quota/ });
  }
  for (const sync of [false, true]) {
    const map = new Map();
    let failing = false;
    const wx = fakeWxStorage(map, { keyLimit: 1000, fail: () => failing });
    out.push({
      name: `wx${sync ? ' Sync' : ''}`, storage: wxStorage(wx, { sync }), raw: map, full: 'x'.repeat(2000),
      fullError: sync ? /setStorageSync:fail exceed/ : /wx\.setStorage: setStorage:fail exceed/,
      breakGet: () => (failing = true), getError: /getStorage:fail internal error/, sync,
    });
  }
  for (const sync of [false, true]) {
    const map = new Map();
    let failing = false;
    const my = fakeMyStorage(map, { keyLimit: 1000, fail: () => failing });
    out.push({
      name: `my${sync ? ' Sync' : ''}`, storage: myStorage(my, { sync }), raw: map, full: 'x'.repeat(2000),
      fullError: sync ? /my\.setStorageSync: error 15: data over 200 \* 1024/ : /my\.setStorage: error 15: data over 200 \* 1024/,
      breakSet: () => (failing = true), setError: /error 2: internal error/,
    });
  }
  return out;
}

for (const a of adapters()) {
  test(`${a.name}: get, set, remove`, async () => {
    const s = a.storage;
    assert.equal(await s.get('k'), null, 'nothing stored is null');
    const value = '{"receipts":["申请","\\u2028",1]}\u2028 🙂';
    assert.equal(await s.set('k', value), undefined);
    assert.equal(await s.get('k'), value, 'the string as it was set');
    assert.equal(a.raw.get('k'), value, 'stored as a string, under the key');
    await s.set('k', 'again');
    assert.equal(await s.get('k'), 'again', 'a set replaces');
    await s.remove('k');
    assert.equal(await s.get('k'), null);
    await s.remove('k'); // nothing stored: no error
    assert.equal(a.raw.has('k'), false);
  });

  test(`${a.name}: bad arguments and platform failures reject, naming the call`, async () => {
    const s = a.storage;
    await assert.rejects(s.get(''), /key must be a non-empty string, not an empty string/);
    await assert.rejects(s.set('k', { a: 1 }), /value must be a string \(serialise it first\), not an object/);
    await assert.rejects(s.set('k', null), /not null/);
    await assert.rejects(s.remove(7), /key must be a non-empty string, not a number/);
    if (a.full) await assert.rejects(s.set('big', a.full), a.fullError);
    assert.equal(await s.get('big'), null, 'a set that failed stored nothing');
    // A value another writer left that is not a string.
    if (a.name !== 'localStorage') {
      a.raw.set('obj', { not: 'a string' });
      await assert.rejects(s.get('obj'), /holds an object, not a string: another writer uses this key/);
    }
    if (a.breakGet) {
      a.breakGet();
      if (!a.sync) await assert.rejects(s.get('k'), a.getError);
    }
    if (a.breakSet) {
      a.breakSet();
      await assert.rejects(s.set('k', 'v'), a.setError);
    }
  });
}

test('wx Sync: an empty string reads back as null (wx.getStorageSync answers "" for a missing key)', async () => {
  const s = wxStorage(fakeWxStorage(), { sync: true });
  await s.set('k', '');
  assert.equal(await s.get('k'), null);
  const a = wxStorage(fakeWxStorage());
  await a.set('k', '');
  assert.equal(await a.get('k'), '', 'the asynchronous calls tell them apart');
});

test('the adapters use their platform\'s shapes: my Sync calls take objects, wx Sync calls the key', async () => {
  // The stand-ins throw on the other platform's shape; spy on what the adapters pass.
  const seen = [];
  const spy = (api) => new Proxy(api, {
    get: (t, name) => (typeof t[name] === 'function' ? (...args) => {
      seen.push([name, ...args.map((x) => (x && typeof x === 'object' ? Object.keys(x).sort().join(',') : x))]);
      return t[name](...args);
    } : t[name]),
  });
  const my = myStorage(spy(fakeMyStorage()), { sync: true });
  await my.set('k', 'v');
  await my.get('k');
  await my.remove('k');
  const wx = wxStorage(spy(fakeWxStorage()), { sync: true });
  await wx.set('k', 'v');
  await wx.get('k');
  await wx.remove('k');
  const wxa = wxStorage(spy(fakeWxStorage()));
  await wxa.set('k', 'v');
  await wxa.get('k');
  await wxa.remove('k');
  assert.deepEqual(seen, [
    ['setStorageSync', 'data,key'], ['getStorageSync', 'key'], ['removeStorageSync', 'key'],
    ['setStorageSync', 'k', 'v'], ['getStorageSync', 'k'], ['removeStorageSync', 'k'],
    ['setStorage', 'data,fail,key,success'], ['getStorage', 'fail,key,success'], ['removeStorage', 'fail,key,success'],
  ]);
});

test('an adapter needs its platform', () => {
  assert.throws(() => webStorage({}), /webStorage: needs a Web Storage object/);
  assert.throws(() => wxStorage({}), /wxStorage: wx\.getStorage is not a function/);
  assert.throws(() => wxStorage({ getStorage() {}, setStorage() {}, removeStorage() {} }, { sync: true }), /wx\.getStorageSync is not a function/);
  assert.throws(() => myStorage(undefined), /myStorage: my\.getStorage is not a function/);
  assert.throws(() => myStorage({}, { sync: true }), /my\.getStorageSync is not a function/);
});

test('memoryStorage over a shared Map: another adapter sees what one wrote (a restart, in tests)', async () => {
  const map = new Map();
  await memoryStorage(map).set('a', '1');
  assert.equal(await memoryStorage(map).get('a'), '1');
  assert.equal(await memoryStorage().get('a'), null);
});
