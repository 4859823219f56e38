import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selections } from './selection.ts';
import type { KubeObject } from './types.ts';

const dep = (name: string, labels: Record<string, unknown>) => ({ object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { template: { metadata: { labels } } } } as KubeObject });
const svc = (name: string, selector?: Record<string, unknown>) => ({ object: { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: selector === undefined ? {} : { selector } } as KubeObject });

test('selections: every pair of the selector must match, in the order of the Deployments', () => {
  const web = dep('web', { app: 'shop', tier: 'web' });
  const api = dep('api', { app: 'shop', tier: 'api' });
  const other = dep('other', { app: 'other' });
  const all = svc('all', { app: 'shop' });
  const front = svc('front', { tier: 'web', app: 'shop' });
  const none = svc('none', { app: 'shop', tier: 'db' });
  const out = selections([all, front, none], [web, api, other]);
  assert.deepEqual(out.get(all)?.map((d) => d.object.metadata.name), ['web', 'api']);
  assert.deepEqual(out.get(front)?.map((d) => d.object.metadata.name), ['web']);
  assert.deepEqual(out.get(none), []);
});

test('selections: values compare as strings; a pod label that is not a string matches nothing; no selector selects nothing', () => {
  const numbered = dep('numbered', { app: 'a', release: '1' });
  const raw = dep('raw', { app: 'a', release: 1 });
  const bySelector = svc('s', { release: 1 });
  const bare = svc('bare');
  const out = selections([bySelector, bare], [numbered, raw]);
  assert.deepEqual(out.get(bySelector)?.map((d) => d.object.metadata.name), ['numbered']);
  assert.deepEqual(out.get(bare), []);
});
