import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import type { AppStatus } from '../../rollout/view.ts';
import { UsageError } from '../exit-codes.ts';
import { healthy, history, progressing } from './fixture.ts';
import { formatOutput, parseOutputFormat } from './structured.ts';
import type { OutputFormat } from './structured.ts';

test('-o json of one status puts apiVersion and kind first and ends with a newline', () => {
  assert.equal(
    formatOutput('json', healthy()),
    `{
  "apiVersion": "switchyard.dev/v1",
  "kind": "RolloutStatus",
  "app": "api",
  "namespace": "dev",
  "phase": "Healthy",
  "strategy": "bluegreen",
  "router": "nginx",
  "stable": "3.1.0",
  "weight": 0,
  "step": {
    "index": 0,
    "total": 0
  },
  "versions": [
    {
      "version": "3.1.0",
      "role": "stable",
      "deployment": "api-3-1-0",
      "replicas": 2,
      "readyReplicas": 2,
      "weight": 100
    },
    {
      "version": "3.0.0",
      "role": "retained",
      "deployment": "api-3-0-0",
      "replicas": 0,
      "readyReplicas": 0,
      "weight": 0
    }
  ],
  "gates": [],
  "updatedAt": "2026-11-23T09:00:00Z"
}
`,
  );
});

test('-o json of a list is a RolloutStatusList whose items are sorted and carry apiVersion and kind', () => {
  const doc = JSON.parse(formatOutput('json', [progressing(), healthy()])) as { apiVersion: string; kind: string; items: Record<string, unknown>[] };
  assert.deepEqual(Object.keys(doc), ['apiVersion', 'kind', 'items']);
  assert.equal(doc.apiVersion, 'switchyard.dev/v1');
  assert.equal(doc.kind, 'RolloutStatusList');
  assert.deepEqual(
    doc.items.map((i) => [i.apiVersion, i.kind, i.namespace, i.app]),
    [
      ['switchyard.dev/v1', 'RolloutStatus', 'dev', 'api'],
      ['switchyard.dev/v1', 'RolloutStatus', 'prod', 'web'],
    ],
  );
  assert.deepEqual(doc.items[0], JSON.parse(formatOutput('json', healthy())), 'an item is the single-status document');
});

test('an empty list is still a document with no items', () => {
  assert.equal(formatOutput('json', []), '{\n  "apiVersion": "switchyard.dev/v1",\n  "kind": "RolloutStatusList",\n  "items": []\n}\n');
  assert.equal(formatOutput('name', []), '');
});

test('fields come in the schema order whatever order the builder used, and new fields follow', () => {
  const view = progressing();
  const shuffled = Object.fromEntries(Object.entries({ ...view, extra: 'later' }).reverse()) as unknown as AppStatus;
  shuffled.versions = view.versions.map((v) => Object.fromEntries(Object.entries(v).reverse()) as unknown as AppStatus['versions'][number]);
  const keys = Object.keys(JSON.parse(formatOutput('json', shuffled)) as object);
  assert.deepEqual(keys, ['apiVersion', 'kind', 'app', 'namespace', 'phase', 'strategy', 'router', 'stable', 'canary', 'weight', 'step', 'message', 'versions', 'gates', 'startedAt', 'updatedAt', 'extra']);
  const doc = JSON.parse(formatOutput('json', shuffled)) as { versions: object[] };
  assert.deepEqual(Object.keys(doc.versions[0]!), ['version', 'role', 'deployment', 'replicas', 'readyReplicas', 'weight', 'restarts', 'source']);
});

test('-o yaml prints the same document, quoting what a YAML 1.1 reader would misread', () => {
  const view = healthy();
  view.stable = '3.10';
  view.versions = [{ version: '3.10', role: 'stable', deployment: 'api-3-10', replicas: 1, readyReplicas: 1, weight: 100 }];
  const text = formatOutput('yaml', view);
  assert.equal(
    text,
    `apiVersion: switchyard.dev/v1
kind: RolloutStatus
app: api
namespace: dev
phase: Healthy
strategy: bluegreen
router: nginx
stable: "3.10"
weight: 0
step:
  index: 0
  total: 0
versions:
  - version: "3.10"
    role: stable
    deployment: api-3-10
    replicas: 1
    readyReplicas: 1
    weight: 100
gates: []
updatedAt: "2026-11-23T09:00:00Z"
`,
  );
  assert.deepEqual(parse(text), JSON.parse(formatOutput('json', view)));
});

test('-o yaml of a history is a RolloutHistory with entries oldest first', () => {
  const doc = parse(formatOutput('yaml', history())) as { apiVersion: string; kind: string; app: string; entries: { at: string }[] };
  assert.equal(doc.kind, 'RolloutHistory');
  assert.equal(doc.apiVersion, 'switchyard.dev/v1');
  assert.equal(doc.app, 'web');
  assert.deepEqual(
    doc.entries.map((e) => e.at),
    history().entries.map((e) => e.at),
  );
});

test('-o name prints rollout.switchyard.dev/<app> per line, sorted like the list', () => {
  assert.equal(formatOutput('name', progressing()), 'rollout.switchyard.dev/web\n');
  assert.equal(formatOutput('name', [progressing(), healthy()]), 'rollout.switchyard.dev/api\nrollout.switchyard.dev/web\n');
  assert.equal(formatOutput('name', history()), 'rollout.switchyard.dev/web\n');
});

test('an unknown format is a usage error worded as kubectl words it', () => {
  const expected = { name: 'UsageError', message: 'unable to match a printer suitable for the output format "wide", allowed formats are: json,name,yaml' };
  assert.throws(() => parseOutputFormat('wide'), expected);
  assert.throws(() => formatOutput('wide' as OutputFormat, healthy()), (err: unknown) => err instanceof UsageError && err.message === expected.message);
  assert.equal(parseOutputFormat('yaml'), 'yaml');
});
