// Stand-ins for the platform APIs the adapters of storage.mjs and
// records.mjs call: a Web Storage, WeChat's and Alipay's storage and
// request calls. Each is strict about the argument shapes of its
// platform (wx.request takes `header`, my.request `headers`; the Sync
// storage calls of Alipay take an object, WeChat's take the key), so an
// adapter that mixes them up fails here. The request stand-ins forward to
// a real server through fetch. A helper module of records.test.mjs and
// storage.test.mjs: it has no tests of its own.

function later(fn) {
  setTimeout(fn, 0); // the platforms call back asynchronously
}

function onlyKeys(call, opts, allowed) {
  if (!opts || typeof opts !== 'object') throw new TypeError(`${call}: takes an object`);
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) throw new TypeError(`${call}: ${k} is not an option of ${call} (${allowed.join(', ')})`);
  }
}

function done(opts, ok, res) {
  later(() => {
    if (ok) opts.success && opts.success(res);
    else opts.fail && opts.fail(res);
    opts.complete && opts.complete(res);
  });
}

/** A Web Storage (localStorage) with an optional quota in characters of keys and values. */
export class FakeLocalStorage {
  constructor({ quota = Infinity } = {}) {
    this.map = new Map();
    this.quota = quota;
  }

  get length() {
    return this.map.size;
  }

  key(i) {
    return [...this.map.keys()][i] ?? null;
  }

  getItem(key) {
    return this.map.has(String(key)) ? this.map.get(String(key)) : null;
  }

  setItem(key, value) {
    const k = String(key);
    const v = String(value);
    let used = k.length + v.length;
    for (const [ok, ov] of this.map) if (ok !== k) used += ok.length + ov.length;
    if (used > this.quota) {
      const e = new Error(`Failed to execute 'setItem' on 'Storage': Setting the value of '${k}' exceeded the quota.`);
      e.name = 'QuotaExceededError';
      throw e;
    }
    this.map.set(k, v);
  }

  removeItem(key) {
    this.map.delete(String(key));
  }
}

const storageOptions = ['key', 'data', 'success', 'fail', 'complete'];

/**
 * WeChat's storage calls over map. A value longer than keyLimit
 * characters is refused (1 MB a key on WeChat). `fail` makes a call fail:
 * fail(name, key) returning true.
 */
export function fakeWxStorage(map = new Map(), { keyLimit = 1024 * 1024, fail = () => false } = {}) {
  const check = (call, key) => {
    if (typeof key !== 'string' || key === '') throw new TypeError(`${call}: key must be a non-empty string`);
  };
  return {
    map,
    getStorage(opts) {
      onlyKeys('wx.getStorage', opts, storageOptions);
      check('wx.getStorage', opts.key);
      if (fail('getStorage', opts.key)) return done(opts, false, { errMsg: 'getStorage:fail internal error' });
      if (!map.has(opts.key)) return done(opts, false, { errMsg: 'getStorage:fail data not found' });
      done(opts, true, { data: map.get(opts.key), errMsg: 'getStorage:ok' });
    },
    setStorage(opts) {
      onlyKeys('wx.setStorage', opts, storageOptions);
      check('wx.setStorage', opts.key);
      if (!('data' in opts)) throw new TypeError('wx.setStorage: data is required');
      if (fail('setStorage', opts.key)) return done(opts, false, { errMsg: 'setStorage:fail internal error' });
      if (JSON.stringify(opts.data).length > keyLimit) return done(opts, false, { errMsg: 'setStorage:fail exceed storage item max length' });
      map.set(opts.key, opts.data);
      done(opts, true, { errMsg: 'setStorage:ok' });
    },
    removeStorage(opts) {
      onlyKeys('wx.removeStorage', opts, storageOptions);
      check('wx.removeStorage', opts.key);
      map.delete(opts.key);
      done(opts, true, { errMsg: 'removeStorage:ok' });
    },
    getStorageSync(key) {
      check('wx.getStorageSync', key);
      return map.has(key) ? map.get(key) : '';
    },
    setStorageSync(key, data) {
      check('wx.setStorageSync', key);
      if (arguments.length < 2) throw new TypeError('wx.setStorageSync: takes (key, data)');
      if (fail('setStorageSync', key)) throw new Error('setStorageSync:fail internal error');
      if (JSON.stringify(data).length > keyLimit) throw new Error('setStorageSync:fail exceed storage item max length');
      map.set(key, data);
    },
    removeStorageSync(key) {
      check('wx.removeStorageSync', key);
      map.delete(key);
    },
  };
}

/**
 * Alipay's storage calls over map: the asynchronous ones as WeChat's
 * (a missing key reads as data null), the Sync ones taking {key} or {key,
 * data} and answering {data}. A value over keyLimit characters (200 *
 * 1024 on Alipay) is refused.
 */
export function fakeMyStorage(map = new Map(), { keyLimit = 200 * 1024, fail = () => false } = {}) {
  const check = (call, opts) => {
    if (!opts || typeof opts !== 'object') throw new TypeError(`${call}: takes an object {key${call.startsWith('my.set') ? ', data' : ''}}, not ${typeof opts}`);
    if (typeof opts.key !== 'string' || opts.key === '') throw new TypeError(`${call}: key must be a non-empty string`);
  };
  const tooLong = (data) => JSON.stringify(data).length > keyLimit;
  return {
    map,
    getStorage(opts) {
      onlyKeys('my.getStorage', opts, storageOptions);
      check('my.getStorage', opts);
      if (fail('getStorage', opts.key)) return done(opts, false, { error: 2, errorMessage: 'internal error' });
      done(opts, true, { data: map.has(opts.key) ? map.get(opts.key) : null });
    },
    setStorage(opts) {
      onlyKeys('my.setStorage', opts, storageOptions);
      check('my.setStorage', opts);
      if (fail('setStorage', opts.key)) return done(opts, false, { error: 2, errorMessage: 'internal error' });
      if (tooLong(opts.data)) return done(opts, false, { error: 15, errorMessage: 'data over 200 * 1024 characters' });
      map.set(opts.key, opts.data);
      done(opts, true, { success: true });
    },
    removeStorage(opts) {
      onlyKeys('my.removeStorage', opts, storageOptions);
      check('my.removeStorage', opts);
      map.delete(opts.key);
      done(opts, true, { success: true });
    },
    getStorageSync(opts) {
      check('my.getStorageSync', opts);
      onlyKeys('my.getStorageSync', opts, ['key']);
      return { data: map.has(opts.key) ? map.get(opts.key) : null };
    },
    setStorageSync(opts) {
      check('my.setStorageSync', opts);
      onlyKeys('my.setStorageSync', opts, ['key', 'data']);
      if (fail('setStorageSync', opts.key)) return { error: 2, errorMessage: 'internal error' };
      if (tooLong(opts.data)) return { error: 15, errorMessage: 'data over 200 * 1024 characters' };
      map.set(opts.key, opts.data);
      return { success: true };
    },
    removeStorageSync(opts) {
      check('my.removeStorageSync', opts);
      onlyKeys('my.removeStorageSync', opts, ['key']);
      map.delete(opts.key);
      return { success: true };
    },
  };
}

async function forward(fetchFn, url, method, headers, data) {
  const res = await fetchFn(url, { method, headers, body: data });
  const text = await res.text();
  const h = {};
  res.headers.forEach((v, k) => {
    h[k] = v; // WeChat and Alipay pass header names as the server wrote them
  });
  return { status: res.status, headers: h, text };
}

function decode(text, dataType) {
  if ((dataType ?? 'json') !== 'json') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * wx.request over fetch: {url, method, header, data, dataType,
 * responseType, timeout, ...}; success({statusCode, header, data}) for
 * every HTTP status, fail({errMsg}) when fetch fails. `calls` lists the
 * options of each call.
 */
export function fakeWxRequest(fetchFn = globalThis.fetch) {
  const calls = [];
  return {
    calls,
    request(opts) {
      onlyKeys('wx.request', opts, ['url', 'method', 'header', 'data', 'dataType', 'responseType', 'timeout', 'enableHttp2', 'success', 'fail', 'complete']);
      if (typeof opts.url !== 'string') throw new TypeError('wx.request: url must be a string');
      if (opts.data !== undefined && typeof opts.data !== 'string') throw new TypeError('wx.request: this stand-in takes data as a string');
      calls.push(opts);
      forward(fetchFn, opts.url, opts.method || 'GET', opts.header, opts.data).then(
        (r) => done(opts, true, { statusCode: r.status, header: r.headers, data: decode(r.text, opts.dataType), errMsg: 'request:ok' }),
        (e) => done(opts, false, { errMsg: `request:fail ${e.cause ? e.cause.code || e.cause.message : e.message}` }),
      );
      return { abort() {} };
    },
  };
}

/**
 * my.request over fetch: {url, method (GET, POST, DELETE), headers (strings),
 * data, dataType, timeout, ...}; success({status, headers, data}) for 2xx;
 * other statuses go to fail({error: 19, errorMessage, status, headers,
 * data}) when httpErrorsFail (else to success); fail({error: 12}) when
 * fetch fails.
 */
export function fakeMyRequest(fetchFn = globalThis.fetch, { httpErrorsFail = true } = {}) {
  const calls = [];
  return {
    calls,
    request(opts) {
      onlyKeys('my.request', opts, ['url', 'method', 'headers', 'data', 'dataType', 'timeout', 'success', 'fail', 'complete']);
      const method = (opts.method || 'GET').toUpperCase();
      if (!['GET', 'POST', 'DELETE'].includes(method)) throw new TypeError(`my.request: method ${opts.method} is not GET, POST or DELETE`);
      for (const [k, v] of Object.entries(opts.headers || {})) {
        if (typeof v !== 'string') throw new TypeError(`my.request: headers.${k} must be a string`);
      }
      if (opts.data !== undefined && typeof opts.data !== 'string') throw new TypeError('my.request: this stand-in takes data as a string');
      calls.push(opts);
      forward(fetchFn, opts.url, method, opts.headers, opts.data).then(
        (r) => {
          const res = { status: r.status, headers: r.headers, data: decode(r.text, opts.dataType) };
          if (r.status >= 200 && r.status < 300) done(opts, true, res);
          else if (httpErrorsFail) done(opts, false, { error: 19, errorMessage: 'HTTP错误', ...res });
          else done(opts, true, res);
        },
        () => done(opts, false, { error: 12, errorMessage: '网络出错' }),
      );
      return { abort() {} };
    },
  };
}
