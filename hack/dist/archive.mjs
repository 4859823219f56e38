// Archive step of `npm run dist`: one .tar.gz (Windows: .zip) per platform with regular
// files only (krew refuses symlinks in a tar), the executable bit set inside the archive,
// fixed owners and timestamps, and a `<archive>.sha256` beside it in sha256sum's format.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

/** Writes `<out>` from `files` (names inside `dir`); returns { file, sha256 }. */
export function writeArchive({ dir, files, out, kind, epoch }) {
  rmSync(out, { force: true });
  for (const f of files) utimesSync(join(dir, f), epoch, epoch);
  if (kind === 'zip') {
    execFileSync('zip', ['-q', '-X', '-6', resolve(out), ...files], { cwd: dir });
  } else {
    const tar = execFileSync('tar', ['--create', '--format=ustar', '--sort=name', '--owner=0', '--group=0', '--numeric-owner',
      `--mtime=@${epoch}`, '-C', dir, ...files], { maxBuffer: 1 << 30 });
    writeFileSync(out, execFileSync('gzip', ['-n', '-6'], { input: tar, maxBuffer: 1 << 30 }));
  }
  const sha256 = createHash('sha256').update(readFileSync(out)).digest('hex');
  writeFileSync(`${out}.sha256`, `${sha256}  ${basename(out)}\n`);
  return { file: out, sha256 };
}
