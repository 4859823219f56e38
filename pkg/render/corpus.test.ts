import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KUBE_YAML } from '../manifest/index.ts';
import { render } from './transform.ts';
import { FIRST_INSTALL } from './types.ts';
import type { KubeObject } from './types.ts';
import { configRefs } from './config.ts';
import { podTemplate } from './identity.ts';
import { childName, isDns1035Label, isDns1123Subdomain, isLabelValue, versionSlug } from './naming.ts';
import { routerNames } from '../route/index.ts';
import { HELM_KEEP_ANNOTATION, RENDERED_ANNOTATION } from './labels.ts';

// Every real chart of the corpus (testdata/corpus) through the transform, with each router.
// Documents are decoded the way the API server decodes them (YAML 1.1: `0644` is 420, `yes`
// is true), and every field of a changed document outside switchyard's intended edits must
// decode to the same value as in the chart.
const corpus = join(import.meta.dirname, '../../testdata/corpus/charts');
const files = existsSync(corpus) ? readdirSync(corpus).filter((f) => f.endsWith('.yaml')).sort() : [];
const VERSION = '9.9.9';
const SLUG = versionSlug(VERSION);

test('the chart corpus is present', () => {
  assert.ok(files.length > 100, `expected the chart corpus at ${corpus}`);
});

const identity = (o: KubeObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const objects = (text: string): KubeObject[] => {
  const docs = parseAllDocuments(text, KUBE_YAML);
  const list = Array.isArray(docs) ? docs : [docs];
  for (const d of list) assert.equal(d.errors.length, 0, `output does not parse: ${d.errors[0]?.message}`);
  return list.map((d) => d.toJS({ maxAliasCount: 1000 }) as KubeObject | null).filter((o): o is KubeObject => o !== null);
};

const ours = (key: string): boolean => key.startsWith('switchyard.dev/') || key === 'pod-template-hash';
function dropOurs(map: Record<string, unknown> | undefined | null): void {
  if (map === undefined || map === null) return;
  for (const key of Object.keys(map)) if (ours(key)) delete map[key];
}

/**
 * An object with switchyard's intended edits undone: its labels, annotations and selectors,
 * a versioned Deployment's name and its config references (back to the chart's names), and
 * a scaler's target. Routes are the providers' business (their own tests) and not compared.
 */
function withoutIntendedEdits(obj: KubeObject, chart: KubeObject, renames: Map<string, string>): KubeObject {
  const out = structuredClone(obj);
  out.metadata.name = chart.metadata.name;
  dropOurs(out.metadata.labels);
  dropOurs(out.metadata.annotations);
  if (chart.metadata.annotations?.[HELM_KEEP_ANNOTATION] === undefined) delete out.metadata.annotations?.[HELM_KEEP_ANNOTATION];
  for (const key of ['annotations', 'labels'] as const) {
    const map = out.metadata[key];
    if (map === undefined || map === null || Object.keys(map).length > 0) continue;
    if (chart.metadata[key] === undefined) delete out.metadata[key];
    else if (chart.metadata[key] === null) out.metadata[key] = null as unknown as undefined;
  }
  const spec = out.spec as Record<string, any> | undefined;
  if (out.kind === 'Deployment') {
    dropOurs(spec?.selector?.matchLabels);
    dropOurs(spec?.template?.metadata?.labels);
    for (const ref of configRefs(podTemplate(out))) {
      const back = renames.get(ref.name);
      if (back !== undefined) ref.rename(back);
    }
  }
  if (out.kind === 'Service') dropOurs(spec?.selector);
  for (const field of ['scaleTargetRef', 'targetRef']) {
    const ref = spec?.[field];
    const was = (chart.spec as Record<string, any> | undefined)?.[field]?.name;
    if (ref !== undefined && typeof was === 'string' && ref.name === childName(was, SLUG)) ref.name = was;
  }
  return out;
}

const CHANGED_KINDS = /^kind: (Deployment|Service|Ingress|HTTPRoute|HorizontalPodAutoscaler|VerticalPodAutoscaler|ScaledObject|PersistentVolumeClaim)\s*$/m;

for (const file of files) {
  const input = readFileSync(join(corpus, file), 'utf8');
  const inputs = input.trim() === '' ? [] : objects(input);
  for (const router of routerNames) {
    test(`${file} through --router ${router}: faithful to every value the API server reads, keeps every resource, leaves others byte for byte, is idempotent`, () => {
      if (inputs.length === 0) {
        assert.throws(() => render(input, { version: VERSION, router }, FIRST_INSTALL), /no Kubernetes resources|empty/i);
        return;
      }
      const options = { version: VERSION, router };
      const result = render(input, options, FIRST_INSTALL);
      const out = objects(result.text);
      const byId = new Map(out.map((o) => [identity(o), o]));
      const managed = new Set(result.apps.map((a) => a.app));
      for (const app of result.apps) assert.equal(app.version, VERSION);
      for (const chart of inputs) {
        const hook = chart.metadata.annotations?.['helm.sh/hook'] !== undefined;
        const versioned = chart.kind === 'Deployment' && chart.apiVersion === 'apps/v1' && !hook && managed.has(chart.metadata.name);
        const id = identity(versioned ? { ...chart, metadata: { ...chart.metadata, name: childName(chart.metadata.name, SLUG) } } : chart);
        const rendered = byId.get(id);
        assert.ok(rendered !== undefined, `${id} is missing from the output`);
        // Config copies of a versioned Deployment: present, equal to the chart's, and read by it.
        const renames = new Map<string, string>();
        if (versioned) {
          for (const ref of configRefs(podTemplate(rendered))) {
            const original = inputs.find((o) => o.kind === ref.kind && ref.name !== o.metadata.name && (ref.name === childName(o.metadata.name, SLUG) || ref.name === childName(`${o.metadata.name}-${chart.metadata.name}`, SLUG)));
            if (original === undefined) continue;
            renames.set(ref.name, original.metadata.name);
            const copy = byId.get(identity({ ...original, metadata: { ...original.metadata, name: ref.name } }));
            assert.ok(copy !== undefined, `${ref.kind} ${ref.name}, read by ${id}, is missing`);
            assert.deepEqual(withoutIntendedEdits(copy, original, renames), original, `${ref.kind} ${ref.name} differs from the chart's ${original.metadata.name}`);
          }
        }
        if (chart.kind === 'HTTPRoute' || chart.kind === 'Ingress') continue;
        assert.deepEqual(withoutIntendedEdits(rendered, chart, renames), chart, `${id}: a value outside switchyard's edits changed`);
      }
      for (const obj of out.filter((o) => o.metadata.annotations?.[RENDERED_ANNOTATION] !== undefined)) {
        const name = obj.metadata.name;
        assert.ok(obj.kind === 'Service' ? isDns1035Label(name) : isDns1123Subdomain(name), `${obj.kind} ${name}: invalid name`);
        for (const [key, value] of Object.entries(obj.metadata.labels ?? {})) assert.ok(isLabelValue(String(value)), `${obj.kind} ${name}: bad label ${key}=${value}`);
      }
      for (const doc of input.split(/^---[^\n]*\n/m)) {
        if (CHANGED_KINDS.test(doc) || /targetRef|scaleTargetRef/.test(doc)) continue;
        assert.ok(result.text.includes(doc), `an untouched document changed:\n${doc.slice(0, 200)}`);
      }
      assert.equal(render(result.text, options, FIRST_INSTALL).text, result.text, 'not idempotent');
    });
  }
}

test('rendered from its bytes, every corpus chart gives the UTF-8 of its rendering from text', () => {
  let nonAscii = 0;
  for (const file of files) {
    const bytes = readFileSync(join(corpus, file));
    const text = bytes.toString('utf8');
    if (text.trim() === '') continue;
    if (bytes.length !== text.length) nonAscii += 1;
    const expected = Buffer.from(render(text, { version: VERSION }, FIRST_INSTALL).text);
    assert.ok(render(bytes, { version: VERSION }, FIRST_INSTALL).bytes().equals(expected), file);
  }
  assert.ok(nonAscii > 0, 'some chart holds characters beyond ASCII (byte offsets differ from string offsets)');
});

test('the corpus exercises managed and unmanaged workloads, config copies and YAML 1.1 values', () => {
  let managed = 0;
  let left = 0;
  let copies = 0;
  for (const file of files) {
    const input = readFileSync(join(corpus, file), 'utf8');
    if (input.trim() === '') continue;
    const result = render(input, { version: VERSION }, FIRST_INSTALL);
    managed += result.apps.length;
    left += result.warnings.filter((w) => w.includes('is left to Helm')).length;
    copies += (result.text.match(/switchyard\.dev\/role: config/g) ?? []).length;
  }
  assert.ok(managed > 50, `${managed} managed`);
  assert.ok(left > 10, `${left} left to Helm`);
  assert.ok(copies > 10, `${copies} config copies`);
});

test('documents edited as text mean what the same documents printed by yaml mean, on every corpus chart', () => {
  let edited = 0;
  for (const file of files) {
    const input = readFileSync(join(corpus, file), 'utf8');
    let fast;
    try {
      fast = render(input, { version: VERSION }, FIRST_INSTALL);
    } catch {
      continue; // a chart the transform refuses (the tests above say which and why)
    }
    const printed = render(input, { version: VERSION, printWithYaml: true }, FIRST_INSTALL);
    assert.deepEqual(objects(fast.text), objects(printed.text), file);
    if (fast.text !== printed.text) edited++;
  }
  // The text edits ran (they keep indentation and blank lines yaml would normalise).
  assert.ok(edited > 20, `${edited} charts came out differently worded`);
});
