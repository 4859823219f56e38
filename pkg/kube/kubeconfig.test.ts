import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plainConnection } from './kubeconfig.ts';

function dir(t: { after(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'switchyard-kubeconfig-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const config = (extra = ''): string => `apiVersion: v1
kind: Config
current-context: a
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:6443", certificate-authority: pki/ca.crt, tls-server-name: kubernetes}
users:
- name: u
  user: {client-certificate: pki/admin.crt, client-key-data: ${Buffer.from('KEY').toString('base64')}}
- name: t
  user: {tokenFile: token}
- name: e
  user: {exec: {command: aws}}
contexts:
- name: a
  context: {cluster: c, user: u, namespace: team}
- name: tok
  context: {cluster: c, user: t}
- name: ex
  context: {cluster: c, user: e}
${extra}`;

test('a certificate kubeconfig is read without client-node, with paths relative to the file', (t) => {
  const d = dir(t);
  writeFileSync(join(d, 'config'), config());
  mkdirSync(join(d, 'pki'));
  writeFileSync(join(d, 'pki/ca.crt'), 'CA');
  writeFileSync(join(d, 'pki/admin.crt'), 'CERT');
  const conn = plainConnection({ kubeconfig: join(d, 'config') })!;
  assert.equal(conn.server.host, '127.0.0.1:6443');
  assert.equal(conn.namespace, 'team');
  assert.equal(String(conn.tls.ca), 'CA');
  assert.equal(String(conn.tls.cert), 'CERT');
  assert.equal(String(conn.tls.key), 'KEY');
  assert.equal(conn.tls.servername, 'kubernetes');
  assert.equal(plainConnection({ kubeconfig: join(d, 'config'), namespace: 'x' })!.namespace, 'x');
});

test('a token file becomes a bearer header; an exec plugin falls back to client-node', (t) => {
  const d = dir(t);
  writeFileSync(join(d, 'config'), config());
  writeFileSync(join(d, 'token'), 'secret-token\n');
  mkdirSync(join(d, 'pki'));
  writeFileSync(join(d, 'pki/ca.crt'), 'CA');
  assert.deepEqual(plainConnection({ kubeconfig: join(d, 'config'), context: 'tok' })!.tls.headers, { Authorization: 'Bearer secret-token' });
  assert.equal(plainConnection({ kubeconfig: join(d, 'config'), context: 'ex' }), undefined);
  assert.equal(plainConnection({ kubeconfig: join(d, 'config'), context: 'missing' }), undefined);
});

test('with several KUBECONFIG files the first one to define a name wins', (t) => {
  const d = dir(t);
  writeFileSync(join(d, 'one'), 'apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters:\n- name: c\n  cluster: {server: "https://one:1", insecure-skip-tls-verify: true}\ncontexts:\n- name: a\n  context: {cluster: c}\n');
  writeFileSync(join(d, 'two'), 'apiVersion: v1\nkind: Config\ncurrent-context: b\nclusters:\n- name: c\n  cluster: {server: "https://two:2"}\n');
  const saved = process.env.KUBECONFIG;
  process.env.KUBECONFIG = `${join(d, 'one')}:${join(d, 'two')}`;
  t.after(() => (saved === undefined ? delete process.env.KUBECONFIG : (process.env.KUBECONFIG = saved)));
  const conn = plainConnection({})!;
  assert.equal(conn.server.host, 'one:1');
  assert.equal(conn.tls.rejectUnauthorized, false);
  assert.equal(conn.namespace, 'default');
});
