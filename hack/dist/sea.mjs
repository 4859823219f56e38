// Single-executable step of `npm run dist`: writes the SEA blob (the main script, the
// multi-call script and the client-node assets, and the multi-call script's V8 code cache when
// the platform's runtime is the Node.js that writes the blob), copies the platform's Node.js binary, strips its symbol table (ELF), injects the blob with
// postject and, for macOS, signs the result ad hoc with rcodesign.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runtimeBinary } from './runtimes.mjs';

const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Runs a tool, showing its output only when it fails (postject's LIEF is chatty). */
function quiet(file, args) {
  try {
    execFileSync(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    process.stderr.write(String(err.stdout ?? '') + String(err.stderr ?? ''));
    throw new Error(`${file} ${args.join(' ')} failed`);
  }
}

/**
 * Builds `<workdir>/switchyard[.exe]` for `platform` from the bundled scripts.
 * Returns { file, codeCache, signed } where signed is 'ad-hoc', 'unsigned' or 'n/a'.
 */
export function buildSea({ platform, seaMain, script, clientNode, workdir, rcodesign }) {
  // A code cache is accepted only by the V8 that wrote it (same version and flags), so the
  // blob carries one when the platform's runtime is the blob writer itself: the build
  // machine's own platform. The others compile switchyard.cjs at start.
  const codeCache = platform.runtime === platform.blobWriter && process.env.SWITCHYARD_SEA_CODE_CACHE !== '0';
  const assets = { 'switchyard.cjs': resolve(script), 'client-node.cjs': resolve(clientNode) };
  if (codeCache) {
    const cache = join(workdir, 'switchyard.cache');
    // Runs `warmUp` (a render, each plugin's --help) and saves the cache with those functions compiled.
    quiet(runtimeBinary(platform.blobWriter), [resolve('hack/build/code-cache.mjs'), resolve(script), cache]);
    assets['switchyard.cache'] = resolve(cache);
  }
  const blob = join(workdir, 'sea.blob');
  const config = join(workdir, 'sea-config.json');
  writeFileSync(config, JSON.stringify({
    main: resolve(seaMain),
    output: resolve(blob),
    disableExperimentalSEAWarning: true,
    assets,
  }, null, 2));
  quiet(runtimeBinary(platform.blobWriter), ['--experimental-sea-config', config]);

  const file = join(workdir, `switchyard${platform.exe}`);
  copyFileSync(runtimeBinary(platform.runtime), file);
  chmodSync(file, 0o755);
  // The npm packages' ELF binaries carry a full symbol table (about 18 MB) nothing at run time reads.
  if (platform.format === 'elf') quiet('llvm-strip', [file]);
  const postject = resolve('node_modules/postject/dist/cli.js');
  quiet(process.execPath, [postject, file, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE,
    ...(platform.format === 'macho' ? ['--macho-segment-name', 'NODE_SEA'] : [])]);

  let signed = 'n/a';
  if (platform.format === 'macho') {
    // Injection invalidates the runtime's signature; arm64 macOS runs only signed code.
    if (rcodesign !== undefined && existsSync(rcodesign)) {
      quiet(rcodesign, ['sign', file]);
      signed = 'ad-hoc';
    } else {
      signed = 'unsigned';
    }
  }
  return { file, codeCache, signed };
}
