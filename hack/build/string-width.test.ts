// The string-width front (hack/build/string-width.mjs) must measure every string as the real
// string-width does: bundled with the plugin, the front's answers are compared with the
// real package's for ASCII, coloured, wide, emoji and control text, through an ES import
// (yargs, cliui, wrap-ansi) and a CommonJS require (cli-table3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
// @ts-expect-error -- a plain .mjs build script without types
import { lazyStringWidth } from './string-width.mjs';

type Width = (s: string, o?: object) => number;

/** The importers whose string-width the bundles use, each resolving its own version (4 for cli-table3, 7 for cliui, 8 for yargs). */
const IMPORTERS = ['cli-table3', 'cliui', 'yargs'].map((pkg) => ({ pkg, dir: dirname(fileURLToPath(import.meta.resolve(pkg))) }));

const SAMPLES = [
  '', 'web', 'VERSION       ROLE     WEIGHT', '  --namespace, -n  the namespace  [string]',
  '\u001b[32mHealthy\u001b[39m', '\u001b[1m\u001b[36m50%\u001b[39m\u001b[22m', '\u001b]8;;https://x\u0007link\u001b]8;;\u0007',
  '日本語', 'ｶﾀｶﾅ', 'café', 'e\u0301', '👍', '👨‍👩‍👧', '1️⃣', 'a\tb', 'line\nnext', '\u0000\u0007', '\u200b',
];

async function bundled(format: 'esm' | 'cjs', resolveDir: string): Promise<Width> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-string-width-'));
  try {
    const entry = format === 'esm'
      ? "import w from 'string-width'; export default w;"
      : "module.exports = require('string-width');";
    const out = join(dir, format === 'esm' ? 'front.mjs' : 'front.cjs');
    await build({ stdin: { contents: entry, resolveDir, loader: 'js' }, bundle: true, platform: 'node', format, outfile: out, plugins: [lazyStringWidth], logLevel: 'silent' });
    writeFileSync(join(dir, 'package.json'), '{}');
    const mod = await import(pathToFileURL(out).href);
    return mod.default;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const { pkg, dir } of IMPORTERS) {
  const realFile = createRequire(join(dir, 'index.js')).resolve('string-width');
  const { version } = JSON.parse(readFileSync(join(dirname(realFile), 'package.json'), 'utf8')) as { version: string };
  for (const format of ['esm', 'cjs'] as const) {
    test(`the ${format} string-width front measures as ${pkg}'s string-width ${version} does`, async () => {
      const real = (await import(pathToFileURL(realFile).href)).default as Width;
      const width = await bundled(format, dir);
      assert.equal(typeof width, 'function');
      for (const s of SAMPLES) {
        assert.equal(width(s), real(s), JSON.stringify(s));
        assert.equal(width(s, { countAnsiEscapeCodes: true }), real(s, { countAnsiEscapeCodes: true }), `${JSON.stringify(s)} counting escapes`);
        assert.equal(width(s, { ambiguousIsNarrow: false }), real(s, { ambiguousIsNarrow: false }), `${JSON.stringify(s)} ambiguous wide`);
      }
    });
  }
}
