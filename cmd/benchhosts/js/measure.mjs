// The measurement bench-hosts makes in a JavaScript host (Chromium's page,
// Node's process), the same for the module and the floor reactor: from t0,
// compile, start (instantiate and _initialize), the first decision (a fresh
// install's launch, host copies included), then a steady decision (the
// representative request, after a warm-up). Times in milliseconds, steady
// in microseconds per decision.

const enc = new TextEncoder();
const dec = new TextDecoder();

// decider calls consent_decide as a host does: one request buffer from
// consent_alloc, reused and grown, the request copied in and the answer
// copied out and decoded.
function decider(instance) {
  const x = instance.exports;
  let buf = 0;
  let size = 0;
  return (json) => {
    const bytes = enc.encode(json);
    if (bytes.length > size) {
      size = Math.max(4096, bytes.length * 2);
      buf = x.consent_alloc(size);
      if (!buf) throw new Error(`consent_alloc(${size}) returned 0`);
    }
    new Uint8Array(x.memory.buffer, buf, bytes.length).set(bytes);
    const v = BigInt.asUintN(64, BigInt(x.consent_decide(buf, bytes.length)));
    return dec.decode(new Uint8Array(x.memory.buffer, Number(v >> 32n), Number(v & 0xffffffffn)));
  };
}

/**
 * @param {object} o
 * @param {number} o.t0 performance.now() when the host began
 * @param {() => Promise<WebAssembly.Module>} o.compile
 * @param {(m: WebAssembly.Module) => Promise<WebAssembly.Instance>} o.start instantiates and initialises
 * @param {{launch: string, steady: string}} o.requests
 * @param {number} o.steadyMs how long to measure the steady decision (as long again to warm up)
 * @param {(answer: string) => void} [o.onFirst] receives the first decision's whole answer
 */
export async function measure({ t0, compile, start, requests, steadyMs, onFirst }) {
  const module = await compile();
  const t1 = performance.now();
  const instance = await start(module);
  const t2 = performance.now();
  const decide = decider(instance);
  const first = decide(requests.launch);
  const t3 = performance.now();
  if (onFirst) onFirst(first);
  let answer = '';
  for (let w = performance.now(); performance.now() - w < steadyMs;) answer = decide(requests.steady);
  let n = 0;
  const s0 = performance.now();
  let s1 = s0;
  do {
    decide(requests.steady);
    n++;
  } while ((s1 = performance.now()) - s0 < steadyMs);
  return {
    compile: t1 - t0,
    start: t2 - t1,
    first: t3 - t2,
    total: t3 - t0,
    steady: ((s1 - s0) / n) * 1000,
    decisions: n,
    first_answer: first.slice(0, 300),
    steady_answer: answer.slice(0, 300),
  };
}
