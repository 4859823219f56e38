import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Connection, KubeFlags } from './config.ts';
import { connect } from './config.ts';
import { KubeError } from './errors.ts';
import { overrideProblems } from './overrides.ts';

// Every case builds its own directory: a kubeconfig with a CA, a client certificate and a
// token file, plus files the flags name. connect() only reads files; nothing is sent.
function fixture(t: { after(fn: () => void): void }, kubeconfig = KUBECONFIG): string {
  const d = mkdtempSync(join(tmpdir(), 'switchyard-overrides-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  writeFileSync(join(d, 'config'), kubeconfig);
  for (const [name, text] of Object.entries({ 'kc-ca.crt': 'KC-CA', 'kc.crt': 'KC-CERT', 'kc.key': 'KC-KEY', token: 'kc-token\n', 'flag-ca.crt': 'FLAG-CA', 'flag.crt': 'FLAG-CERT', 'flag.key': 'FLAG-KEY' })) {
    writeFileSync(join(d, name), text);
  }
  return d;
}

const KUBECONFIG = `apiVersion: v1
kind: Config
current-context: main
clusters:
- name: local
  cluster: {server: "https://127.0.0.1:6443", certificate-authority: kc-ca.crt, tls-server-name: kubernetes}
- name: other
  cluster: {server: "https://127.0.0.2:7443", insecure-skip-tls-verify: true}
users:
- name: admin
  user: {client-certificate: kc.crt, client-key: kc.key}
- name: robot
  user: {tokenFile: token}
- name: boss
  user: {token: boss-token, as: alice, as-groups: [devs]}
contexts:
- name: main
  context: {cluster: local, user: admin, namespace: team}
`;

/** Connects with the fixture's kubeconfig (null: none, so $KUBECONFIG decides) and the flags; paths in flags are relative to the fixture. */
async function conn(d: string, flags: KubeFlags, kubeconfig: string | null = join(d, 'config')): Promise<Connection> {
  const abs = (p: string | undefined): string | undefined => (p === undefined ? undefined : join(d, p));
  const resolved: KubeFlags = { ...flags };
  if (flags.certificateAuthority !== undefined) resolved.certificateAuthority = abs(flags.certificateAuthority)!;
  if (flags.clientCertificate !== undefined) resolved.clientCertificate = abs(flags.clientCertificate)!;
  if (flags.clientKey !== undefined) resolved.clientKey = abs(flags.clientKey)!;
  if (kubeconfig !== null) resolved.kubeconfig = kubeconfig;
  return connect(resolved);
}

const headers = (c: Connection): Record<string, unknown> => ({ ...(c.tls.headers as Record<string, unknown> | undefined) });

test('without flags the kubeconfig decides everything', async (t) => {
  const c = await conn(fixture(t), {});
  assert.equal(c.server.href, 'https://127.0.0.1:6443/');
  assert.equal(String(c.tls.ca), 'KC-CA');
  assert.equal(String(c.tls.cert), 'KC-CERT');
  assert.equal(c.tls.servername, 'kubernetes');
  assert.deepEqual(headers(c), {});
});

test('each connection flag changes exactly what kubectl changes', async (t) => {
  const cases: { name: string; flags: KubeFlags; check(c: Connection): void }[] = [
    { name: '--server replaces the address and drops the kubeconfig tls-server-name', flags: { server: 'https://127.0.0.1:9443' }, check: (c) => {
      assert.equal(c.server.href, 'https://127.0.0.1:9443/');
      assert.equal(c.tls.servername, undefined);
      assert.equal(String(c.tls.cert), 'KC-CERT', 'the user is still the context\'s');
    } },
    { name: '--server without a scheme means https', flags: { server: '127.0.0.1:9443' }, check: (c) => assert.equal(c.server.href, 'https://127.0.0.1:9443/') },
    { name: '--server with --tls-server-name keeps the given name', flags: { server: 'https://127.0.0.1:9443', tlsServerName: 'api.internal' }, check: (c) => assert.equal(c.tls.servername, 'api.internal') },
    { name: '--tls-server-name alone replaces the kubeconfig one', flags: { tlsServerName: 'api.internal' }, check: (c) => assert.equal(c.tls.servername, 'api.internal') },
    { name: '--certificate-authority replaces the CA', flags: { certificateAuthority: 'flag-ca.crt' }, check: (c) => assert.equal(String(c.tls.ca), 'FLAG-CA') },
    { name: '--insecure-skip-tls-verify turns verification off and drops the CA', flags: { insecureSkipTlsVerify: true }, check: (c) => {
      assert.equal(c.tls.rejectUnauthorized, false);
      assert.equal(c.tls.ca, undefined);
    } },
    { name: '--client-certificate and --client-key replace the pair', flags: { clientCertificate: 'flag.crt', clientKey: 'flag.key' }, check: (c) => {
      assert.equal(String(c.tls.cert), 'FLAG-CERT');
      assert.equal(String(c.tls.key), 'FLAG-KEY');
    } },
    { name: '--token becomes the bearer header', flags: { token: 'flag-token' }, check: (c) => assert.equal(headers(c).Authorization, 'Bearer flag-token') },
    { name: '--token replaces a token file', flags: { user: 'robot', token: 'flag-token' }, check: (c) => assert.equal(headers(c).Authorization, 'Bearer flag-token') },
    { name: '--username and --password become basic auth', flags: { username: 'ann', password: 's3cret' }, check: (c) => assert.equal(headers(c).Authorization, `Basic ${Buffer.from('ann:s3cret').toString('base64')}`) },
    { name: '--as, --as-group (twice) and --as-uid set the impersonation headers', flags: { as: 'system:serviceaccount:ci:deployer', asGroups: ['ci', 'system:authenticated'], asUid: '42' }, check: (c) => {
      assert.equal(headers(c)['Impersonate-User'], 'system:serviceaccount:ci:deployer');
      assert.deepEqual(headers(c)['Impersonate-Group'], ['ci', 'system:authenticated']);
      assert.equal(headers(c)['Impersonate-Uid'], '42');
    } },
    { name: '--as replaces the kubeconfig user\'s impersonation, groups included', flags: { user: 'boss', as: 'bob' }, check: (c) => {
      assert.equal(headers(c)['Impersonate-User'], 'bob');
      assert.equal(headers(c)['Impersonate-Group'], undefined);
      assert.equal(headers(c).Authorization, 'Bearer boss-token');
    } },
    { name: '--cluster picks another cluster entry', flags: { cluster: 'other' }, check: (c) => {
      assert.equal(c.server.host, '127.0.0.2:7443');
      assert.equal(c.tls.rejectUnauthorized, false);
    } },
    { name: '--user picks another user entry', flags: { user: 'robot' }, check: (c) => {
      assert.equal(headers(c).Authorization, 'Bearer kc-token');
      assert.equal(c.tls.cert, undefined);
    } },
    { name: '--request-timeout sets the per-request timeout', flags: { requestTimeoutMs: 2500 }, check: (c) => assert.equal(c.requestTimeoutMs, 2500) },
    { name: '-n sets the namespace', flags: { namespace: 'prod' }, check: (c) => assert.equal(c.namespace, 'prod') },
  ];
  for (const { name, flags, check } of cases) {
    await t.test(name, async (st) => check(await conn(fixture(st), flags)));
  }
});

test('the kubeconfig user\'s own impersonation becomes headers without loading client-node', async (t) => {
  const c = await conn(fixture(t), { user: 'boss' });
  assert.equal(headers(c)['Impersonate-User'], 'alice');
  assert.deepEqual(headers(c)['Impersonate-Group'], ['devs']);
});

test('refreshed credentials keep the flags', async (t) => {
  const c = await conn(fixture(t), { user: 'robot', token: 'flag-token', as: 'bob' });
  const again = await c.refresh();
  assert.equal((again.headers as Record<string, string>).Authorization, 'Bearer flag-token');
  assert.equal((again.headers as Record<string, string>)['Impersonate-User'], 'bob');
});

test('the flags apply on top of client-node too', async (t) => {
  const d = fixture(t);
  const saved = process.env.SWITCHYARD_KUBECONFIG_LOADER;
  process.env.SWITCHYARD_KUBECONFIG_LOADER = 'client-node';
  t.after(() => (saved === undefined ? delete process.env.SWITCHYARD_KUBECONFIG_LOADER : (process.env.SWITCHYARD_KUBECONFIG_LOADER = saved)));
  const c = await conn(d, { server: 'https://127.0.0.1:9443', token: 'flag-token', certificateAuthority: 'flag-ca.crt', as: 'bob' });
  assert.equal(c.server.href, 'https://127.0.0.1:9443/');
  assert.equal(String(c.tls.ca), 'FLAG-CA');
  assert.equal(headers(c).Authorization, 'Bearer flag-token');
  assert.equal(headers(c)['Impersonate-User'], 'bob');
});

test('with an empty kubeconfig, or none at all, --server and its credentials are enough', async (t) => {
  const d = fixture(t, '');
  const saved = process.env.KUBECONFIG;
  process.env.KUBECONFIG = join(d, 'missing');
  t.after(() => (saved === undefined ? delete process.env.KUBECONFIG : (process.env.KUBECONFIG = saved)));
  for (const kubeconfig of [join(d, 'config'), null]) {
    const c = await conn(d, { server: 'https://127.0.0.1:6443', token: 'flag-token', certificateAuthority: 'flag-ca.crt' }, kubeconfig);
    assert.equal(c.server.href, 'https://127.0.0.1:6443/');
    assert.equal(c.namespace, 'default');
    assert.equal(c.context, '');
    assert.equal(String(c.tls.ca), 'FLAG-CA');
    assert.equal(headers(c).Authorization, 'Bearer flag-token');
  }
});

test('with no kubeconfig and no --server it still fails, saying so', async (t) => {
  const d = fixture(t, '');
  const saved = process.env.KUBECONFIG;
  process.env.KUBECONFIG = join(d, 'missing');
  t.after(() => (saved === undefined ? delete process.env.KUBECONFIG : (process.env.KUBECONFIG = saved)));
  await assert.rejects(conn(d, { token: 'x' }, null), (err: unknown) => err instanceof KubeError && err.code === 'config' && /no kubeconfig found/.test(err.message));
});

test('a file a flag names that cannot be read is a config error naming the flag', async (t) => {
  await assert.rejects(conn(fixture(t), { certificateAuthority: 'nope.crt' }), (err: unknown) => err instanceof KubeError && err.code === 'config' && /--certificate-authority .*nope\.crt: ENOENT/.test(err.message));
});

test('kubectl\'s refused combinations are reported, and connect refuses them too', async (t) => {
  const cases: [KubeFlags, RegExp | undefined][] = [
    [{ insecureSkipTlsVerify: true, certificateAuthority: 'ca.crt' }, /root certificates file with --insecure-skip-tls-verify/],
    [{ token: 't', username: 'u' }, /username\/password or bearer token/],
    [{ token: 't', password: 'p' }, /username\/password or bearer token/],
    [{ asGroups: ['g'] }, /without impersonating a user/],
    [{ asUid: '1' }, /without impersonating a user/],
    [{ as: 'a', asGroups: ['g'], asUid: '1', token: 't', insecureSkipTlsVerify: true }, undefined],
  ];
  for (const [flags, problem] of cases) {
    const found = overrideProblems(flags);
    if (problem === undefined) assert.deepEqual(found, [], JSON.stringify(flags));
    else assert.match(found.join('\n'), problem, JSON.stringify(flags));
  }
  await assert.rejects(conn(fixture(t), { token: 't', username: 'u' }), /username\/password or bearer token/);
});
