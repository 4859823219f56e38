// Quick throughput check of the manifest layer on the rendered-chart corpus (not a test):
//   npm exec -- node pkg/manifest/measure.ts [rounds]
import { readdirSync, readFileSync } from 'node:fs';
import { Parser } from 'yaml';
import { headOfDocument, parseBody } from './parse.ts';
import { scanHead } from './scan.ts';
import { splitRaw } from './split.ts';
import { splitStream } from './stream.ts';
import { decodeInput } from './text.ts';
import { resolveLimits } from './types.ts';

const dir = new URL('../../../shared/corpus/charts/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const text = files.map((f) => readFileSync(new URL(f, dir), 'utf8')).join('');
const bytes = Buffer.from(text);
const mb = bytes.byteLength / 1e6;
const limits = resolveLimits();
const rounds = Number(process.argv[2] ?? 7);

function time(name: string, fn: () => unknown): void {
  fn();
  const ms: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    fn();
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)]!;
  process.stdout.write(`${name.padEnd(52)} ${median.toFixed(1).padStart(8)} ms ${(mb / (median / 1000)).toFixed(1).padStart(8)} MB/s\n`);
}

const raws = splitRaw(text);
const complex = raws.filter((r) => scanHead(r.body) === 'complex');
process.stdout.write(
  `corpus: ${files.length} files, ${mb.toFixed(2)} MB, ${raws.length} documents; ` +
    `${complex.length} documents (${(complex.reduce((n, r) => n + r.body.length, 0) / 1e3).toFixed(1)} kB) need the parser\n`,
);
time('decode bytes + control-character check', () => decodeInput(bytes, limits));
time('split only (splitRaw)', () => splitRaw(text));
time('split + line scanner (no fallback)', () => splitRaw(text).map((r) => scanHead(r.body)));
time('splitStream(bytes): split + validate (chosen)', () => splitStream(bytes));
time('splitStream(string)', () => splitStream(text));
time('split + yaml CST Parser per document (no checks)', () => {
  for (const r of splitRaw(text)) for (const _ of new Parser().parse(r.body));
});
time('split + full parseDocument of every document', () => {
  for (const r of splitRaw(text)) headOfDocument(parseBody(r.body, { docIndex: r.index, source: r.source, line: r.line }, 100));
});
