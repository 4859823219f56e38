// Single-executable step of `npm run dist`: writes the SEA blob (main script, the
// client-node asset, and a V8 start-up snapshot when the target is the build machine's own
// platform),
// copies the platform's Node.js binary, strips its symbol table (ELF), injects the blob with
// postject and, for macOS, signs the result ad hoc with rcodesign.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HOST, runtimeBinary } from './runtimes.mjs';

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
 * Returns { file, snapshot, signed } where signed is 'ad-hoc', 'unsigned' or 'n/a'.
 */
export function buildSea({ platform, main, clientNode, workdir, rcodesign }) {
  const id = `${platform.os}-${platform.arch}`;
  // A snapshot is V8's heap for one runtime binary, so only the build machine's own platform
  // (whose runtime writes the blob) gets one; the others evaluate their modules at start.
  const snapshot = id === HOST && process.env.SWITCHYARD_SEA_SNAPSHOT !== '0';
  const blob = join(workdir, 'sea.blob');
  const config = join(workdir, 'sea-config.json');
  writeFileSync(config, JSON.stringify({
    main: resolve(main),
    output: resolve(blob),
    disableExperimentalSEAWarning: true,
    // The blob writer runs main.cjs in snapshot-building mode (cmd/switchyard/main.ts): the
    // binary starts from the heap with every module evaluated (about half of `status`'s start-up).
    useSnapshot: snapshot,
    assets: { 'client-node.cjs': resolve(clientNode) },
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
  return { file, snapshot, signed };
}
