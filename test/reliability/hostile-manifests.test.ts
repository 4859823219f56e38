// Hostile manifests (issue 14), offline: a fixed-budget, seeded random fuzz of the stream
// splitter and of the post-renderer's transform over generated variants of a chart's
// output: odd and long names, unicode, long values, anchors and aliases, block scalars,
// many documents. Budget: SWITCHYARD_FUZZ_ITERATIONS (default 2000 streams and 200
// charts); seed: SWITCHYARD_FUZZ_SEED (default 14), printed so a failure can be replayed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { ManifestError } from '../../pkg/manifest/index.ts';
import { splitRaw } from '../../pkg/manifest/split.ts';
import { render } from '../../pkg/render/index.ts';
import { RenderError } from '../../pkg/render/errors.ts';
import { repoRoot } from '../e2e/harness.ts';

const ITERATIONS = Number(process.env.SWITCHYARD_FUZZ_ITERATIONS ?? 2000);
const SEED = Number(process.env.SWITCHYARD_FUZZ_SEED ?? 14);

/** mulberry32: a small seeded PRNG, so every run explores the same inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const FRAGMENTS = ['---', '--- ', '---\t', '--- # c', '--- a: b', '...', '\n', '\r\n', '\n\n', '# Source: x/y.yaml', '#', ' ', '\t', 'a: 1', 'kind: ConfigMap',
  '"q"', "'s'", '|', '>-', '&anchor', '*anchor', '\uFEFF', 'é', '漢字', '\u0000', '🚀', '\\', '---x', '\n---', '- item', '{', '}', '[', ']'];

test('the stream splitter cuts any input into documents that add up to it byte for byte, or refuses it with a ManifestError', (t) => {
  const r = prng(SEED);
  let refused = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const text = Array.from({ length: Math.floor(r() * 40) }, () => pick(r, FRAGMENTS)).join(pick(r, ['', '\n', ' ']));
    try {
      const docs = splitRaw(text);
      assert.equal(docs.map((d) => d.prefix + d.readBody()).join(''), text, `iteration ${i} (seed ${SEED}): ${JSON.stringify(text)}`);
    } catch (err) {
      if (!(err instanceof ManifestError)) throw new Error(`iteration ${i} (seed ${SEED}) threw ${String(err)} on ${JSON.stringify(text)}`, { cause: err });
      refused++;
    }
  }
  t.diagnostic(`${ITERATIONS} streams (seed ${SEED}), ${refused} refused with a ManifestError`);
});

const CHART = readFileSync(join(repoRoot, 'testdata', 'render', 'gateway.yaml'), 'utf8');
const ODD_VALUES = ['"ünïcödé ✓"', '"' + 'x'.repeat(5000) + '"', '|\n    line one\n    line two', '>-\n    folded\n    text', '"a: b # not a comment"', "'it''s'", '"\\u00e9\\t"', '""', '"---"', '"*notalias"'];
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** The chart with hostile but valid changes: odd values, anchors, long names, extra untouched documents. */
function variant(r: () => number): { text: string; untouched: string[] } {
  let text = CHART;
  if (r() < 0.5) text = text.replace('greeting: "hello from 1.0.0"', `greeting: ${pick(r, ODD_VALUES)}`);
  if (r() < 0.3) text = text.replace(/helm.sh\/chart: web-0.1.0/g, `helm.sh/chart: ${pick(r, ['web-0.1.0', '"web-0.1.0"', 'web-0.1.0 # trailing'])}`);
  if (r() < 0.3) {
    const name = pick(r, ['w', 'web.v2', 'a'.repeat(50), 'web-' + 'x'.repeat(40), 'x1']);
    text = text.replace(/\bweb\b(?!-config|\/| from|\.example)/g, name);
  }
  if (r() < 0.3) text = text.replace('  greeting: "hello from 1.0.0"', '  greeting: &g "hello from 1.0.0"\n  again: *g\n  block: |\n    kept\n      as is');
  if (r() < 0.3) {
    // An anchor in the Deployment's metadata, aliased in its pod template (one document).
    const at = text.indexOf('kind: Deployment');
    const head = text.slice(0, at);
    const tail = text.slice(at).replace(/app.kubernetes.io\/name: (\S+)\n/, 'app.kubernetes.io/name: &n $1\n').replace(/(template:[\s\S]*?)app.kubernetes.io\/name: \S+\n/, '$1app.kubernetes.io/name: *n\n');
    text = head + tail;
  }
  if (r() < 0.3) text = text.replace('image: ', `image: ${pick(r, ['', ''])}`).replace(/image: "?([^"\n]+)"?/, (_m, img: string) => `image: ${pick(r, [img, `"${img}"`, `'${img}'`])}`);
  const untouched: string[] = [];
  const extra = Math.floor(r() * (r() < 0.1 ? 100 : 5));
  for (let i = 0; i < extra; i++) {
    const doc = `---\n# Source: web/templates/extra-${i}.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra-${i}\n  annotations:\n    note: ${pick(r, ODD_VALUES).replace(/\n/g, '\n  ')}\ndata:\n  k: ${pick(r, ['"v"', '&a "v"', "'v'"])}\n`;
    untouched.push(doc);
    text += doc;
  }
  return { text, untouched };
}

test('the post-renderer never crashes on hostile charts, emits valid YAML and names, leaves untouched documents byte for byte, and is deterministic', (t) => {
  const r = prng(SEED + 1);
  const budget = Math.max(1, Math.floor(ITERATIONS / 10));
  let rendered = 0;
  let refused = 0;
  const reasons = new Set<string>();
  for (let i = 0; i < budget; i++) {
    const { text, untouched } = variant(r);
    const where = `chart ${i} (seed ${SEED})`;
    let out: string;
    try {
      out = render(text, {}, { apps: {} }).text;
    } catch (err) {
      if (!(err instanceof RenderError) && !(err instanceof ManifestError)) throw new Error(`${where} threw ${String(err)}`, { cause: err });
      reasons.add(err.message.replace(/\d+/g, 'N').slice(0, 160));
      refused++;
      continue;
    }
    rendered++;
    assert.equal(render(text, {}, { apps: {} }).text, out, `${where}: the same input renders the same output`);
    const docs = parseAllDocuments(out);
    for (const doc of docs) assert.deepEqual(doc.errors.map((e) => e.message), [], `${where}: invalid YAML out`);
    for (const doc of docs) {
      const obj = doc.toJS() as { kind?: string; metadata?: { name?: string } } | null;
      const name = obj?.metadata?.name;
      if (name === undefined) continue;
      assert.ok(name.length <= 253 && DNS_SUBDOMAIN.test(name), `${where}: invalid name ${name}`);
      if (obj?.kind === 'Service') assert.ok(name.length <= 63 && DNS_LABEL.test(name), `${where}: invalid Service name ${name}`);
    }
    for (const doc of untouched) assert.ok(out.includes(doc.slice(4)), `${where}: an untouched document changed:\n${doc}`);
  }
  t.diagnostic(`${budget} charts (seed ${SEED + 1}): ${rendered} rendered, ${refused} refused with a typed error: ${[...reasons].join(' | ')}`);
  assert.ok(rendered > budget / 2, 'most variants are valid charts and render');
});
