// Types of consent.mjs and of the engine's JSON contract (engine/CONTRACT.md).

export type Platform = 'android' | 'ios' | 'harmonyos' | 'wechat' | 'alipay' | 'web';
export type Permission = 'location' | 'camera' | 'microphone' | 'call_log' | 'contacts' | 'photos' |
  'calendar' | 'phone_state' | 'notifications' | 'storage' | 'ad_tracking' | 'face_id';
export type OSState = 'not_determined' | 'granted' | 'limited' | 'denied' | 'denied_forever' | 'restricted';
export type DialogResult = 'granted' | 'limited' | 'denied' | 'denied_forever' | 'dismissed';

export type Event =
  | { type: 'launch' }
  | { type: 'policy_answer'; accepted: boolean }
  | { type: 'enter'; scenario: string; step: string }
  | { type: 'rationale_answer'; permission: Permission; accepted: boolean }
  | { type: 'permission_result'; permission: Permission; result: DialogResult }
  | { type: 'withdraw'; permission: Permission | 'policy' };

export interface Request {
  /** RFC 3339: the engine's only clock. */
  now: string;
  /** BCP 47; falls back by language, then to the policy's default. */
  locale?: string;
  device: { platform: Platform; version?: string };
  /** What the OS reports now; absent permissions are not_determined. */
  os?: Partial<Record<Permission, OSState>>;
  /** The state of the previous response, unchanged; absent on a fresh install. */
  state?: State | null;
  event: Event;
}

/** Opaque: persist it and send it back with the next request. */
export type State = { v: number; policy: string; hash: string; [key: string]: unknown };

export type Action =
  | { type: 'show_policy'; version: string; change: 'first' | 'major' | 'minor'; blocking: boolean; title: string; body: string; changes: string[]; accept: string; decline: string }
  | { type: 'basic_mode'; body: string }
  | { type: 'show_rationale'; permission: Permission; scenario: string; step: string; title: string; body: string; consequence: string; separate_consent: boolean; accept: string; decline: string }
  | { type: 'request_permission'; permission: Permission; platform_ids: string[] }
  | { type: 'open_settings'; permission: Permission; title: string; body: string }
  | { type: 'proceed'; scenario: string; step: string; missing: Permission[]; fallbacks: string[] }
  | { type: 'block'; permission: Permission; scenario: string; step: string; title: string; body: string };

export interface Receipt {
  kind: 'policy' | 'rationale' | 'permission' | 'withdraw';
  policy: string;
  version: string;
  permission?: Permission;
  scenario?: string;
  step?: string;
  /** SHA-256 of the texts shown. */
  text?: string;
  answer: string;
  separate_consent?: boolean;
  time: string;
  /** Hash of the receipt before; "" for the first. */
  prev: string;
  /** SHA-256 of this receipt's JSON without its hash member. */
  hash: string;
}

export interface Decision {
  policy: { id: string; version: string };
  actions: Action[];
  sdks: string[];
  state: State;
  receipts: Receipt[];
  trace: { rule: string; detail: string }[];
}

export interface ErrorResponse {
  error: { code: string; message: string; field?: string };
}

export type Response = Decision | ErrorResponse;

export interface Info {
  module: string;
  abi: number;
  policy: { id: string; version: string };
  hash: string;
  locales: string[];
  keys: string[];
}

export type LoadBundleResult = { ok: true; policy: { id: string; version: string }; hash: string } | ErrorResponse;

export interface Options {
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
}

/** The module's own WASI shim: exactly the imports consent.wasm has. */
export function wasiImports(options?: Options): { imports: WebAssembly.Imports; setMemory(memory: WebAssembly.Memory): void };

export class Consent {
  static load(source: ArrayBuffer | Uint8Array | Response | URL | string, options?: Options): Promise<Consent>;
  static loadWX(path: string, options?: Options): Promise<Consent>;
  static loadAlipay(source: string | ArrayBuffer | Uint8Array, options?: Options): Promise<Consent>;
  static fromInstance(instance: WebAssembly.Instance): Consent;
  decide(request: Request | string): Response;
  decideJSON(json: string): string;
  loadBundle(envelope: Uint8Array | ArrayBuffer | string): LoadBundleResult;
  info(): Info;
  abiVersion(): number;
}
