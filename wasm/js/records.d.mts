// Types of records.mjs: the upload queue of consent receipts to the
// consent-record service, and its transports.
import type { StorageAdapter } from './storage.mjs';

/** The service's bounds on one upload: 1,000 receipts. */
export const MAX_BATCH: 1000;
/** The service's bounds on one upload: 1 MiB of JSON. */
export const MAX_BATCH_BYTES: number;

/**
 * A receipt of format 2 as the engine writes it (engine/CONTRACT.md,
 * "Receipts"): the queue reads `v`, `installation`, `seq`, `hash` and
 * `prev`, and sends the rest as it is.
 */
export interface RecordReceipt {
  v: 2;
  installation: string;
  seq: number;
  /** The hash of the receipt before; "" for the first. */
  prev: string;
  hash: string;
  id: string;
  [member: string]: unknown;
}

/** A checkpoint: the service's ed25519 signature of an installation's head. */
export interface Checkpoint {
  v: 1;
  installation: string;
  seq: number;
  /** The hash of the receipt numbered seq. */
  head: string;
  /** When the service first accepted that head (RFC 3339, UTC). */
  time: string;
  /** The signing key's id. */
  key: string;
  /** Standard base64 of the signature of the canonical JSON without sig. */
  sig: string;
  /** "anchor" for the anchor a purge leaves. */
  kind?: 'anchor';
}

/** What fetchChain answers: the installation's chain as the service holds it. */
export interface Chain {
  receipts: RecordReceipt[];
  /** The anchor of the latest purge, when the chain no longer starts at seq 1. */
  anchor?: Checkpoint;
}

/** One HTTP request of the queue. */
export interface TransportRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Milliseconds. */
  timeout?: number;
}

/** An HTTP answer, whatever its status; header names lower-case. */
export interface TransportResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends a request; rejects only when no answer came (the network, a timeout). */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** fetch: browsers, webviews (same origin as the service: it answers no CORS), Node 18+. */
export function fetchTransport(fetchFn?: typeof fetch): Transport;

/** WeChat's wx.request (`header`, `dataType: 'text'`). */
export function wxTransport(wx?: { request(options: Record<string, unknown>): unknown }): Transport;

/** Alipay's my.request (`headers`, `dataType: 'text'`); an HTTP error that comes to fail is read as the answer it is. */
export function myTransport(my?: { request(options: Record<string, unknown>): unknown }): Transport;

/** The codes a RecordsError carries: the service's and the queue's own. */
export type RecordsErrorCode =
  | 'gap' | 'fork' | 'replayed_head' // 409: the queue stops
  | 'bad_batch' | 'bad_hash' // 400: the queue stops
  | 'unauthorized' | 'not_found' | 'method_not_allowed' | 'internal' | 'bad_value'
  | 'network' | 'bad_answer' | 'bad_receipt' | 'bad_storage'
  | `http_${number}`
  | (string & {});

export class RecordsError extends Error {
  name: 'RecordsError';
  code: RecordsErrorCode;
  /** The HTTP status, when the service answered. */
  status?: number;
  /** The field at fault (`receipts[3].hash`, `Authorization`, `receipts[0].installation`, a storage key). */
  field?: string;
  /** The service's head when it refused a batch. */
  head?: { seq: number; hash: string };
  /** The seq of the receipt at fault, or the first of the batch. */
  seq?: number;
  /** The same call may succeed later: network errors, 5xx, 408, 429. */
  retryable: boolean;
  /** The queue stopped: flush fails with this error until resync. */
  stopped: boolean;
  constructor(code: RecordsErrorCode, message: string, details?: Partial<Pick<RecordsError, 'status' | 'field' | 'head' | 'seq' | 'retryable' | 'stopped'>> & { cause?: unknown });
}

export interface QueueOptions {
  /** The service's base URL, `https://records.example.com`. */
  url: string;
  /** The app token (sent as `Authorization: Bearer`), or a function giving it for each request. */
  token: string | (() => string | Promise<string>);
  /** The installation id the engine's requests carry: 1 to 64 of A-Z a-z 0-9 . _ : - */
  installation: string;
  storage: StorageAdapter;
  /** Default fetchTransport(). */
  transport?: Transport;
  /** Of the storage keys; default "jitconsent.records." (then the installation and "/"). */
  prefix?: string;
  /** Receipts in one upload: 1 to 1,000, default 100. */
  batchSize?: number;
  /** Bytes (UTF-8) of one upload's body: 1,024 to 1 MiB, the default. */
  maxBatchBytes?: number;
  /** Characters of one storage key holding receipts: default 65,536 (Alipay takes 200 * 1024). */
  segmentSize?: number;
  /** Retries of one request after the first try: default 4. */
  retries?: number;
  /** Milliseconds before the first retry, doubled each time (x 0.5 to 1 at random): default 1,000. */
  retryDelay?: number;
  /** The longest wait, also for a Retry-After: default 60,000 ms. */
  maxRetryDelay?: number;
  /** Of one request: default 30,000 ms (0: none). */
  timeout?: number;
  /** Waits ms (tests); default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1): the backoff's jitter; default Math.random. */
  random?: () => number;
  /** Told of each retry before its wait. */
  onRetry?: (error: RecordsError, retry: number, delayMs: number) => void;
}

export interface FlushResult {
  /** Receipts the service acknowledged in this flush. */
  uploaded: number;
  batches: number;
  /** Receipts still waiting. */
  pending: number;
  checkpoint: Checkpoint | null;
}

export interface ResyncResult {
  /** The receipts dropped: stored already, or refused by the service. */
  dropped: RecordReceipt[];
  checkpoint: Checkpoint | null;
  pending: number;
}

/** Opens the queue of one installation (ReceiptQueue.open). */
export function openQueue(options: QueueOptions): Promise<ReceiptQueue>;

/** The upload queue of one installation's receipts. */
export class ReceiptQueue {
  /** Reads no storage: use ReceiptQueue.open. Throws a TypeError or RangeError naming a bad option. */
  constructor(options: QueueOptions);
  /** Opens the queue: what an earlier run left in storage (pending receipts, the checkpoint, a stop). */
  static open(options: QueueOptions): Promise<ReceiptQueue>;
  readonly installation: string;
  /** The latest checkpoint; send it as the engine requests' `checkpoint`. */
  readonly checkpoint: Checkpoint | null;
  /** Receipts waiting for the service's acknowledgement. */
  readonly pending: number;
  /** Why the queue stopped, or null. */
  readonly stopped: RecordsError | null;
  /** The receipts waiting, oldest first. */
  pendingReceipts(): RecordReceipt[];
  /**
   * Persists a response's receipts (objects or their JSON) before
   * resolving with the number pending: call it before saving the state.
   */
  enqueue(receipts: ReadonlyArray<RecordReceipt | string>): Promise<number>;
  /** Uploads everything pending, in order; one flush at a time. */
  flush(): Promise<FlushResult>;
  /** The installation's chain from the service, every page (for the engine's restore event). */
  fetchChain(): Promise<Chain>;
  /** Agrees with the service's chain after the host restored from it; clears a stop. */
  resync(chain: Chain): Promise<ResyncResult>;
}
