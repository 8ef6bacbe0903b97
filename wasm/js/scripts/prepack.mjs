// prepack.mjs: puts the module into a package folder before npm packs it:
// consent.wasm (a copy of make wasm's dist/consent.wasm), consent.wasm.br
// (the same, Brotli-compressed, for Consent.loadWX) and first-launch.json
// (make wasm's dist/first-launch.json, the popup shown before the module is
// ready), and refuses a module whose build version (consent_info's
// "module") is not the package's version, and a first-launch.json of
// another bundle than the module's. npm runs it as the prepack script of wasm/js (npm pack there);
// pack.mjs (make npm-pack) calls prepare() on the folder it stages.
//
//   node scripts/prepack.mjs            in wasm/js; the module is $CONSENT_WASM,
//                                       else ../../dist/consent.wasm, and the first
//                                       launch $CONSENT_FIRST_LAUNCH, else
//                                       ../../dist/first-launch.json
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { Consent } from '../consent.mjs';

/** The module make wasm builds, seen from this script. */
export const defaultWasm = fileURLToPath(new URL('../../../dist/consent.wasm', import.meta.url));

/** The precomputed first launch make wasm writes beside it (promptc first-launch). */
export const defaultFirstLaunch = fileURLToPath(new URL('../../../dist/first-launch.json', import.meta.url));

/** Brotli as brotli -q 11 gives it (quality 11, a 16 MiB window). */
export function brotli(bytes) {
  return brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
}

/**
 * Writes consent.wasm and consent.wasm.br into dir from the module at wasm,
 * and first-launch.json from firstLaunch, after checking that the module's
 * build version is dir's package.json version and that firstLaunch was
 * computed from the bundle the module embeds. Returns {version, info, raw,
 * br} (sizes in bytes).
 */
export async function prepare(dir, wasm = defaultWasm, firstLaunch = defaultFirstLaunch) {
  if (!existsSync(wasm)) {
    throw new Error(`prepack: no module at ${wasm}: build it with make wasm (or make npm-pack, which also sets the version)`);
  }
  if (!existsSync(firstLaunch)) {
    throw new Error(`prepack: no first-launch file at ${firstLaunch}: make wasm writes it beside the module (promptc first-launch)`);
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const bytes = readFileSync(wasm);
  const engine = await Consent.load(bytes, { stdout: () => {}, stderr: () => {} });
  const info = engine.info();
  if (info.module !== pkg.version) {
    throw new Error(
      `prepack: ${wasm} is build ${JSON.stringify(info.module)}, the package is version ${JSON.stringify(pkg.version)}: ` +
        'a package ships the module of its own version. make npm-pack packs the module of this tree with its version ' +
        '(wasm/js/README.md, "Releases"); a -test or -faulty module is never shipped.',
    );
  }
  const launchBytes = readFileSync(firstLaunch);
  let launch;
  try {
    launch = JSON.parse(launchBytes.toString('utf8'));
  } catch (e) {
    throw new Error(`prepack: ${firstLaunch}: not JSON: ${e.message}`);
  }
  if (!launch || launch.bundle !== info.hash || !launch.policy || launch.policy.version !== info.policy.version) {
    throw new Error(
      `prepack: ${firstLaunch} is the first launch of bundle ${launch && launch.bundle}, the module embeds ${info.hash}: ` +
        'a stale file would show another popup than the module; make wasm writes both from one bundle.',
    );
  }
  const br = brotli(bytes);
  if (Buffer.compare(brotliDecompressSync(br), bytes) !== 0) throw new Error('prepack: consent.wasm.br does not decompress to consent.wasm');
  writeFileSync(join(dir, 'consent.wasm'), bytes);
  writeFileSync(join(dir, 'consent.wasm.br'), br);
  writeFileSync(join(dir, 'first-launch.json'), launchBytes);
  return { version: pkg.version, info, raw: bytes.length, br: br.length };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const r = await prepare(process.cwd(), process.env.CONSENT_WASM || defaultWasm, process.env.CONSENT_FIRST_LAUNCH || defaultFirstLaunch);
    console.error(`prepack: consent.wasm ${r.raw} bytes, consent.wasm.br ${r.br} bytes, build ${r.version}`);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
