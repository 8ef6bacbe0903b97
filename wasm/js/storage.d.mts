// Types of storage.mjs: one small asynchronous interface over the places
// a host can keep a string under a key.

/**
 * A string under a key, asynchronously. A set stores the whole value or
 * fails; a failure (quota, a runtime error) rejects with an Error naming
 * the call. Values are strings: serialise objects first.
 */
export interface StorageAdapter {
  /** The string stored under key, or null when there is none. */
  get(key: string): Promise<string | null>;
  /** Stores value under key, replacing what was there. */
  set(key: string, value: string): Promise<void>;
  /** Removes key; nothing stored is no error. */
  remove(key: string): Promise<void>;
}

/** The Web Storage API's part that webStorage calls (localStorage, sessionStorage). */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A mini-program callback call: {success, fail, complete}. */
interface Callbacks<S, F> {
  success?: (res: S) => void;
  fail?: (res: F) => void;
  complete?: (res: S | F) => void;
}

/** WeChat's storage calls that wxStorage uses (`wx`). */
export interface WxStorageAPI {
  getStorage?(opts: { key: string } & Callbacks<{ data: unknown; errMsg?: string }, { errMsg: string }>): void;
  setStorage?(opts: { key: string; data: unknown } & Callbacks<{ errMsg?: string }, { errMsg: string }>): void;
  removeStorage?(opts: { key: string } & Callbacks<{ errMsg?: string }, { errMsg: string }>): void;
  getStorageSync?(key: string): unknown;
  setStorageSync?(key: string, data: unknown): void;
  removeStorageSync?(key: string): void;
}

/** Alipay's storage calls that myStorage uses (`my`): the Sync ones take an object. */
export interface MyStorageAPI {
  getStorage?(opts: { key: string } & Callbacks<{ data: unknown }, { error?: number; errorMessage?: string }>): void;
  setStorage?(opts: { key: string; data: unknown } & Callbacks<unknown, { error?: number; errorMessage?: string }>): void;
  removeStorage?(opts: { key: string } & Callbacks<unknown, { error?: number; errorMessage?: string }>): void;
  getStorageSync?(opts: { key: string }): { data: unknown; error?: number; errorMessage?: string };
  setStorageSync?(opts: { key: string; data: unknown }): unknown;
  removeStorageSync?(opts: { key: string }): unknown;
}

/** Strings in a Map (tests, hosts with nothing to persist to); `map` is the Map. */
export function memoryStorage(map?: Map<string, string>): StorageAdapter & { map: Map<string, string> };

/** Browsers and webviews: localStorage by default. */
export function webStorage(storage?: WebStorageLike): StorageAdapter;

/**
 * WeChat: wx.getStorage/setStorage/removeStorage, or with `sync` their Sync
 * forms (an empty string then reads back as null).
 */
export function wxStorage(wx?: WxStorageAPI, options?: { sync?: boolean }): StorageAdapter;

/**
 * Alipay: my.getStorage/setStorage/removeStorage, or with `sync`
 * my.getStorageSync({key}), my.setStorageSync({key, data}),
 * my.removeStorageSync({key}). A key holds at most 200 * 1024 characters.
 */
export function myStorage(my?: MyStorageAPI, options?: { sync?: boolean }): StorageAdapter;
