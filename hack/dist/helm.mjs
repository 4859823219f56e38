// Helm plugin step of `npm run dist`: the Helm 4 `postrenderer/v1` plugin `switchyard`
// with one platform's standalone binary inside, as `helm/<os>-<arch>/switchyard-<version>.tgz`
// (Helm 4 wants the archive named <plugin>-<version>.tgz). Helm runs `switchyard postrender`;
// Helm 3 users run the same binary with `--post-renderer` (docs/install.md).
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeArchive } from './archive.mjs';

/** plugin.yaml of the packaged plugin: exactly one platform, the binary beside the file. */
export function pluginYaml({ platform, version }) {
  return [
    'apiVersion: v1',
    'type: postrenderer/v1',
    'name: switchyard',
    `version: ${version}`,
    'runtime: subprocess',
    'runtimeConfig:',
    '  platformCommand:',
    `    - os: ${platform.os}`,
    `      arch: ${platform.arch}`,
    `      command: \${HELM_PLUGIN_DIR}/switchyard${platform.exe}`,
    '      args: [postrender]',
    '',
  ].join('\n');
}

/** Writes the plugin archive for one platform; returns { file, sha256 }. */
export function writeHelmPlugin({ platform, binary, out, version, epoch }) {
  const dir = join(out, 'switchyard');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'plugin.yaml'), pluginYaml({ platform, version }));
  copyFileSync(binary, join(dir, `switchyard${platform.exe}`));
  copyFileSync('LICENSE', join(dir, 'LICENSE'));
  // Helm 4 unpacks the archive and reads switchyard/plugin.yaml: one top directory named after the plugin.
  const files = ['plugin.yaml', `switchyard${platform.exe}`, 'LICENSE'].map((f) => `switchyard/${f}`);
  const archive = writeArchive({ dir: out, files, out: join(out, `switchyard-${version}.tgz`), kind: 'tar.gz', epoch });
  rmSync(dir, { recursive: true, force: true });
  return archive;
}
