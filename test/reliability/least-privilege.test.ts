// Least privilege (issue 14): with the documented Role `switchyard` less one verb, the
// command that needs it fails with exit 4 and one line naming the verb and the resource,
// and leaves the app as it was or resumable: given the verb back, the same command
// converges.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { kubectl, repoRoot, run, serviceAccountKubeconfig, storedState } from '../e2e/harness.ts';
import type { RunResult } from '../e2e/harness.ts';
import { cliFor } from './crash-scenarios.ts';

interface Rule { apiGroups: string[]; resources: string[]; verbs: string[] }
interface Role { kind: string; metadata: { name: string }; rules: Rule[] }

const dir = mkdtempSync(join(tmpdir(), 'switchyard-rbac-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** The documented Role `switchyard`, from testdata/rbac/role.yaml. */
function documentedRole(): Role {
  const docs = parseAllDocuments(readFileSync(join(repoRoot, 'testdata', 'rbac', 'role.yaml'), 'utf8')).map((d) => d.toJS() as Role);
  return docs.find((d) => d.kind === 'Role' && d.metadata.name === 'switchyard')!;
}

/** The Role without `verb` on `resource`. */
function without(role: Role, resource: string, verb: string): Role {
  return { ...role, rules: role.rules.map((r) => (r.resources.includes(resource) ? { ...r, verbs: r.verbs.filter((v) => v !== verb) } : r)) };
}

const CASES: { command: string[]; resource: string; verb: string; expectStable: string }[] = [
  { command: ['run', 'web', '--wait', '--steps', '50,100', '--scale-down-delay', '0'], resource: 'httproutes', verb: 'patch', expectStable: '2.0.0' },
  // The renewal (every 5 s) is refused during the pause: the driver stops at once.
  { command: ['run', 'web', '--wait', '--steps', '50,pause:8s,100', '--scale-down-delay', '0'], resource: 'leases', verb: 'update', expectStable: '2.0.0' },
  { command: ['delete', 'web'], resource: 'services', verb: 'list', expectStable: '' },
];

suite('least privilege', { concurrency: true }, () => {
  for (const c of CASES) {
    test(`without ${c.verb} ${c.resource}, ${c.command[0]} exits 4 naming them, and converges once it is granted`, async (t) => {
      const cli = await cliFor(t, dir);
      const ns = cli.ns;
      for (const version of ['1.0.0', '2.0.0']) assert.equal((await cli('canary', ['apply', '-f', cli.fileFor(version), '--version', version])).code, 0);
      const role = documentedRole();
      const apply = (r: Role): Promise<RunResult> => kubectl(['-n', ns, 'apply', '-f', '-'], { input: JSON.stringify(r) });
      assert.equal((await apply(without(role, c.resource, c.verb))).code, 0);
      assert.equal((await kubectl(['-n', ns, 'create', 'serviceaccount', 'deployer'])).code, 0);
      assert.equal((await kubectl(['-n', ns, 'create', 'rolebinding', 'deployer', '--role=switchyard', `--serviceaccount=${ns}:deployer`])).code, 0);
      const { path } = await serviceAccountKubeconfig(t, ns, 'deployer');
      const canary = (): Promise<RunResult> => run(join(repoRoot, 'dist', 'kubectl-canary'), [...c.command, '-n', ns], { env: { KUBECONFIG: path } });

      const refused = await canary();
      assert.equal(refused.code, 4, `exit 4\n${refused.stderr}`);
      const errors = refused.stderr.split('\n').filter((l) => l.startsWith('kubectl canary: error:'));
      assert.equal(errors.length, 1, refused.stderr);
      assert.match(errors[0]!, new RegExp(`cannot ${c.verb} resource "${c.resource}"`));

      assert.equal((await apply(role)).code, 0);
      const again = await canary();
      assert.equal(again.code, 0, again.stderr);
      if (c.expectStable !== '') assert.equal((await storedState<{ stable: string }>(ns)).stable, c.expectStable);
      else assert.notEqual((await kubectl(['-n', ns, 'get', 'configmap', 'switchyard.web'])).code, 0, 'the state is gone');
    });
  }
});
