import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { render } from './transform.ts';
import { FIRST_INSTALL } from './types.ts';
import type { KubeObject } from './types.ts';
import { childName, isDns1035Label, isDns1123Subdomain, isLabelValue, versionSlug } from './naming.ts';
import { routerNames } from '../route/index.ts';
import { RENDERED_ANNOTATION } from './labels.ts';

// Every real chart of the corpus (testdata/corpus) through the transform, with each router.
const corpus = join(import.meta.dirname, '../../testdata/corpus/charts');
const files = existsSync(corpus) ? readdirSync(corpus).filter((f) => f.endsWith('.yaml')).sort() : [];

test('the chart corpus is present', () => {
  assert.ok(files.length > 100, `expected the chart corpus at ${corpus}`);
});

const identity = (o: KubeObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const objects = (text: string): KubeObject[] => {
  const docs = parseAllDocuments(text, { version: '1.1' });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const d of list) assert.equal(d.errors.length, 0, `output does not parse: ${d.errors[0]?.message}`);
  return list.map((d) => d.toJS({ maxAliasCount: 1000 }) as KubeObject | null).filter((o): o is KubeObject => o !== null);
};

for (const file of files) {
  const input = readFileSync(join(corpus, file), 'utf8');
  const inputs = input.trim() === '' ? [] : objects(input);
  for (const router of routerNames) {
    test(`${file} through --router ${router}: parses, keeps every resource, leaves others byte for byte, is idempotent`, () => {
      if (inputs.length === 0) {
        assert.throws(() => render(input, { version: '9.9.9', router }, FIRST_INSTALL), /no Kubernetes resources|empty/i);
        return;
      }
      const options = { version: '9.9.9', router };
      const { text } = render(input, options, FIRST_INSTALL);
      const out = objects(text);
      const ids = new Set(out.map(identity));
      for (const obj of inputs) {
        const hook = obj.metadata.annotations?.['helm.sh/hook'] !== undefined;
        const renamed = obj.kind === 'Deployment' && obj.apiVersion === 'apps/v1' && !hook ? { ...obj, metadata: { ...obj.metadata, name: childName(obj.metadata.name, versionSlug('9.9.9')) } } : obj;
        assert.ok(ids.has(identity(renamed)), `${identity(renamed)} is missing from the output`);
      }
      for (const obj of out.filter((o) => o.metadata.annotations?.[RENDERED_ANNOTATION] !== undefined)) {
        const name = obj.metadata.name;
        assert.ok(obj.kind === 'Service' ? isDns1035Label(name) : isDns1123Subdomain(name), `${obj.kind} ${name}: invalid name`);
        for (const [key, value] of Object.entries(obj.metadata.labels ?? {})) assert.ok(isLabelValue(String(value)), `${obj.kind} ${name}: bad label ${key}=${value}`);
      }
      for (const doc of input.split(/^---[^\n]*\n/m)) {
        if (/^kind: (Deployment|Service|Ingress|HTTPRoute|HorizontalPodAutoscaler)\s*$/m.test(doc) || /targetRef|scaleTargetRef/.test(doc)) continue;
        assert.ok(text.includes(doc), `an untouched document changed:\n${doc.slice(0, 200)}`);
      }
      assert.equal(render(text, options, FIRST_INSTALL).text, text, 'not idempotent');
    });
  }
}
