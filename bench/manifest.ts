// npm run bench:manifest [-- --rounds 7]
//
// In-process throughput of the manifest layer (pkg/manifest) on the rendered-chart corpus,
// stage by stage. Moved here from pkg/manifest/measure.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Parser } from 'yaml';
import { headOfDocument, parseBody } from '../pkg/manifest/parse.ts';
import { scanHead } from '../pkg/manifest/scan.ts';
import { splitRaw } from '../pkg/manifest/split.ts';
import { splitStream } from '../pkg/manifest/stream.ts';
import { decodeInput } from '../pkg/manifest/text.ts';
import { resolveLimits } from '../pkg/manifest/types.ts';
import { paths } from './lib/proc.ts';
import { header, progress, section, table } from './lib/report.ts';
import { mb, mbPerSecond, ms, summarize } from './lib/stats.ts';

const { values: flags } = parseArgs({ options: { rounds: { type: 'string', default: '7' } } });
const ROUNDS = Math.min(30, Math.max(1, Number(flags.rounds)));

const files = readdirSync(paths.corpus).filter((f) => f.endsWith('.yaml')).sort();
const text = files.map((f) => readFileSync(join(paths.corpus, f), 'utf8')).join('');
const bytes = Buffer.from(text);
const limits = resolveLimits();

/** Runs `fn` once to warm up, then `ROUNDS` times; returns a table row. */
function time(name: string, fn: () => unknown): string[] {
  progress(name);
  fn();
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  const s = summarize(times);
  return [name, ms(s.median), ms(s.min), ms(s.max), mbPerSecond(bytes.byteLength, s.median)];
}

header('bench:manifest — throughput of the manifest layer, in process', [
  `Each stage of pkg/manifest over the whole corpus (${files.length} files, ${mb(bytes.byteLength)}, concatenated as is), one warm-up`,
  `then ${ROUNDS} rounds; median. No target of its own: the post-renderer must exceed 10 MB/s end to end (bench:render),`,
  'so the stages it runs on every document must be well above that.',
]);
const raws = splitRaw(text);
const complex = raws.filter((r) => scanHead(r.readBody()) === 'complex');
const rows = [
  time('decode bytes + control-character check', () => decodeInput(bytes, limits)),
  time('split only (splitRaw)', () => splitRaw(text)),
  time('split + line scanner (no fallback)', () => splitRaw(text).map((r) => scanHead(r.readBody()))),
  time('splitStream(bytes): split + validate (chosen)', () => splitStream(bytes)),
  time('splitStream(string)', () => splitStream(text)),
  time('split + yaml CST Parser per document (no checks)', () => {
    for (const r of splitRaw(text)) for (const _ of new Parser().parse(r.readBody()));
  }),
  time('split + full parseDocument of every document', () => {
    for (const r of splitRaw(text)) headOfDocument(parseBody(r.readBody(), { docIndex: r.index, source: r.source, line: r.line }, 100));
  }),
];
section(`${raws.length} documents; ${complex.length} (${(complex.reduce((n, r) => n + r.readBody().length, 0) / 1e3).toFixed(1)} kB) need the full parser`,
  table(['stage', 'median', 'min', 'max', 'MB/s'], rows));
