// Storage adapters: one small asynchronous interface over the places a
// host can keep a string under a key, so that code which persists
// something (the receipt queue of records.mjs, a host's state) is written
// once for browsers and webviews, WeChat and Alipay mini-programs, and
// tests.
//
//   get(key)        -> Promise<string | null>   (null: nothing stored)
//   set(key, value) -> Promise<void>            (value: a string)
//   remove(key)     -> Promise<void>            (nothing stored is no error)
//
// A set either stores the whole value or fails (the platforms write one
// key at once); a failure (quota, a runtime error) rejects with an Error
// naming the call. The adapters store strings only: serialise objects
// first (JSON.stringify). No imports, no dependencies, like consent.mjs.
//
// Sources for the mini-program shapes (looked up when this was written):
// WeChat's API reference, wx.setStorage and wx.setStorageSync (key, data;
// 1 MB a key, 10 MB in all), wx.getStorage (a missing key fails with
// "getStorage:fail data not found"), wx.getStorageSync ("" for a missing
// key). Alipay's, as the mPaaS copy at help.aliyun.com has it (document
// 67545): the asynchronous calls take {key, data, success, fail} as
// WeChat's do, but the Sync ones take an object, my.setStorageSync({key,
// data}), my.getStorageSync({key}) answering {data}, my.removeStorageSync(
// {key}); a value holds at most 200 * 1024 characters once made a string,
// 10 MB in all; failures carry {error, errorMessage} where WeChat's carry
// {errMsg}. What my.getStorage answers for a missing key is not written
// there: data null or undefined, and a fail saying "not found", are both
// read as nothing stored.

function checkKey(key) {
  if (typeof key !== 'string' || key === '') {
    throw new TypeError(`storage: key must be a non-empty string, not ${describe(key)}`);
  }
}

function checkValue(value) {
  if (typeof value !== 'string') {
    throw new TypeError(`storage: value must be a string (serialise it first), not ${describe(value)}`);
  }
}

function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return 'an empty string';
  return typeof v === 'object' || typeof v === 'undefined' ? `an ${typeof v}` : `a ${typeof v}`;
}

/** The value a platform read back, as the interface gives it: a string or null. */
function stored(call, key, data) {
  if (data === undefined || data === null) return null;
  if (typeof data !== 'string') {
    throw new TypeError(`${call}: key ${JSON.stringify(key)} holds ${describe(data)}, not a string: another writer uses this key`);
  }
  return data;
}

/** An Error for a mini-program's fail callback, keeping what it said as `cause`. */
function failure(call, res) {
  let what = 'failed';
  if (res && typeof res.errMsg === 'string') what = res.errMsg;
  else if (res && (res.errorMessage !== undefined || res.error !== undefined)) what = `error ${res.error}: ${res.errorMessage}`;
  const e = new Error(`${call}: ${what}`);
  e.cause = res;
  return e;
}

/** Runs fn, turning a throw into a rejection. */
async function attempt(fn) {
  return fn();
}

/**
 * Strings in memory, in a Map: for tests, and for hosts with nothing to
 * persist to. Pass the same Map to another adapter to see what one wrote
 * (a restarted app over the same storage, in a test).
 */
export function memoryStorage(map = new Map()) {
  return {
    map,
    get: (key) => attempt(() => {
      checkKey(key);
      return stored('memoryStorage.get', key, map.get(key));
    }),
    set: (key, value) => attempt(() => {
      checkKey(key);
      checkValue(value);
      map.set(key, value);
    }),
    remove: (key) => attempt(() => {
      checkKey(key);
      map.delete(key);
    }),
  };
}

/**
 * Browsers and webviews: the Web Storage API, `localStorage` by default
 * (sessionStorage, or any object with getItem/setItem/removeItem). A full
 * storage (QuotaExceededError) rejects the set.
 */
export function webStorage(storage = globalThis.localStorage) {
  if (!storage || typeof storage.getItem !== 'function' || typeof storage.setItem !== 'function' || typeof storage.removeItem !== 'function') {
    throw new TypeError('webStorage: needs a Web Storage object (localStorage): getItem, setItem and removeItem');
  }
  return {
    get: (key) => attempt(() => {
      checkKey(key);
      return storage.getItem(key);
    }),
    set: (key, value) => attempt(() => {
      checkKey(key);
      checkValue(value);
      storage.setItem(key, value);
    }),
    remove: (key) => attempt(() => {
      checkKey(key);
      storage.removeItem(key);
    }),
  };
}

/**
 * WeChat mini-programs: wx.getStorage, wx.setStorage and wx.removeStorage
 * (asynchronous, the default: they do not block the page), or with `{sync:
 * true}` wx.getStorageSync(key), wx.setStorageSync(key, data) and
 * wx.removeStorageSync(key). wx.getStorageSync answers "" for a missing
 * key, so with `sync` an empty string reads back as null.
 */
export function wxStorage(wx = globalThis.wx, options = {}) {
  const sync = Boolean(options && options.sync);
  const need = sync ? ['getStorageSync', 'setStorageSync', 'removeStorageSync'] : ['getStorage', 'setStorage', 'removeStorage'];
  for (const f of need) {
    if (!wx || typeof wx[f] !== 'function') throw new TypeError(`wxStorage: wx.${f} is not a function: pass the mini-program's wx`);
  }
  if (sync) {
    return {
      get: (key) => attempt(() => {
        checkKey(key);
        const data = wx.getStorageSync(key);
        return data === '' ? null : stored('wx.getStorageSync', key, data);
      }),
      set: (key, value) => attempt(() => {
        checkKey(key);
        checkValue(value);
        wx.setStorageSync(key, value);
      }),
      remove: (key) => attempt(() => {
        checkKey(key);
        wx.removeStorageSync(key);
      }),
    };
  }
  return {
    get: (key) => attempt(() => {
      checkKey(key);
      return new Promise((resolve, reject) => {
        wx.getStorage({
          key,
          success: (res) => {
            try {
              resolve(stored('wx.getStorage', key, res && res.data));
            } catch (e) {
              reject(e);
            }
          },
          fail: (res) => (/not found|not exist/i.test(String(res && res.errMsg)) ? resolve(null) : reject(failure('wx.getStorage', res))),
        });
      });
    }),
    set: (key, value) => attempt(() => {
      checkKey(key);
      checkValue(value);
      return new Promise((resolve, reject) => {
        wx.setStorage({ key, data: value, success: () => resolve(), fail: (res) => reject(failure('wx.setStorage', res)) });
      });
    }),
    remove: (key) => attempt(() => {
      checkKey(key);
      return new Promise((resolve, reject) => {
        wx.removeStorage({ key, success: () => resolve(), fail: (res) => reject(failure('wx.removeStorage', res)) });
      });
    }),
  };
}

/**
 * Alipay mini-programs: my.getStorage, my.setStorage and my.removeStorage
 * (asynchronous, the default), or with `{sync: true}` the Sync forms, which
 * unlike WeChat's take an object: my.getStorageSync({key}) answering
 * {data}, my.setStorageSync({key, data}), my.removeStorageSync({key}).
 * A key holds at most 200 * 1024 characters.
 */
export function myStorage(my = globalThis.my, options = {}) {
  const sync = Boolean(options && options.sync);
  const need = sync ? ['getStorageSync', 'setStorageSync', 'removeStorageSync'] : ['getStorage', 'setStorage', 'removeStorage'];
  for (const f of need) {
    if (!my || typeof my[f] !== 'function') throw new TypeError(`myStorage: my.${f} is not a function: pass the mini-program's my`);
  }
  // A Sync call that fails may answer {error, errorMessage} instead of throwing.
  const checked = (call, res) => {
    if (res && typeof res === 'object' && res.error !== undefined && res.error !== null && res.error !== 0) throw failure(call, res);
    return res;
  };
  if (sync) {
    return {
      get: (key) => attempt(() => {
        checkKey(key);
        const res = checked('my.getStorageSync', my.getStorageSync({ key }));
        return stored('my.getStorageSync', key, res && res.data);
      }),
      set: (key, value) => attempt(() => {
        checkKey(key);
        checkValue(value);
        checked('my.setStorageSync', my.setStorageSync({ key, data: value }));
      }),
      remove: (key) => attempt(() => {
        checkKey(key);
        checked('my.removeStorageSync', my.removeStorageSync({ key }));
      }),
    };
  }
  return {
    get: (key) => attempt(() => {
      checkKey(key);
      return new Promise((resolve, reject) => {
        my.getStorage({
          key,
          success: (res) => {
            try {
              resolve(stored('my.getStorage', key, res && res.data));
            } catch (e) {
              reject(e);
            }
          },
          fail: (res) => (/not found|not exist/i.test(String(res && res.errorMessage)) ? resolve(null) : reject(failure('my.getStorage', res))),
        });
      });
    }),
    set: (key, value) => attempt(() => {
      checkKey(key);
      checkValue(value);
      return new Promise((resolve, reject) => {
        my.setStorage({ key, data: value, success: () => resolve(), fail: (res) => reject(failure('my.setStorage', res)) });
      });
    }),
    remove: (key) => attempt(() => {
      checkKey(key);
      return new Promise((resolve, reject) => {
        my.removeStorage({ key, success: () => resolve(), fail: (res) => reject(failure('my.removeStorage', res)) });
      });
    }),
  };
}
