// Types of consent.mjs, the JavaScript host of consent.wasm, and of the
// engine's JSON contract (engine/CONTRACT.md) and ABI (wasm/ABI.md).

// ---------------------------------------------------------------- vocabulary

/** `device.platform`. */
export type Platform = 'android' | 'ios' | 'harmonyos' | 'wechat' | 'alipay' | 'web';

/** The permissions of the vocabulary (a policy uses some of them). */
export type Permission =
  | 'location' | 'camera' | 'microphone' | 'call_log' | 'contacts' | 'photos'
  | 'calendar' | 'phone_state' | 'notifications' | 'storage' | 'ad_tracking' | 'face_id'
  | 'bluetooth' | 'install_packages' | 'installed_apps';

/** What a step needs of a permission (docs/PLATFORMS.md). */
export type Access = 'full' | 'read' | 'add' | 'picker';

/**
 * A picker or component a step uses instead of a permission: nothing is
 * asked, and only what the user selects or saves is touched.
 */
export interface SystemAPI {
  permission: Permission;
  access: Access;
  /** The call the host makes, e.g. `PHPickerViewController`, `wx.chooseMedia`, `MediaStore`. */
  api: string;
}

/** What the OS reports for a permission; absent is `not_determined`. */
export type OSState = 'not_determined' | 'granted' | 'limited' | 'denied' | 'denied_forever' | 'restricted';

/** The result of the OS's permission dialog (or of a return from the settings). */
export type DialogResult = 'granted' | 'limited' | 'denied' | 'denied_forever' | 'dismissed';

/** The kind of a policy popup: first consent, a major update (blocking), a minor one (informs). */
export type PolicyChange = 'first' | 'major' | 'minor';

/** Sensitive-data categories that need a separate consent. */
export type SensitiveCategory = 'biometrics' | 'precise_location' | 'financial_account';

/**
 * A separate consent: a sensitive category for a named purpose (a purpose
 * id of the policy), written `<sensitive>/<purpose>` where one string is
 * needed, e.g. `biometrics/loan_identity`. Consent to one purpose is never
 * consent to another.
 */
export type ConsentRef = `${SensitiveCategory}/${string}`;

/** The rule ids that appear in a response's trace. */
export type RuleId =
  | 'PRECONSENT' | 'BASIC_MODE' | 'RECONSENT' | 'JIT' | 'RATIONALE' | 'PLATFORM'
  | 'SETTINGS' | 'COOLDOWN' | 'DEGRADE' | 'SEPARATE' | 'WITHDRAW' | 'SDK' | 'STATE';

// ---------------------------------------------------------------- request

/** The request's event; each carries exactly its fields. */
export type ConsentEvent =
  | { type: 'launch' }
  | { type: 'policy_answer'; accepted: boolean }
  | { type: 'enter'; scenario: string; step: string }
  | { type: 'rationale_answer'; permission: Permission; accepted: boolean }
  | { type: 'permission_result'; permission: Permission; result: DialogResult }
  /** The answer to a `show_consent`: the separate consent it asked, given or declined. */
  | { type: 'consent_answer'; sensitive: SensitiveCategory; purpose: string; accepted: boolean }
  /** Withdrawn in the app: a permission, the policy, or a separate consent (category and purpose). */
  | { type: 'withdraw'; permission: Permission | 'policy' }
  | { type: 'withdraw'; sensitive: SensitiveCategory; purpose: string }
  /** Rebuild the state from the request's `receipts`, the installation's chain (the record). */
  | { type: 'restore' };

/** The device a request is for. */
export interface Device {
  platform: Platform;
  /**
   * Android and HarmonyOS: the API level ("33"); iOS: "17.2"; mini-programs:
   * the base library ("3.4.1"); web: the browser's name or "" (optional).
   */
  version?: string;
}

/** One request (engine/CONTRACT.md); at most 256 KiB of JSON. */
export interface ConsentRequest {
  /** RFC 3339, with its offset: the engine's only clock. */
  now: string;
  /** A BCP 47 tag (`zh_CN` is read as `zh-CN`); falls back by language, then to the policy's default. */
  locale?: string;
  device: Device;
  /** What the OS reports now for each permission; absent ones are `not_determined`. */
  os?: Partial<Record<Permission, OSState>>;
  /**
   * The app installation's id, made once by the host (random) and kept: 1 to 64 characters of
   * `A-Z a-z 0-9 . _ : -`. Every receipt carries it; the consent-record service files them by it.
   */
  installation?: string | null;
  /** The `state` of the previous response, unchanged; absent or null on a fresh install. */
  state?: State | null;
  /** With `restore` only: the installation's chain of receipts, as the consent-record service returns it. */
  receipts?: Receipt[] | null;
  /**
   * 32 hex digits (128 bits) the app derives from its keystore: the state's integrity hash is then
   * keyed (SipHash-2-4), so that a state made or edited outside the app is not used. Send the same
   * key with every request; a state made without it (or with another) is read as a fresh install.
   */
  state_key?: string | null;
  /** The host's latest checkpoint from the consent-record service: a state older than it is not used. */
  checkpoint?: Checkpoint | null;
  /** The newest policy version the host has loaded: an older active bundle is `older_version`. */
  bundle_version?: string | null;
  event: ConsentEvent;
}

/**
 * A checkpoint of the consent-record service: the installation's head (`seq`, `head` hash) when
 * it stored it, signed (`sig`, ed25519, base64) by the service key `key` over the canonical JSON
 * of the object without `sig`. Keep the latest, as the service returns it, and send it with every
 * request.
 */
export interface Checkpoint {
  head: string;
  installation: string;
  key: string;
  seq: number;
  sig: string;
  time: string;
  v: 1;
}

// ---------------------------------------------------------------- state

/** A step, as "scenario/step". */
export type StepRef = string;

/** What the engine keeps of one permission. */
export interface PermissionState {
  /** Dialogs denied. */
  denials?: number;
  /** Unix seconds of the last refusal. */
  refused?: number;
  /** Withdrawn in the app. */
  withdrawn?: boolean;
}

/** What the engine keeps of one separate consent (a category for a purpose). */
export interface ConsentState {
  /** Given, and not withdrawn since. */
  given?: boolean;
  /** Unix seconds of the last refusal (declined or withdrawn). */
  refused?: number;
}

/**
 * The engine's state: persist it as it is and send it with the next
 * request. A host may re-serialise it (key order, spacing) but not change
 * it: `hash` is an integrity hash of its values, and a state that does not
 * match is read as a fresh install.
 */
export interface State {
  /** 2 since separate consents are per purpose; a state of version 1 is read and upgraded. */
  v: 2;
  /** The policy id. */
  policy: string;
  /** The policy version consented to. */
  accepted?: string;
  /** The newest policy version shown. */
  seen?: string;
  /** Basic mode: the policy was declined or withdrawn. */
  basic?: boolean;
  /** The popup waiting for an answer. */
  pending?: PolicyChange;
  /** SHA-256 (hex) of that popup's texts as shown (its version is `seen`). */
  popup_text?: string;
  /** The locale that popup was shown in. */
  popup_locale?: string;
  /** The step to go on with once the policy is accepted. */
  resume?: StepRef;
  /** The step the user is in. */
  at?: StepRef;
  /** The step in progress. */
  flow?: {
    step: StepRef;
    /** Its permission being asked (index in the step). */
    i: number;
    wait: 'rationale' | 'request' | 'settings' | 'consent';
    /** A bit per step permission that is missing. */
    missing?: number;
    /** The version whose texts the screen waiting for an answer showed (with `text`). */
    version?: string;
    /** SHA-256 (hex) of those texts: the answer's receipt hashes them. */
    text?: string;
    /** The locale they were shown in. */
    locale?: string;
  };
  perms?: Partial<Record<Permission, PermissionState>>;
  /** Separate consents, by `<sensitive>/<purpose>`. */
  consents?: Partial<Record<ConsentRef, ConsentState>>;
  /** The newest receipt of the installation's chain: the next one follows it. */
  head?: { seq: number; hash: string; time?: string };
  /** In states from before receipts were numbered: the hash of the newest receipt. */
  last?: string;
  /** The 64-bit integrity hash of the state's values, in hex. */
  hash: string;
}

// ---------------------------------------------------------------- response

/** The privacy policy popup. */
export interface ShowPolicyAction {
  type: 'show_policy';
  version: string;
  change: PolicyChange;
  /** A minor update does not block. */
  blocking: boolean;
  title: string;
  body: string;
  /** Lines of what changed (empty for `first`). */
  changes: string[];
  /** The policy's pages in the request's locale: render them as links. */
  links: PolicyLink[];
  accept: string;
  /** Every popup offers it; declining a minor update keeps the version accepted before. */
  decline: string;
}

/** A page the policy popup links to. */
export interface PolicyLink {
  /** `policy`: the full policy text; `sdk_list`: the list of third-party SDKs. */
  kind: 'policy' | 'sdk_list' | string;
  title: string;
  /** An https URL. */
  url: string;
}

/** The notice of basic mode (the policy declined or withdrawn). */
export interface BasicModeAction {
  type: 'basic_mode';
  body: string;
}

/** The app's explanation before a permission is requested. */
export interface ShowRationaleAction {
  type: 'show_rationale';
  permission: Permission;
  scenario: string;
  step: string;
  title: string;
  /** The purpose; for sensitive data followed by a line asking for separate consent. */
  body: string;
  /** What refusing costs. */
  consequence: string;
  /** Whether this rationale also asks a separate consent (then `sensitive` and `purpose` name it). */
  separate_consent: boolean;
  /** With `purpose`: the separate consent this rationale also asks (absent when it asks none). */
  sensitive?: SensitiveCategory;
  /** The purpose id of the separate consent asked. */
  purpose?: string;
  accept: string;
  /**
   * `""` on iOS: the screen has one button, on to the system dialog (App
   * Review guideline 5.1.1(iv)); the user refuses there.
   */
  decline: string;
}

/**
 * A separate consent asked on its own (card data for card binding, the
 * biometric rules before biometric login, or, with `permission`, the
 * consent a permission's data needs, asked before its pre-permission
 * screen on iOS): answer it with a `consent_answer` event naming the same
 * sensitive and purpose.
 */
export interface ShowConsentAction {
  type: 'show_consent';
  sensitive: SensitiveCategory;
  /** The purpose id. */
  purpose: string;
  scenario: string;
  step: string;
  /** The permission whose data the consent is for, when it comes with one. */
  permission?: Permission;
  title: string;
  /** What is processed and for what, with the line asking for separate consent. */
  body: string;
  /** What declining costs. */
  consequence: string;
  accept: string;
  decline: string;
}

/** Show the OS's permission dialog. */
export interface RequestPermissionAction {
  type: 'request_permission';
  permission: Permission;
  /** The platform's own identifiers, in request order. */
  platform_ids: string[];
}

/**
 * The way to the setting, when the OS shows no dialog any more, or for a
 * special access, which is granted only in the settings.
 */
export interface OpenSettingsAction {
  type: 'open_settings';
  permission: Permission;
  title: string;
  body: string;
  /** A special access: open `settings`, then report the outcome with `permission_result`. */
  special?: true;
  /** For a special access, the platform's way there, e.g. `android.settings.MANAGE_UNKNOWN_APP_SOURCES`. */
  settings?: string;
}

/** The step goes on. */
export interface ProceedAction {
  type: 'proceed';
  scenario: string;
  step: string;
  /** Permissions refused, restricted on the device, or withdrawn during the step. */
  missing: Permission[];
  /** Separate consents the step goes on without (declined or withdrawn): what rests on them must not run. */
  missing_consents: ConsentRef[];
  /** Texts: how the step goes on without them. */
  fallbacks: string[];
  /**
   * The platform's own prompt the step uses on this device (an API name
   * such as `androidx.biometric.BiometricPrompt`); absent when the step
   * has none.
   */
  system_prompt?: string;
  /** The pickers and components the step uses instead of a permission; absent when none. */
  system_apis?: SystemAPI[];
}

/** The step cannot go on: a blocking permission was refused. */
export interface PermissionBlockAction {
  type: 'block';
  permission: Permission;
  scenario: string;
  step: string;
  title: string;
  body: string;
}

/** The step cannot go on: a separate consent it cannot work without was declined. */
export interface ConsentBlockAction {
  type: 'block';
  sensitive: SensitiveCategory;
  purpose: string;
  scenario: string;
  step: string;
  title: string;
  body: string;
}

/** A block: by a permission (it has `permission`) or by a separate consent (`sensitive`, `purpose`). */
export type BlockAction = PermissionBlockAction | ConsentBlockAction;

/** The step does not exist on this device (no system prompt of the platform admits it): say so. */
export interface UnavailableAction {
  type: 'unavailable';
  scenario: string;
  step: string;
  body: string;
}

/** The actions, in the order the host performs them; discriminate on `type`. */
export type Action =
  | ShowPolicyAction
  | BasicModeAction
  | ShowConsentAction
  | ShowRationaleAction
  | RequestPermissionAction
  | OpenSettingsAction
  | ProceedAction
  | BlockAction
  | UnavailableAction;

/**
 * A consent receipt (version 2, engine/CONTRACT.md): one for each policy answer, consent answer,
 * rationale answer, permission result and withdrawal. The engine writes it in its canonical JSON
 * (RFC 8785: members sorted by name, no white space), and absent members are left out, never null.
 * Numbered within the installation (`seq`) and chained (`prev` is the hash of the receipt
 * before), it is a tamper-evident record: `hash` is the SHA-256 of its canonical JSON without
 * `hash` and `id`, and `id` a UUID (version 8) made from the hash. Upload every receipt, in order.
 */
export interface Receipt {
  /** The answer: `accepted`/`declined`, the dialog's result, or `withdrawn`. */
  answer: 'accepted' | 'declined' | 'withdrawn' | DialogResult;
  /** "sha256:<hex>": the bundle active when the receipt was made (`info().hash`). */
  bundle?: string;
  hash: string;
  /** Derived from `hash`: lowercase 8-4-4-4-12. */
  id: string;
  /** The request's `installation`. */
  installation?: string;
  kind: 'policy' | 'consent' | 'rationale' | 'permission' | 'withdraw';
  /** The locale the texts were shown in, as the bundle names it (`zh-CN`). */
  locale: string;
  permission?: Permission;
  /** The request's `device.platform` and `device.version`. */
  platform: Platform;
  platform_version?: string;
  /** The policy id. */
  policy: string;
  /** The hash of the receipt before; "" for the first of a chain. */
  prev: string;
  /**
   * With `sensitive`: the separate consent the receipt records. On a
   * `consent` receipt and on the withdrawal of a consent (no permission)
   * it is what was answered; on a rationale or permission receipt, the
   * separate consent its rationale asked.
   */
  purpose?: string;
  scenario?: string;
  sensitive?: SensitiveCategory;
  /** On every receipt that names a separate consent (`sensitive` and `purpose`). */
  separate_consent?: true;
  /** 1 for the installation's first receipt, then one more each. */
  seq: number;
  step?: string;
  /** SHA-256 (hex) of the exact texts shown, each followed by a newline; absent for a withdrawal. */
  text?: string;
  /** The request's `now`, as given. */
  time: string;
  /** Its time is an earlier instant than the receipt before's: the device clock went back. */
  time_behind?: true;
  v: 2;
  /**
   * The policy version whose texts the receipt records: the version
   * accepted or declined, or under which the screen answered was shown
   * (also when a newer bundle is active by the answer).
   */
  version: string;
}

/** Which rule decided, and why. */
export interface TraceEntry {
  rule: RuleId;
  detail: string;
}

/** The policy a response or bundle is for. */
export interface PolicyRef {
  id: string;
  version: string;
}

/** A decision. */
export interface Decision {
  policy: PolicyRef;
  actions: Action[];
  /** The SDKs allowed to run now, in the policy's order. */
  sdks: string[];
  /**
   * For every running SDK that declares optional data: the optional data
   * it may collect now (possibly none). Switch the rest off in the SDK.
   */
  sdk_data: Record<string, string[]>;
  state: State;
  receipts: Receipt[];
  trace: TraceEntry[];
  error?: undefined;
}

/** The error codes of the engine (bad input) and of the module. */
export type ErrorCode =
  | 'too_large' | 'bad_utf8' | 'bad_json' | 'bad_type' | 'missing_field' | 'unknown_field'
  | 'duplicate_field' | 'bad_time' | 'bad_locale' | 'unknown_platform' | 'bad_version'
  | 'unknown_permission' | 'bad_value' | 'unknown_event' | 'unknown_scenario' | 'unknown_step'
  | 'unknown_consent' | 'not_requested' | 'bad_receipt' | 'stale_bundle' | 'bad_checkpoint'
  | 'bad_pointer' | 'bad_bundle' | 'bad_signature' | 'older_version' | 'internal' | 'no_bundle';

/** An error answer: the host keeps its previous state. */
export interface ErrorResponse {
  error: {
    code: ErrorCode;
    message: string;
    /** The request field at fault, such as "event.step"; absent when the request as a whole is. */
    field?: string;
  };
}

/** What `decide` returns: a decision, or an error (never thrown). */
export type ConsentResponse = Decision | ErrorResponse;

/** What `info` returns. */
export interface Info {
  /** The module's build. */
  module: string;
  /** The ABI version: 1. */
  abi: number;
  /** The active policy. */
  policy: PolicyRef;
  /** "sha256:<hex>" of the active bundle's payload. */
  hash: string;
  locales: string[];
  /** The ids of the keys whose signatures `loadBundle` accepts. */
  keys: string[];
  /** The ids of the consent-record service's keys it trusts to sign a checkpoint. */
  service_keys: string[];
  /** Only if the embedded bundle did not open (then no policy, hash or locales). */
  error?: string;
}

/** What `loadBundle` returns. */
export type LoadBundleResult = { ok: true; policy: PolicyRef; hash: string } | ErrorResponse;

// ---------------------------------------------------------------- the host

/** Options of the loaders and of `createWASI`. */
export interface ConsentOptions {
  /** Receives what the module writes to stdout, a line at a time (default console.log). */
  stdout?: (line: string) => void;
  /** Receives what the module writes to stderr, a line at a time (default console.error); only on a runtime fault. */
  stderr?: (line: string) => void;
}

/** The wasi_snapshot_preview1 functions consent.wasm imports (a type, so that it fits WebAssembly.Imports). */
export type WASIPreview1 = {
  args_get(argv: number, argvBuf: number): number;
  args_sizes_get(argcPtr: number, sizePtr: number): number;
  environ_get(environ: number, environBuf: number): number;
  environ_sizes_get(countPtr: number, sizePtr: number): number;
  clock_time_get(id: number, precision: bigint, resultPtr: number): number;
  random_get(ptr: number, len: number): number;
  fd_write(fd: number, iovs: number, iovsLen: number, nwrittenPtr: number): number;
  fd_read(fd: number, iovs: number, iovsLen: number, nreadPtr: number): number;
  fd_close(fd: number): number;
  fd_fdstat_get(fd: number, statPtr: number): number;
  fd_fdstat_set_flags(fd: number, flags: number): number;
  fd_prestat_get(fd: number, prestatPtr: number): number;
  fd_prestat_dir_name(fd: number, path: number, len: number): number;
  proc_exit(code: number): never;
  sched_yield(): number;
  /** Throws: the module never sleeps or waits. */
  poll_oneoff(inPtr: number, outPtr: number, n: number, neventsPtr: number): never;
};

/** The module's own WASI shim. */
export interface WASIShim {
  /** The import object to instantiate consent.wasm with. */
  imports: { wasi_snapshot_preview1: WASIPreview1 };
  /** The functions alone (as node:wasi's `wasiImport`). */
  wasiImport: WASIPreview1;
  /** Tells the shim the instance's memory, before any call into the module. */
  setMemory(memory: WebAssembly.Memory): void;
  /** Sets the memory and calls `_initialize` once (like node:wasi's `initialize`). */
  initialize(instance: WebAssembly.Instance): void;
  /** Hands on a partial last line of output. */
  flush(): void;
}

/** The ABI version this host speaks: 1. */
export const ABI_VERSION: 1;

/** The largest buffer `consent_alloc` grants, and so the largest input: 4 MiB. */
export const MAX_BUFFER: number;

/**
 * Creates the module's own WASI shim (no arguments, no environment, no
 * preopens; fds 0-2 character devices; `poll_oneoff` throws).
 */
export function createWASI(options?: ConsentOptions): WASIShim;

/** The same as `createWASI`. */
export function wasiImports(options?: ConsentOptions): WASIShim;

/** UTF-8 encoding: TextEncoder, or a pure-JS encoder with the same output where there is none. */
export function utf8Encode(s: string): Uint8Array;

/** UTF-8 decoding (invalid bytes as U+FFFD, a BOM kept): TextDecoder, or a pure-JS decoder with the same output. */
export function utf8Decode(bytes: Uint8Array): string;

/** What `Consent.load` takes. */
export type ModuleSource =
  | ArrayBuffer
  | ArrayBufferView
  | WebAssembly.Module
  | globalThis.Response
  | Promise<globalThis.Response>
  | URL
  | string;

/** A consent engine: one instance of consent.wasm. Every method is synchronous. */
export class Consent {
  /**
   * Instantiates consent.wasm with the module's own WASI shim from its
   * bytes, a compiled module, a fetch Response (streamed when served as
   * `application/wasm`) or a URL (fetched). In Node, pass the bytes.
   */
  static load(source: ModuleSource, options?: ConsentOptions): Promise<Consent>;

  /**
   * WeChat mini-programs: `WXWebAssembly.instantiate(path)` with the
   * module's absolute path in the package ("/consent.wasm", or
   * "/consent.wasm.br" Brotli-compressed).
   */
  static loadWX(path: string, options?: ConsentOptions): Promise<Consent>;

  /**
   * Alipay mini-programs: `my.WebAssembly`, else `MYWebAssembly` (a path in
   * the package or bytes), else the standard `WebAssembly` (bytes).
   */
  static loadAlipay(pathOrBytes: string | ArrayBuffer | ArrayBufferView, options?: ConsentOptions): Promise<Consent>;

  /** Wraps an instance the host instantiated and initialised itself (node:wasi, say). */
  static fromInstance(instance: WebAssembly.Instance): Consent;

  /**
   * Shows the precomputed first popup at once and loads the module in the
   * background; when it is ready, replays the launch and hands it the
   * user's answers ({@link Launch}).
   */
  static launch(options: LaunchOptions): Launch;

  /** Wraps an initialised instance; throws if it is not consent.wasm of ABI 1. */
  constructor(instance: WebAssembly.Instance);

  /**
   * Decides one request: a decision, or `{error}` for bad input (returned,
   * not thrown), including a request object JSON cannot write (a BigInt, a
   * cycle: `bad_json`). Throws only if the input is over 4 MiB or the
   * module refuses the buffer.
   */
  decide(request: ConsentRequest | string): ConsentResponse;

  /** `decide` on JSON text: the response's JSON exactly as the module wrote it. */
  decideJSON(json: string): string;

  /** Replaces the active bundle with a newer signed one; a rejected bundle leaves the active one. */
  loadBundle(envelope: string | ArrayBuffer | ArrayBufferView): LoadBundleResult;

  /** The module's build, ABI, active policy, bundle hash, locales and trusted keys. */
  info(): Info;

  /** The module's ABI version: 1. */
  abiVersion(): number;
}

// ---------------------------------------------------------------- the first popup

/**
 * first-launch.json (`promptc first-launch`, shipped as
 * `@jitconsent/consent/first-launch.json`): the engine's answer to a fresh
 * install's launch, per locale and platform, precomputed from the bundle
 * the module embeds.
 */
export interface FirstLaunch {
  format: 1;
  policy: PolicyRef;
  /** The bundle's hash, as `info().hash` reports it. */
  bundle: string;
  default_locale: string;
  locales: string[];
  platforms: Platform[];
  /** By locale, then platform: the response's `actions`. */
  actions: Record<string, Partial<Record<Platform, Action[]>>>;
}

/** The bundle locale the engine answers a BCP 47 tag in (as engine/locale.go matches it). */
export function matchLocale(locales: string[], defaultLocale: string, tag?: string | null): string;

/** The precomputed launch actions for a locale (matched as the engine does) and platform, or null. */
export function firstLaunchActions(firstLaunch: FirstLaunch | null | undefined, locale: string | null | undefined, platform: string): Action[] | null;

/** Where the actions given to `show` came from. */
export type ShownFrom = 'precomputed' | 'module';

export interface LaunchOptions {
  /** The engine, or the promise a loader returns (`Consent.load(url)`): the module loads meanwhile. */
  engine: Consent | Promise<Consent>;
  /** The parsed first-launch.json; absent, nothing is shown until the module answers. */
  firstLaunch?: FirstLaunch | null;
  /**
   * The launch's request without its event. Every decision sends it with the
   * state of the last response, its event, and `now` (the time of the decision
   * unless given). `state` may be a promise (storage still being read): the
   * precomputed popup is shown only when it is absent, null, or such a promise.
   */
  request: Omit<ConsentRequest, 'event' | 'now' | 'state'> & { now?: string; state?: State | null | Promise<State | null> };
  /** Draws these actions in place of what was shown. */
  show(actions: Action[], from: ShownFrom): void;
  /** Keeps a response of the module (enqueue its receipts, then save its state); the next decision waits for it. */
  record?(response: Decision): void | Promise<void>;
}

/**
 * The first popup before the module is ready: the precomputed popup on
 * screen at once; the launch replayed on the module when it is ready, whose
 * answer is the record. If the module asks for what was shown, the answers
 * given are handed to it in order; if not, the host follows the module and
 * the answers to the precomputed popup are dropped.
 */
export class Launch {
  constructor(options: LaunchOptions);
  /**
   * Once the module replayed the launch and was handed the answers given until then: the engine
   * and its last response. Rejects if it failed to load or refused the request (`code`, `field`).
   */
  readonly ready: Promise<{ engine: Consent; response: Decision }>;
  /** The engine once ready, else null. */
  readonly engine: Consent | null;
  /** The module's last response, else null. */
  readonly response: Decision | null;
  /** The actions last given to `show`, and where they came from. */
  readonly shown: Action[] | null;
  readonly from: ShownFrom | null;
  /** The answers to the precomputed popup not handed over, since the module asked otherwise. */
  readonly dropped: ConsentEvent[];
  /**
   * Hands the user's answer to what is shown to the module, now or once it is
   * ready: the module's response (recorded and shown), an error answer (bad
   * input, nothing recorded), or null for an answer dropped. Rejects if the module failed to
   * load or refused the launch, or if `record` failed for it.
   */
  answer(event: ConsentEvent): Promise<ConsentResponse | null>;
}
