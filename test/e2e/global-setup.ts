// Global setup and teardown of a test run (`node --test --test-global-setup=test/e2e/global-setup.ts`):
// one local cluster for all test files.
//
// Setup runs hack/cluster/up.sh, which reuses a healthy cluster (one a developer
// started with `npm run cluster:up`, or another test run's) and otherwise starts
// one, recording this run as its owner in .cluster/owner. Each run also registers
// itself in .cluster/users/<pid>. Teardown stops the cluster only if this run
// started it and no other live test run is still using it; in that case the
// other run becomes the owner and stops it when it ends.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './harness.ts';

const stateDir = join(repoRoot, '.cluster');
const usersDir = join(stateDir, 'users');
const ownerFile = join(stateDir, 'owner');
const me = String(process.pid);

/** Runs one of hack/cluster/*.sh, its progress going to our stderr, and returns its exit code. */
function runClusterScript(script: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(repoRoot, 'hack', 'cluster', script)], {
      stdio: ['ignore', 2, 2],
      env: { ...process.env, SWITCHYARD_CLUSTER_OWNER: me },
    });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

function isAlive(pid: string): boolean {
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Returns the pids of other test runs still using the cluster, forgetting dead ones. */
function otherLiveUsers(): string[] {
  let users: string[];
  try {
    users = readdirSync(usersDir);
  } catch {
    return [];
  }
  return users.filter((pid) => {
    if (pid !== me && isAlive(pid)) return true;
    rmSync(join(usersDir, pid), { force: true });
    return false;
  });
}

function owner(): string {
  try {
    return readFileSync(ownerFile, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Starts the local cluster unless a healthy one is already up, and registers this run as a user. */
export async function globalSetup(): Promise<void> {
  const code = await runClusterScript('up.sh');
  if (code !== 0) {
    throw new Error(`hack/cluster/up.sh exited with ${code}; the component logs are in .cluster/logs/`);
  }
  mkdirSync(usersDir, { recursive: true });
  writeFileSync(join(usersDir, me), '');
}

/** Stops the cluster if this run started it and no other test run still uses it. */
export async function globalTeardown(): Promise<void> {
  rmSync(join(usersDir, me), { force: true });
  if (owner() !== me) {
    process.stderr.write('[e2e] leaving the cluster running: this test run did not start it\n');
    return;
  }
  const others = otherLiveUsers();
  if (others.length > 0) {
    writeFileSync(ownerFile, `${others[0]}\n`);
    process.stderr.write(`[e2e] leaving the cluster running for test run ${others[0]}, which now owns it\n`);
    return;
  }
  const code = await runClusterScript('down.sh');
  if (code !== 0) throw new Error(`hack/cluster/down.sh exited with ${code}`);
}
