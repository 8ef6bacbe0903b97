// The receipt queue of records.mjs against the real consent-record
// service: dist/records (make records) started here on a temporary SQLite
// file with its own key pair and tokens, on a free port. The chains are
// valid v2 receipts made here as the engine makes them (canonical JSON,
// SHA-256, the UUIDv8 id: engine/CONTRACT.md), which the service checks
// with package ledger before it stores anything. A proxy in front of the
// service loses answers, answers 413 or 503, and shows what was sent.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createHash, createPublicKey, verify, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openQueue, ReceiptQueue, RecordsError, fetchTransport, wxTransport, myTransport, MAX_BATCH, MAX_BATCH_BYTES } from '../records.mjs';
import { memoryStorage, webStorage, wxStorage, myStorage } from '../storage.mjs';
import { FakeLocalStorage, fakeWxStorage, fakeMyStorage, fakeWxRequest, fakeMyRequest } from './standins.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = process.env.RECORDS_BIN || join(root, 'dist', 'records');
if (!existsSync(bin)) {
  throw new Error(`${bin} is missing: build it first with \`make records\` in ${root}`);
}

// ---------------------------------------------------------------- receipts

/** Canonical JSON (RFC 8785) of what receipts and checkpoints hold: objects, ASCII names, strings, integers, true. */
function canonical(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
}

/** A receipt with its hash and id, members in canonical order. */
function seal(r) {
  const body = { ...r };
  delete body.hash;
  delete body.id;
  const hash = createHash('sha256').update(canonical(body)).digest('hex');
  const b = Buffer.from(hash.slice(0, 32), 'hex');
  b[6] = 0x80 | (b[6] & 0x0f);
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = b.toString('hex');
  const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  return JSON.parse(canonical({ ...body, hash, id }));
}

/**
 * An installation's chain as the engine would write it: a policy answer,
 * a rationale with its separate consent, the dialog, a consent, a
 * withdrawal, in turn, a minute apart. `edit` changes each receipt before
 * it is sealed (a fork). `step` names the step (non-ASCII for the byte
 * limits).
 */
class Chain {
  constructor(installation, { edit, step = 'apply' } = {}) {
    this.installation = installation;
    this.receipts = [];
    this.edit = edit;
    this.step = step;
    this.start = Date.parse('2026-03-01T02:00:00Z');
  }

  clone(edit) {
    const c = new Chain(this.installation, { edit, step: this.step });
    c.receipts = this.receipts.slice();
    return c;
  }

  get head() {
    const r = this.receipts[this.receipts.length - 1];
    return r ? { seq: r.seq, hash: r.hash } : { seq: 0, hash: '' };
  }

  next(n) {
    const out = [];
    for (let k = 0; k < n; k++) {
      const seq = this.receipts.length + 1;
      const r = {
        v: 2, installation: this.installation, seq, time: new Date(this.start + seq * 60000).toISOString().replace('.000Z', 'Z'),
        policy: 'msxf', version: '2022-03-29', bundle: `sha256:${'4f'.repeat(32)}`, locale: 'zh-CN', platform: 'wechat',
        platform_version: '3.4.1', text: createHash('sha256').update(`text ${seq}`).digest('hex'), prev: this.head.hash,
      };
      const ask = () => Object.assign(r, { scenario: 'loan_apply', step: this.step, sensitive: 'precise_location', purpose: 'loan_risk', separate_consent: true });
      switch ((seq - 1) % 5) {
        case 0: Object.assign(r, { kind: 'policy', answer: 'accepted' }); break;
        case 1: Object.assign(r, { kind: 'rationale', answer: 'accepted', permission: 'location' }); ask(); break;
        case 2: Object.assign(r, { kind: 'permission', answer: 'granted', permission: 'location' }); ask(); break;
        case 3: Object.assign(r, { kind: 'consent', answer: 'accepted' }); ask(); Object.assign(r, { step: 'liveness', sensitive: 'biometrics', purpose: 'identity_check' }); break;
        default: Object.assign(r, { kind: 'withdraw', answer: 'withdrawn', permission: 'location' }); delete r.text;
      }
      if (this.edit) this.edit(r);
      const sealed = seal(r);
      this.receipts.push(sealed);
      out.push(sealed);
    }
    return out;
  }
}

const declined = (r) => {
  if (r.kind === 'permission') r.answer = 'denied';
  else if (r.kind !== 'withdraw') r.answer = 'declined';
  else r.permission = 'camera';
};

let installations = 0;
/** A fresh installation id for each test. */
function installation(name) {
  return `inst-${name}-${process.pid}-${++installations}`;
}

// ---------------------------------------------------------------- the service

const work = mkdtempSync(join(tmpdir(), 'records-js-'));
const appToken = `app-${randomBytes(12).toString('hex')}`;
const operatorToken = `op-${randomBytes(12).toString('hex')}`;
writeFileSync(join(work, 'app.tokens'), `${appToken}\n`);
writeFileSync(join(work, 'operator.tokens'), `${operatorToken}\n`);
execFileSync(bin, ['keygen', '--out', join(work, 'service')]);

/** A `records serve` process on the test's database; port 0 picks a free one. */
class Service {
  static async start(port = 0) {
    const s = new Service();
    s.child = spawn(bin, ['serve', '--key', join(work, 'service.key'), '--db', `sqlite:${join(work, 'records.db')}`, '--sqlite-sync', 'normal',
      '--addr', `127.0.0.1:${port}`, '--app-token-file', join(work, 'app.tokens'), '--operator-token-file', join(work, 'operator.tokens')],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    s.log = '';
    s.child.stderr.on('data', (d) => {
      s.log += d;
    });
    s.exited = new Promise((resolve) => s.child.on('exit', resolve));
    s.url = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`records serve did not start in 30 s: ${out}${s.log}`)), 30000);
      s.child.stdout.on('data', (d) => {
        out += d;
        const m = /serving (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      s.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`records serve exited (${code}): ${out}${s.log}`));
      });
    });
    s.port = Number(new URL(s.url).port);
    return s;
  }

  async stop() {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

let service = await Service.start();
test.after(async () => {
  await service.stop();
  rmSync(work, { recursive: true, force: true });
});

async function get(path, token = operatorToken) {
  const res = await fetch(service.url + path, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}

/** The chain the service holds for inst. */
async function stored(inst) {
  const { status, body } = await get(`/v1/installations/${inst}/receipts`, appToken);
  assert.equal(status, 200);
  return body.receipts;
}

/** Verifies a checkpoint's ed25519 signature with the service's published key. */
async function verifyCheckpoint(cp) {
  const { body } = await get('/v1/keys', appToken);
  const key = body.keys.find((k) => k.id === cp.key);
  assert.ok(key, `the checkpoint's key ${cp.key} is one of the service's`);
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(key.key, 'base64')]);
  const pub = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const unsigned = { ...cp };
  delete unsigned.sig;
  return verify(null, Buffer.from(canonical(unsigned)), pub, Buffer.from(cp.sig, 'base64'));
}

/**
 * A proxy in front of the service that records each request and its
 * answer. hook(req) may answer instead ({status, body, headers}), or
 * return 'lose' to forward the request and cut the connection instead of
 * answering (the answer lost on the way).
 */
async function proxy(hook = () => undefined) {
  const seen = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString();
    const entry = { method: req.method, path: req.url, body, authorization: req.headers.authorization };
    seen.push(entry);
    const what = hook(entry);
    if (what && typeof what === 'object') {
      entry.status = what.status;
      res.writeHead(what.status, { 'Content-Type': 'application/json', ...what.headers });
      res.end(what.body ?? '');
      return;
    }
    try {
      const r = await fetch(service.url + req.url, { method: req.method, headers: { Authorization: req.headers.authorization ?? '', 'Content-Type': 'application/json' }, body: req.method === 'GET' ? undefined : body });
      entry.status = r.status;
      entry.answer = await r.text();
      entry.stored = r.headers.get('records-stored');
      if (what === 'lose') {
        entry.lost = true;
        req.socket.destroy();
        return;
      }
      res.writeHead(r.status, { 'Content-Type': 'application/json' });
      res.end(entry.answer);
    } catch {
      req.socket.destroy(); // the service is down: no answer
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const uploads = () => seen.filter((e) => e.method === 'POST').map((e) => ({ ...e, receipts: JSON.parse(e.body).receipts }));
  return { url, seen, uploads, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** Queue options for inst over storage, retrying at once (a recorded sleep). */
function options(inst, storage, more = {}) {
  const sleeps = [];
  return {
    url: service.url, token: appToken, installation: inst, storage, sleeps,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...more,
  };
}

const seqs = (list) => list.map((r) => r.seq);
const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/** The keys of storage that hold segments (not meta) for inst. */
function segmentKeys(map, inst) {
  return [...map.keys()].filter((k) => k.startsWith(`jitconsent.records.${inst}/`) && !k.endsWith('/meta'));
}

// ---------------------------------------------------------------- tests

test('flush uploads in order, in batches, and keeps the signed checkpoint, persisted', async (t) => {
  const inst = installation('order');
  const p = await proxy();
  t.after(p.close);
  const map = new Map();
  const q = await openQueue(options(inst, memoryStorage(map), { url: p.url, batchSize: 100 }));
  assert.equal(q.checkpoint, null);
  const chain = new Chain(inst);
  for (let i = 0; i < 5; i++) assert.equal(await q.enqueue(chain.next(50)), 50 * (i + 1));
  assert.equal(q.pending, 250);
  const r = await q.flush();
  assert.equal(r.uploaded, 250);
  assert.equal(r.batches, 3);
  assert.equal(r.pending, 0);
  // Three batches, in order, each the next run of the chain; bearer token sent.
  const ups = p.uploads();
  assert.deepEqual(ups.map((u) => [u.receipts[0].seq, u.receipts.length]), [[1, 100], [101, 100], [201, 50]]);
  for (const u of ups) {
    assert.equal(u.authorization, `Bearer ${appToken}`);
    assert.equal(u.status, 200);
    assert.equal(u.stored, String(u.receipts.length));
  }
  // The service holds exactly the chain enqueued.
  assert.deepEqual(await stored(inst), chain.receipts);
  // The checkpoint: the head, signed by the service.
  const cp = q.checkpoint;
  assert.equal(cp.installation, inst);
  assert.equal(cp.seq, 250);
  assert.equal(cp.head, chain.head.hash);
  assert.ok(await verifyCheckpoint(cp), 'the checkpoint verifies with the service key');
  assert.deepEqual(r.checkpoint, cp);
  // Persisted: a queue opened later has it; nothing left to send, no segment left.
  const again = await openQueue(options(inst, memoryStorage(map)));
  assert.deepEqual(again.checkpoint, cp);
  assert.equal(again.pending, 0);
  assert.deepEqual(segmentKeys(map, inst), []);
  assert.deepEqual(await again.flush(), { uploaded: 0, batches: 0, pending: 0, checkpoint: cp });
  // More receipts later extend the record and move the checkpoint on.
  await again.enqueue(chain.next(3));
  await again.flush();
  assert.equal(again.checkpoint.seq, 253);
  assert.deepEqual(seqs(await stored(inst)), range(1, 253));
});

test('one flush at a time; receipts enqueued while it runs go in the same flush', async (t) => {
  const inst = installation('concurrent');
  const chain = new Chain(inst);
  let q;
  let posts = 0;
  const p = await proxy((e) => {
    if (e.method === 'POST' && ++posts === 1) q.enqueue(chain.next(2)); // the user answers while the upload runs
    return undefined;
  });
  t.after(p.close);
  q = await openQueue(options(inst, memoryStorage(), { url: p.url }));
  await q.enqueue(chain.next(3));
  const a = q.flush();
  assert.equal(q.flush(), a, 'a flush asked for while one runs is that one');
  const r = await a;
  assert.equal(r.uploaded, 5);
  assert.deepEqual(p.uploads().map((u) => seqs(u.receipts)), [[1, 2, 3], [4, 5]]);
  assert.equal(q.pending, 0);
  assert.notEqual(q.flush(), a, 'a later flush is a new one');
});

test('killed before the upload: a new queue over the same storage uploads what was enqueued', async () => {
  const inst = installation('killed');
  const map = new Map();
  const chain = new Chain(inst);
  {
    const q = await openQueue(options(inst, memoryStorage(map), { segmentSize: 4096 }));
    await q.enqueue(chain.next(2));
    await q.enqueue(chain.next(1));
    await q.enqueue(chain.next(40)); // several segments of 4 KiB
    assert.ok(segmentKeys(map, inst).length > 3, 'the receipts span several segments');
    // The app is killed here: the queue object is gone, the storage stays.
  }
  const q = await openQueue(options(inst, memoryStorage(map)));
  assert.equal(q.pending, 43);
  assert.deepEqual(q.pendingReceipts(), chain.receipts);
  await q.flush();
  assert.deepEqual(await stored(inst), chain.receipts);
  assert.equal(q.checkpoint.seq, 43);
});

test('killed between the answer and its acknowledgement: the batch is sent again and gets the same checkpoint', async (t) => {
  const inst = installation('unacked');
  const p = await proxy();
  t.after(p.close);
  const map = new Map();
  const chain = new Chain(inst);
  const dying = memoryStorage(map);
  let killed = false;
  const storage = {
    get: dying.get,
    remove: dying.remove,
    // The app dies as the acknowledgement of the second batch is written.
    set: async (key, value) => {
      if (key.endsWith('/meta') && JSON.parse(value).checkpoint?.seq === 20) {
        killed = true;
        throw new Error('killed');
      }
      return dying.set(key, value);
    },
  };
  const q = await openQueue(options(inst, storage, { url: p.url, batchSize: 10 }));
  await q.enqueue(chain.next(25));
  await assert.rejects(q.flush(), /killed/);
  assert.ok(killed);
  assert.equal(q.checkpoint.seq, 10, 'the first batch was acknowledged');
  // The next start: seqs 11-20 are sent again; the service answers as the first time.
  const again = await openQueue(options(inst, memoryStorage(map), { url: p.url, batchSize: 10 }));
  assert.equal(again.pending, 15);
  await again.flush();
  const ups = p.uploads();
  assert.deepEqual(ups.map((u) => [u.receipts[0].seq, u.stored]), [[1, '10'], [11, '10'], [11, '0'], [21, '5']]);
  assert.equal(ups[2].answer, ups[1].answer, 'the re-sent batch is answered with the same checkpoint, byte for byte');
  assert.deepEqual(seqs(await stored(inst)), range(1, 25));
  assert.equal(again.checkpoint.seq, 25);
});

test('a lost answer: the batch is sent again and gets the same checkpoint', async (t) => {
  const inst = installation('lost');
  let posts = 0;
  const p = await proxy((e) => (e.method === 'POST' && ++posts === 1 ? 'lose' : undefined));
  t.after(p.close);
  const retries = [];
  const o = options(inst, memoryStorage(), { url: p.url, onRetry: (err, n, ms) => retries.push([err.code, n, ms]) });
  const q = await openQueue(o);
  const chain = new Chain(inst);
  await q.enqueue(chain.next(7));
  await q.flush();
  const ups = p.uploads();
  assert.equal(ups.length, 2);
  assert.ok(ups[0].lost, 'the first answer was lost');
  assert.equal(ups[0].stored, '7', 'the service had stored the batch');
  assert.equal(ups[1].stored, '0', 'the re-send stored nothing');
  assert.deepEqual(JSON.parse(ups[1].answer), JSON.parse(ups[0].answer));
  assert.deepEqual(q.checkpoint, JSON.parse(ups[0].answer).checkpoint, 'the checkpoint kept is the one the lost answer carried');
  assert.deepEqual(retries, [['network', 1, 750]]);
  assert.deepEqual(seqs(await stored(inst)), range(1, 7));
});

test('the service down, then up: retried with backoff; down for good: a retryable error, nothing lost', async () => {
  const inst = installation('down');
  const chain = new Chain(inst);
  const map = new Map();
  await service.stop();
  const port = service.port;
  const retries = [];
  const sleeps = [];
  const q = await openQueue(options(inst, memoryStorage(map), {
    url: `http://127.0.0.1:${port}`, retryDelay: 100, maxRetryDelay: 1000, retries: 6,
    onRetry: (err, n, ms) => retries.push([err.code, err.retryable, n, ms]),
    // The service comes back while the queue waits before its third retry.
    sleep: async (ms) => {
      sleeps.push(ms);
      if (sleeps.length === 3) service = await Service.start(port);
    },
  }));
  await q.enqueue(chain.next(5));
  const r = await q.flush();
  assert.equal(r.uploaded, 5);
  assert.deepEqual(retries, [['network', true, 1, 75], ['network', true, 2, 150], ['network', true, 3, 300]], 'exponential backoff');
  assert.deepEqual(seqs(await stored(inst)), range(1, 5));

  // Down for longer than the retries: flush fails, retryable, and the receipts wait.
  await service.stop();
  await q.enqueue(chain.next(2));
  const q2 = await openQueue(options(inst, memoryStorage(map), { url: `http://127.0.0.1:${port}`, retries: 2, retryDelay: 100 }));
  await assert.rejects(q2.flush(), (e) => e instanceof RecordsError && e.code === 'network' && e.retryable && !e.stopped && e.seq === 6);
  assert.equal(q2.pending, 2);
  assert.equal(q2.stopped, null);
  service = await Service.start(port);
  await q2.flush();
  assert.deepEqual(seqs(await stored(inst)), range(1, 7));
});

test('503 and 429 are retried, waiting as Retry-After asks; a 200 that is not the service is retried', async (t) => {
  const inst = installation('busy');
  const answers = [
    { status: 503, headers: { 'Retry-After': '3' }, body: '{"error":{"code":"internal","message":"busy"}}' },
    { status: 429, body: '' },
    { status: 200, headers: { 'Content-Type': 'text/html' }, body: '<html>Wi-Fi login</html>' },
  ];
  const p = await proxy((e) => (e.method === 'POST' ? answers.shift() : undefined));
  t.after(p.close);
  const retries = [];
  const o = options(inst, memoryStorage(), { url: p.url, retryDelay: 100, onRetry: (err, n, ms) => retries.push([err.code, err.status, ms]) });
  const q = await openQueue(o);
  await q.enqueue(new Chain(inst).next(3));
  await q.flush();
  assert.deepEqual(retries, [['internal', 503, 3000], ['http_429', 429, 150], ['bad_answer', 200, 300]]);
  assert.equal(q.checkpoint.seq, 3);
  // Every retry fails: the error of the last answer, retryable.
  const inst2 = installation('busy2');
  const p2 = await proxy(() => ({ status: 502, body: 'bad gateway' }));
  t.after(p2.close);
  const q2 = await openQueue(options(inst2, memoryStorage(), { url: p2.url, retries: 3 }));
  await q2.enqueue(new Chain(inst2).next(1));
  await assert.rejects(q2.flush(), (e) => e.code === 'http_502' && e.status === 502 && e.retryable && !e.stopped);
  assert.equal(p2.seen.length, 4, 'one try and three retries');
});

test('409 fork: reported with the service head, the queue stops until the host restores and resyncs', async (t) => {
  const inst = installation('fork');
  const a = new Chain(inst);
  const qa = await openQueue(options(inst, memoryStorage()));
  await qa.enqueue(a.next(5));
  await qa.flush();
  // Another copy of the app state (a backup restored, say) made other answers from seq 4 on.
  const b = new Chain(inst);
  b.receipts = a.receipts.slice(0, 3);
  b.edit = declined;
  const map = new Map();
  const p = await proxy();
  t.after(p.close);
  const qb = await openQueue(options(inst, memoryStorage(map), { url: p.url }));
  await qb.enqueue(b.receipts.slice());
  await qb.enqueue(b.next(4)); // seqs 4-7, declined
  const err = await qb.flush().catch((e) => e);
  assert.ok(err instanceof RecordsError);
  assert.equal(err.code, 'fork');
  assert.equal(err.status, 409);
  assert.ok(err.stopped);
  assert.equal(err.retryable, false);
  assert.deepEqual(err.head, a.head, "the error carries the service's head");
  assert.equal(err.seq, 4, 'the first receipt that differs from the record');
  assert.equal(p.uploads().length, 1);
  // Stopped, and it stays stopped across a restart: no upload is tried.
  await assert.rejects(qb.flush(), (e) => e === err);
  const qb2 = await openQueue(options(inst, memoryStorage(map), { url: p.url }));
  assert.equal(qb2.stopped.code, 'fork');
  assert.deepEqual(qb2.stopped.head, a.head);
  await assert.rejects(qb2.flush(), (e) => e.code === 'fork' && e.stopped);
  assert.equal(p.uploads().length, 1, 'a stopped queue sends nothing');
  // The host restores its state from the record (the engine's restore
  // event), then resyncs: the forked receipts are dropped, the head's checkpoint taken.
  const chain = await qb2.fetchChain();
  assert.deepEqual(chain.receipts, a.receipts);
  const r = await qb2.resync(chain);
  assert.deepEqual(seqs(r.dropped), range(1, 7));
  assert.equal(r.pending, 0);
  assert.equal(qb2.stopped, null);
  assert.equal(qb2.checkpoint.seq, 5);
  assert.equal(qb2.checkpoint.head, a.head.hash);
  assert.ok(await verifyCheckpoint(qb2.checkpoint));
  // The engine, restored, goes on from the service's head.
  const c = a.clone();
  await qb2.enqueue(c.next(2));
  await qb2.flush();
  assert.deepEqual(await stored(inst), c.receipts);
  // And the stop was persisted away too.
  assert.equal((await openQueue(options(inst, memoryStorage(map)))).stopped, null);
});

test('resync keeps the receipts made after the restore and drops the rest', async () => {
  const inst = installation('resync');
  const a = new Chain(inst);
  const qa = await openQueue(options(inst, memoryStorage()));
  await qa.enqueue(a.next(4));
  await qa.flush();
  const q = await openQueue(options(inst, memoryStorage()));
  // A stale copy made seq 3' and 4'; the host restored from the record and the engine made 5 and 6.
  const stale = new Chain(inst, { edit: declined });
  stale.receipts = a.receipts.slice(0, 2);
  await q.enqueue(stale.next(2));
  await assert.rejects(q.flush(), (e) => e.code === 'fork' && e.head.seq === 4);
  const after = a.clone();
  await q.enqueue(after.next(2));
  const chain = await q.fetchChain();
  const r = await q.resync(chain);
  assert.deepEqual(seqs(r.dropped), [3, 4]);
  assert.equal(r.pending, 2);
  await q.flush();
  assert.deepEqual(await stored(inst), after.receipts);
});

test('409 gap and replayed_head, with the head', async () => {
  // A gap: the first receipts were lost before they were enqueued.
  const inst = installation('gap');
  const chain = new Chain(inst);
  chain.next(2);
  const q = await openQueue(options(inst, memoryStorage()));
  await q.enqueue(chain.next(3));
  await assert.rejects(q.flush(), (e) => e.code === 'gap' && e.status === 409 && e.stopped && e.head.seq === 0 && e.head.hash === '' && e.seq === 3);
  // resync on the empty record: nothing can extend it, everything dropped.
  const r = await q.resync(await q.fetchChain());
  assert.equal(r.dropped.length, 3);
  assert.equal(q.checkpoint, null);

  // A replayed head: a batch that ends before the stored head and differs from it.
  const inst2 = installation('replayed');
  const a = new Chain(inst2);
  const qa = await openQueue(options(inst2, memoryStorage()));
  await qa.enqueue(a.next(10));
  await qa.flush();
  const old = new Chain(inst2, { edit: declined });
  old.receipts = a.receipts.slice(0, 4);
  const qb = await openQueue(options(inst2, memoryStorage()));
  await qb.enqueue(old.next(2)); // seqs 5-6, other answers
  await assert.rejects(qb.flush(), (e) => e.code === 'replayed_head' && e.head.seq === 10 && e.head.hash === a.head.hash && e.seq === 5);
});

test('401: reported at once, never retried; the queue goes on with the right token', async (t) => {
  const inst = installation('token');
  const p = await proxy();
  t.after(p.close);
  let token = 'not-the-app-token-at-all';
  const q = await openQueue(options(inst, memoryStorage(), { url: p.url, token: () => token }));
  await q.enqueue(new Chain(inst).next(2));
  const err = await q.flush().catch((e) => e);
  assert.equal(err.code, 'unauthorized');
  assert.equal(err.status, 401);
  assert.equal(err.field, 'Authorization');
  assert.equal(err.retryable, false);
  assert.equal(err.stopped, false);
  assert.equal(p.seen.length, 1, 'not retried');
  assert.equal(q.pending, 2);
  assert.equal(q.stopped, null);
  await assert.rejects(q.fetchChain(), (e) => e.code === 'unauthorized' && e.status === 401);
  token = appToken;
  await q.flush();
  assert.equal(q.checkpoint.seq, 2);
  assert.equal(p.seen.at(-1).authorization, `Bearer ${appToken}`);
});

test('400 bad_hash: a receipt changed after it was made stops the queue, naming it', async () => {
  const inst = installation('badhash');
  const chain = new Chain(inst);
  const list = chain.next(6);
  list[3] = { ...list[3], answer: 'declined' }; // edited, hash left as it was
  const q = await openQueue(options(inst, memoryStorage(), { retries: 5 }));
  await q.enqueue(list);
  const err = await q.flush().catch((e) => e);
  assert.equal(err.code, 'bad_hash');
  assert.equal(err.status, 400);
  assert.equal(err.field, 'receipts[3].hash');
  assert.equal(err.seq, 4);
  assert.ok(err.stopped);
  assert.deepEqual(await stored(inst), [], 'nothing of the batch stored');
  // After a 400 resync drops every pending receipt: none can be sent.
  const r = await q.resync(await q.fetchChain());
  assert.equal(r.dropped.length, 6);
  assert.equal(q.pending, 0);
});

test('413 from something on the way: the batch is halved down to what passes', async (t) => {
  const inst = installation('413');
  const p = await proxy((e) => (e.method === 'POST' && e.body.length > 6000 ? { status: 413, body: '<html>Request Entity Too Large</html>' } : undefined));
  t.after(p.close);
  const q = await openQueue(options(inst, memoryStorage(), { url: p.url, batchSize: 40 }));
  const chain = new Chain(inst);
  await q.enqueue(chain.next(40));
  await q.flush();
  const ok = p.uploads().filter((u) => u.status === 200);
  assert.ok(p.uploads().some((u) => u.status === 413));
  assert.ok(ok.every((u) => u.body.length <= 6000));
  assert.deepEqual(ok.flatMap((u) => seqs(u.receipts)), range(1, 40), 'every receipt once, in order');
  assert.deepEqual(await stored(inst), chain.receipts);
  // One receipt that does not pass: stopped, with the code of the answer.
  const inst2 = installation('413one');
  const p2 = await proxy(() => ({ status: 413, body: '' }));
  t.after(p2.close);
  const q2 = await openQueue(options(inst2, memoryStorage(), { url: p2.url }));
  await q2.enqueue(new Chain(inst2).next(3));
  await assert.rejects(q2.flush(), (e) => e.code === 'http_413' && e.status === 413 && e.stopped && e.seq === 1);
});

test('batches stay within batchSize and maxBatchBytes counted in UTF-8, and end where the chain breaks', async (t) => {
  const inst = installation('bytes');
  const p = await proxy();
  t.after(p.close);
  const q = await openQueue(options(inst, memoryStorage(), { url: p.url, batchSize: 1000, maxBatchBytes: 4096 }));
  const chain = new Chain(inst, { step: '申请贷款的人脸识别步骤'.repeat(4) });
  await q.enqueue(chain.next(30));
  await q.flush();
  const ups = p.uploads();
  assert.ok(ups.length > 3);
  for (const u of ups) assert.ok(Buffer.byteLength(u.body) <= 4096, `a batch of ${Buffer.byteLength(u.body)} bytes`);
  // The limits are full: each batch but the last would go over with one more receipt.
  for (const u of ups.slice(0, -1)) {
    const next = chain.receipts[u.receipts.at(-1).seq];
    assert.ok(Buffer.byteLength(u.body) + 1 + Buffer.byteLength(JSON.stringify(next)) > 4096);
  }
  assert.deepEqual(await stored(inst), chain.receipts);
  // The service's own limits are the ceiling.
  assert.throws(() => new ReceiptQueue(options(inst, memoryStorage(), { batchSize: MAX_BATCH + 1 })), /options\.batchSize must be an integer from 1 to 1000/);
  assert.throws(() => new ReceiptQueue(options(inst, memoryStorage(), { maxBatchBytes: MAX_BATCH_BYTES + 1 })), /options\.maxBatchBytes/);
  // A break in the chain (receipts of another history enqueued later) ends a batch there.
  const inst2 = installation('break');
  const q2 = await openQueue(options(inst2, memoryStorage(), { url: p.url }));
  const good = new Chain(inst2);
  await q2.enqueue(good.next(3));
  const other = new Chain(inst2, { edit: declined });
  other.receipts = good.receipts.slice(0, 1);
  await q2.enqueue(other.next(2)); // seqs 2-3 again, other answers
  await assert.rejects(q2.flush(), (e) => e.code === 'fork' && e.seq === 2 && e.head.seq === 3);
  assert.deepEqual(p.uploads().filter((u) => u.path.includes(inst2)).map((u) => seqs(u.receipts)), [[1, 2, 3], [2, 3]]);
});

test('enqueue refuses what is not a v2 receipt of this installation, naming the field; a repeated call queues nothing twice', async () => {
  const inst = installation('refuse');
  const map = new Map();
  const q = await openQueue(options(inst, memoryStorage(map)));
  const chain = new Chain(inst);
  const list = chain.next(3);
  const refused = async (receipts, field, message) => {
    const e = await q.enqueue(receipts).then(() => assert.fail('accepted'), (err) => err);
    assert.ok(e instanceof RecordsError, e);
    assert.equal(e.code, 'bad_receipt');
    assert.equal(e.field, field);
    assert.match(e.message, message);
  };
  await refused('nope', 'receipts', /must be an array/);
  await refused([{ ...list[0], v: 1 }], 'receipts[0].v', /format 2/);
  const anonymous = { ...list[0] };
  delete anonymous.installation;
  await refused([anonymous], 'receipts[0].installation', /request carries `installation`/);
  await refused([list[0], { ...list[1], installation: 'another' }], 'receipts[1].installation', /this queue uploads installation/);
  await refused([{ ...list[0], seq: 0 }], 'receipts[0].seq', /integer from 1/);
  await refused([{ ...list[0], hash: 'ABC' }], 'receipts[0].hash', /64 lower-case hex/);
  await refused([list[0], list[2]], 'receipts[1]', /does not follow/);
  await refused(['{"v":2'], 'receipts[0]', /not JSON/);
  await refused([null], 'receipts[0]', /not a receipt object but null/);
  assert.equal(q.pending, 0);
  assert.deepEqual([...map.keys()], [], 'nothing stored');
  // Receipts as JSON text are taken too; an empty call is nothing.
  assert.equal(await q.enqueue([]), 0);
  assert.equal(await q.enqueue(list.map((r) => JSON.stringify(r))), 3);
  // The same receipts again (a host that retried an enqueue): not queued twice.
  assert.equal(await q.enqueue(list), 3);
  assert.equal(await q.enqueue([...list, ...chain.next(1)]), 4);
  await q.flush();
  assert.equal(await q.enqueue(chain.receipts), 0, 'receipts up to the acknowledged head are not queued again');
  assert.deepEqual(await stored(inst), chain.receipts);
});

test('the options are checked, naming the option', async () => {
  const base = { url: service.url, token: appToken, installation: 'inst-1', storage: memoryStorage() };
  const bad = [
    [{ url: 'records.example.com' }, /options\.url must be the service's http\(s\) URL/],
    [{ token: '' }, /options\.token must be the app token/],
    [{ installation: 'has space' }, /options\.installation "has space" is not 1 to 64 characters/],
    [{ installation: 'x'.repeat(65) }, /options\.installation/],
    [{ storage: localStorage => localStorage }, /options\.storage must be a storage adapter/],
    [{ transport: 'fetch' }, /options\.transport must be a function/],
    [{ retries: -1 }, /options\.retries must be an integer from 0 to 100/],
    [{ segmentSize: 10 }, /options\.segmentSize/],
  ];
  for (const [o, re] of bad) assert.throws(() => new ReceiptQueue({ ...base, ...o }), re);
  await assert.rejects(openQueue(undefined), /options are required/);
  // What storage holds must be the queue's.
  const map = new Map([['jitconsent.records.inst-1/meta', '{"v":9}']]);
  await assert.rejects(openQueue({ ...base, storage: memoryStorage(map) }), (e) => e.code === 'bad_storage' && e.field === 'jitconsent.records.inst-1/meta');
  const map2 = new Map([['jitconsent.records.inst-1/0', '[{"v":2}]']]);
  await assert.rejects(openQueue({ ...base, storage: memoryStorage(map2) }), (e) => e.code === 'bad_storage' && /installation is missing/.test(e.message));
});

test('fetchChain reads every page of a long chain', async () => {
  const inst = installation('pages');
  const chain = new Chain(inst);
  const q = await openQueue(options(inst, memoryStorage(), { batchSize: 1000 }));
  await q.enqueue(chain.next(10500));
  const r = await q.flush();
  assert.equal(r.batches, 11);
  const got = await q.fetchChain();
  assert.equal(got.receipts.length, 10500, 'more than the 10,000 of one answer');
  assert.deepEqual(got.receipts.at(-1), chain.receipts.at(-1));
  assert.deepEqual(seqs(got.receipts), range(1, 10500));
});

// ---------------------------------------------------------------- mini-programs

for (const [name, make] of [
  ['wx.request', (fetchFn) => {
    const wx = fakeWxRequest(fetchFn);
    return { api: wx, transport: wxTransport(wx) };
  }],
  ['my.request (HTTP errors to fail)', (fetchFn) => {
    const my = fakeMyRequest(fetchFn, { httpErrorsFail: true });
    return { api: my, transport: myTransport(my) };
  }],
  ['my.request (HTTP errors to success)', (fetchFn) => {
    const my = fakeMyRequest(fetchFn, { httpErrorsFail: false });
    return { api: my, transport: myTransport(my) };
  }],
]) {
  test(`${name}: uploads, 401, 409 with the head, a lost answer, fetchChain and resync through the real service`, async (t) => {
    const inst = installation(name.slice(0, 2));
    let lose = 1;
    const p = await proxy((e) => (e.method === 'POST' && e.authorization === `Bearer ${appToken}` && lose-- > 0 ? 'lose' : undefined));
    t.after(p.close);
    const { api, transport } = make(fetch);
    let token = 'a-wrong-token-of-some-length';
    const map = new Map();
    const q = await openQueue(options(inst, memoryStorage(map), { url: p.url, transport, token: () => token, batchSize: 4 }));
    const chain = new Chain(inst);
    await q.enqueue(chain.next(10));
    await assert.rejects(q.flush(), (e) => e.code === 'unauthorized' && e.status === 401 && !e.retryable);
    token = appToken;
    const r = await q.flush();
    assert.equal(r.uploaded, 10);
    assert.deepEqual(await stored(inst), chain.receipts);
    assert.ok(p.uploads()[1].lost, 'the first answer with the right token was lost, and the batch re-sent');
    assert.ok(await verifyCheckpoint(q.checkpoint));
    // The platform's own shape went out: header for WeChat, headers for Alipay, the body as a string.
    const call = api.calls.filter((c) => c.method === 'POST').at(-1);
    const hdr = name.startsWith('wx') ? call.header : call.headers;
    assert.equal(hdr.Authorization, `Bearer ${appToken}`);
    assert.equal(hdr['Content-Type'], 'application/json');
    assert.equal(typeof call.data, 'string');
    assert.equal(call.dataType, 'text');
    // A fork: 409 with the head, stopped; restored, resynced, going on.
    const other = new Chain(inst, { edit: declined });
    other.receipts = chain.receipts.slice(0, 8);
    const q2 = await openQueue(options(inst, memoryStorage(), { url: p.url, transport }));
    await q2.enqueue(other.next(3));
    await assert.rejects(q2.flush(), (e) => e.code === 'fork' && e.status === 409 && e.stopped && e.head.seq === 10 && e.head.hash === chain.head.hash);
    const fetched = await q2.fetchChain();
    assert.deepEqual(fetched.receipts, chain.receipts);
    await q2.resync(fetched);
    assert.equal(q2.checkpoint.seq, 10);
    await q2.enqueue(chain.next(1));
    await q2.flush();
    assert.equal(q2.checkpoint.seq, 11);
    // No network: retried, then a retryable error.
    const q3 = await openQueue(options(installation('off'), memoryStorage(), { url: 'http://127.0.0.1:1', transport, retries: 1 }));
    await q3.enqueue(new Chain(q3.installation).next(1));
    await assert.rejects(q3.flush(), (e) => e.code === 'network' && e.retryable && /request/.test(e.message));
  });
}

test('a queue over each storage adapter and its stand-in survives a restart, within Alipay\'s 200 KiB a key', async () => {
  const adapters = [
    ['localStorage', () => {
      const ls = new FakeLocalStorage();
      return () => webStorage(ls);
    }],
    ['wx storage', () => {
      const map = new Map();
      return () => wxStorage(fakeWxStorage(map));
    }],
    ['wx storage, Sync', () => {
      const map = new Map();
      return () => wxStorage(fakeWxStorage(map), { sync: true });
    }],
    ['my storage', () => {
      const map = new Map();
      return () => myStorage(fakeMyStorage(map));
    }],
    ['my storage, Sync', () => {
      const map = new Map();
      return () => myStorage(fakeMyStorage(map), { sync: true });
    }],
  ];
  for (const [name, make] of adapters) {
    const inst = installation(name.replace(/[^a-z]/g, ''));
    const storage = make(); // a new adapter over the same platform storage: a restart
    const chain = new Chain(inst);
    const q = await openQueue(options(inst, storage()));
    for (let i = 0; i < 6; i++) await q.enqueue(chain.next(100)); // some 450 KB in all
    const q2 = await openQueue(options(inst, storage()));
    assert.equal(q2.pending, 600, name);
    await q2.flush();
    const q3 = await openQueue(options(inst, storage()));
    assert.equal(q3.pending, 0, name);
    assert.equal(q3.checkpoint.seq, 600, name);
    assert.deepEqual(await stored(inst), chain.receipts, name);
  }
});

test('a full storage: enqueue rejects with the platform\'s error, and what was persisted stays queued', async () => {
  const inst = installation('full');
  const ls = new FakeLocalStorage({ quota: 40000 });
  const q = await openQueue(options(inst, webStorage(ls), { segmentSize: 8192 }));
  const chain = new Chain(inst);
  const list = chain.next(80);
  const err = await q.enqueue(list).catch((e) => e);
  assert.equal(err.name, 'QuotaExceededError');
  const kept = q.pending;
  assert.ok(kept > 0 && kept < 80, `${kept} receipts persisted before the storage was full`);
  const again = await openQueue(options(inst, webStorage(ls)));
  assert.equal(again.pending, kept, 'what was persisted is there after a restart');
  await again.flush(); // uploading frees the storage
  assert.equal(await again.enqueue(list), 80 - kept, 'the same call again queues only the rest');
  await again.flush();
  assert.deepEqual(await stored(inst), chain.receipts);
});

test('fetchTransport: a timeout is no answer, and retried', async (t) => {
  const server = createServer(() => {}); // never answers
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const inst = installation('timeout');
  const retries = [];
  const q = await openQueue(options(inst, memoryStorage(), {
    url: `http://127.0.0.1:${server.address().port}`, transport: fetchTransport(fetch), timeout: 200, retries: 1,
    onRetry: (e) => retries.push(e.code),
  }));
  await q.enqueue(new Chain(inst).next(1));
  await assert.rejects(q.flush(), (e) => e.code === 'network' && /abort/i.test(e.message));
  assert.deepEqual(retries, ['network']);
});
