// Types of runner.mjs: one call runs a step (or the launch) to its end with
// the app's screens, persisting the state; sdkAllowed says whether an SDK
// may start now.

import type {
  Action, BasicModeAction, BlockAction, Consent, ConsentRef, Decision, DialogResult, OpenSettingsAction, OSState,
  Permission, ProceedAction, ConsentRequest, RequestPermissionAction, ShowConsentAction, ShowPolicyAction,
  ShowRationaleAction, SystemAPI, UnavailableAction,
} from './consent.mjs';
import type { StorageAdapter } from './storage.mjs';

/** The storage key the state is kept under unless `key` says otherwise: "jitconsent.state". */
export const DEFAULT_STATE_KEY: string;

/** The most decisions one run makes unless `maxDecisions` says otherwise: 64. */
export const DEFAULT_MAX_DECISIONS: number;

/** A value now, or a function (possibly async) giving it before each decision. */
type Fresh<T> = T | (() => T | Promise<T>);

/** What `runLaunch` takes; `runStep` takes these and more ({@link StepOptions}). */
export interface LaunchOptions {
  /** The engine: `await Consent.load(...)` (or anything with Consent's `decide`). */
  engine: Pick<Consent, 'decide'>;
  /**
   * Where the state is kept (storage.mjs: webStorage, wxStorage, myStorage,
   * memoryStorage): read before every decision, written (JSON) after it. A
   * value that is not JSON is read as no state: the engine starts afresh,
   * as it does with a state it cannot use.
   */
  storage: Pick<StorageAdapter, 'get' | 'set'>;
  /** The key the state is kept under (default {@link DEFAULT_STATE_KEY}). */
  key?: string;
  /**
   * The request without `now`, `os`, `state` and `event`: `locale`,
   * `device`, `installation`, `state_key`, `checkpoint`, `bundle_version`;
   * or a function giving it before each decision (the records queue's
   * latest checkpoint, say).
   */
  request: Fresh<Omit<ConsentRequest, 'event' | 'now' | 'state' | 'os' | 'receipts'>>;
  /**
   * What the OS reports now for each permission, read before each decision:
   * pass a function, since the system dialog and the settings change it.
   */
  os?: Fresh<Partial<Record<Permission, OSState>>>;
  /** RFC 3339 time of each decision (default: the device clock, `new Date().toISOString()`). */
  now?: string | (() => string);
  /** The policy popup (first, a major update blocking, a minor one not): true if the user accepted. */
  showPolicy(action: ShowPolicyAction): boolean | Promise<boolean>;
  /** The basic-mode notice (the policy declined): informational; the run then ends in `block`. */
  showBasicMode?(action: BasicModeAction): void | Promise<void>;
  /**
   * Keeps each response before its state is saved: enqueue its receipts
   * (`(r) => queue.enqueue(r.receipts)`, records.mjs). A rejection ends the
   * run, and that response's state is not saved.
   */
  record?(response: Decision): void | Promise<void>;
  /** Stops a run that has not ended after this many decisions (default {@link DEFAULT_MAX_DECISIONS}). */
  maxDecisions?: number;
}

/**
 * What `runStep` takes. Each `show*`/`request*`/`open*` callback shows its
 * screen and resolves to the user's answer; one that throws (the user left)
 * rejects the run with its error, and the state stays as last persisted.
 */
export interface StepOptions extends LaunchOptions {
  /** The scenario and step to enter, as the policy names them ("loan_apply", "apply"). */
  scenario: string;
  step: string;
  /**
   * The explanation before a permission (with `sensitive` and `purpose`, it
   * also asks that separate consent): true if the user accepted. Where
   * `decline` is "" (iOS) the screen has one button, on to the system
   * dialog: the run goes on whatever it returns.
   */
  showRationale(action: ShowRationaleAction): boolean | unknown | Promise<boolean | unknown>;
  /** A separate consent on its own screen: true if the user gave it. */
  showConsent(action: ShowConsentAction): boolean | Promise<boolean>;
  /** The OS's dialog for `platform_ids`: its result. */
  requestPermission(action: RequestPermissionAction): DialogResult | Promise<DialogResult>;
  /**
   * The way to the setting (with `special`, open `settings`): the
   * permission's state on return; `not_determined` (untouched) is sent as
   * `dismissed`.
   */
  openSettings(action: OpenSettingsAction): DialogResult | 'not_determined' | Promise<DialogResult | 'not_determined'>;
  /** The step cannot go on (informational); the run then resolves to `block`. */
  showBlock?(action: BlockAction): void | Promise<void>;
  /** The step does not exist on this device (informational); the run then resolves to `block`. */
  showUnavailable?(action: UnavailableAction): void | Promise<void>;
}

/** Why a run ended so. */
export type StepReason =
  /** The step goes on (possibly without what `missing` and `missing_consents` name). */
  | 'proceed'
  /** A blocking permission was refused (`missing` names it). */
  | 'permission'
  /** A separate consent the step cannot work without was declined (`missing_consents` names it). */
  | 'consent'
  /** The policy was declined: basic mode, no SDK runs. */
  | 'basic_mode'
  /** The step needs a system prompt this platform does not offer. */
  | 'unavailable';

/** What a run resolves to. */
export interface StepResult {
  outcome: 'proceed' | 'block';
  reason: StepReason;
  /** The action that ended the run; null for a launch that ended with nothing to show. */
  action: ProceedAction | BlockAction | BasicModeAction | UnavailableAction | null;
  /** Proceed: the permissions the step goes on without; block: the permission that blocks. */
  missing: Permission[];
  /** Proceed: the separate consents declined; block: the one that blocks. */
  missing_consents: ConsentRef[];
  /** Proceed: how the step goes on without them (texts). */
  fallbacks: string[];
  /** Proceed: the platform's own prompt to call (biometric login). */
  system_prompt?: string;
  /** Proceed: the pickers and components to use instead of a permission. */
  system_apis?: SystemAPI[];
  /** The last response: its `state` is the one persisted; `sdks`, `sdk_data` for {@link sdkAllowed}. */
  response: Decision;
  /** How many decisions the run made. */
  decisions: number;
}

/**
 * A run that could not finish. `code`: the engine's error code (`field`
 * then names the request field at fault, and `event` is the event refused),
 * or the runner's own: `too_many_decisions` (maxDecisions), `bad_answer`
 * (a callback answered something that is not an answer), `no_action` (the
 * engine left the step with nothing to show), `unknown_action`. A callback's
 * own error, and the storage's, reject the run as they are.
 */
export class StepError extends Error {
  readonly code: string;
  readonly field?: string;
  readonly event?: ConsentRequest['event'];
  /** The last response recorded; its state is the one persisted (null if none). */
  readonly response: Decision | null;
  readonly decisions: number;
}

/**
 * Enters a step and runs it to its end: each screen the engine asks for
 * through the callbacks, each answer sent back as its event, the state
 * read before and written after every decision, until `proceed`, `block`,
 * `basic_mode` or `unavailable`. Throws a TypeError at once for options it
 * cannot use.
 */
export function runStep(options: StepOptions): Promise<StepResult>;

/**
 * Runs the launch to its end: the policy popup if one is due; `proceed`
 * when nothing is left to ask, `block` (`basic_mode`) when the policy was
 * declined. An action other than the popup (none at a launch) needs the
 * callbacks of {@link StepOptions}.
 */
export function runLaunch(options: LaunchOptions & Partial<Omit<StepOptions, keyof LaunchOptions | 'scenario' | 'step'>>): Promise<StepResult>;

/** Whether an SDK may start now, and which optional data it may collect. */
export interface SdkPermit {
  sdk: string;
  /** Listed in the response's `sdks`: its basis holds now. */
  allowed: boolean;
  /**
   * The optional data it may collect now: switch the rest off in the SDK.
   * null: the SDK declares no optional data (nothing to switch off); [] when
   * it may not start.
   */
  optionalData: string[] | null;
}

/**
 * From the last response (a decision, or what runStep and runLaunch
 * resolve to): whether `sdk` may start now, and which of its optional data
 * it may collect. A state alone cannot say (TypeError): the engine decides
 * the SDKs with the request's OS states and step.
 */
export function sdkAllowed(from: Decision | StepResult, sdk: string): SdkPermit;
