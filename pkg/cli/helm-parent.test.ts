import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHelmArgs } from './helm-parent.ts';

test('the release namespace, context and kubeconfig are read from helm\'s argv in every flag form', () => {
  assert.deepEqual(parseHelmArgs(1, ['upgrade', '--install', 'web', './chart', '-n', 'prod', '--kube-context=east', '--kubeconfig', '/k']), { pid: 1, command: 'upgrade', namespace: 'prod', kubeContext: 'east', kubeconfig: '/k' });
  assert.equal(parseHelmArgs(1, ['template', 'web', '.', '-nstaging']).namespace, 'staging');
  assert.equal(parseHelmArgs(1, ['install', 'web', '.', '--namespace=qa']).namespace, 'qa');
  assert.equal(parseHelmArgs(1, ['install', 'web', '.']).namespace, undefined);
});
