// `kubectl bluegreen` with several live versions (issue 5, items 2, 6 and 7; DESIGN.md
// scenario 6): every live version is reachable by its header route through its own Service,
// `--auto-promote-after` switches by itself once the preview has been ready that long, and
// `preview` / `versions` tell a person how to reach each version. Real helm 3, real kubectl.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { suite, test, type TestContext } from 'node:test';
import {
  assertOk, bluegreen, deployChart, freshNamespace, getJson, helm, kubectl, spawnChild, storedState,
  toolPaths, waitFor, type Child, type RunResult,
} from './harness.ts';

const VERSION = 'switchyard.dev/version';

type Labels = Record<string, string>;
interface Meta { name: string; resourceVersion?: string; labels?: Labels; annotations?: Labels }
interface Deployment { metadata: Meta; spec: { replicas: number }; status?: { readyReplicas?: number; replicas?: number } }
interface Service { metadata: Meta; spec: { selector?: Labels; ports?: { port: number }[] } }
interface RouteRule { name?: string; matches?: { headers?: { name: string; value: string; type?: string }[] }[]; backendRefs?: { name: string; port?: number; weight?: number }[] }
interface HTTPRoute { metadata: Meta; spec: { rules: RouteRule[] } }
interface Endpoint { addresses?: string[]; conditions?: { ready?: boolean }; targetRef?: { kind?: string; name: string } }
interface EndpointSlice { metadata: Meta; endpoints?: Endpoint[] | null }
interface Pod { metadata: Meta }
interface HistoryEntry { at: string; event: string; message: string; version?: string }
interface State { phase: string; stable: string; canary?: string; retained: { version: string }[]; history: HistoryEntry[] }
interface VersionStatus { version: string; role: string; deployment: string; replicas: number; readyReplicas: number; weight: number }
interface RolloutStatus { kind: string; phase: string; stable: string; versions: VersionStatus[] }
interface WatchEvent<T> { type: string; object: T }

function deploy(ns: string, version: string): Promise<RunResult> {
  return deployChart(3, ns, version, { extra: ['--post-renderer-args=--strategy=bluegreen'] });
}

async function selects(ns: string, name = 'web'): Promise<string | undefined> {
  return (await getJson<Service>(ns, 'service', name)).spec.selector?.[VERSION];
}

const slug = (version: string): string => version.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** The rules of HTTPRoute web that match header x-version: <version>. */
function headerRules(rules: RouteRule[], version: string): RouteRule[] {
  return rules.filter((rule) => (rule.matches ?? []).some((m) => (m.headers ?? []).some((h) => h.name === 'x-version' && h.value === version)));
}

function watch(ns: string, args: string[]): Child {
  return spawnChild(toolPaths.kubectl, ['-n', ns, 'get', ...args, '--watch', '--output-watch-events', '-o', 'json']);
}

function events<T>(child: Child): WatchEvent<T>[] {
  return child.stdout.split('\n').slice(0, -1).filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as WatchEvent<T>);
}

/**
 * Three live versions: 1.0.0 retained, 2.0.0 active, 3.0.0 the preview (`run --wait` returned).
 * `scaleDownOld`: 1.0.0 scaled to 0 (switch --scale-down-delay 1s; if the switch leaves it up,
 * `prune` after the delay scales it down - see bluegreen-rollback.test.ts); else it stays hot.
 */
async function threeLiveVersions(t: TestContext, ns: string, { scaleDownOld }: { scaleDownOld: boolean }): Promise<void> {
  assertOk(await deploy(ns, '1.0.0'), 'install 1.0.0');
  assertOk(await deploy(ns, '2.0.0'), 'upgrade to 2.0.0');
  assertOk(await bluegreen(ns, ['run', 'web', '--wait']), 'run --wait (2.0.0)');
  assertOk(await bluegreen(ns, ['switch', 'web', ...(scaleDownOld ? ['--scale-down-delay', '1s', '--wait-scale-down'] : ['--scale-down-delay', '0'])]), 'switch to 2.0.0');
  if (scaleDownOld) {
    const down = async (): Promise<boolean> => {
      const d = await getJson<Deployment>(ns, 'deployment', 'web-1-0-0');
      return d.spec.replicas === 0 && (d.status?.replicas ?? 0) === 0;
    };
    await waitFor(down, { timeoutMs: 10_000 });
  }
  assertOk(await deploy(ns, '3.0.0'), 'upgrade to 3.0.0');
  assertOk(await bluegreen(ns, ['run', 'web', '--wait']), 'run --wait (3.0.0)');
  const s = await storedState<State>(ns);
  assert.equal(s.stable, '2.0.0');
  assert.equal(s.canary, '3.0.0');
  assert.deepEqual(s.retained.map((r) => r.version), ['1.0.0']);
}

suite('kubectl bluegreen: several live versions', { concurrency: true }, () => {
  test('a header request for each live version routes to that version\'s Service and its ready pods (item 2)', async (t) => {
    const ns = await freshNamespace(t);
    await threeLiveVersions(t, ns, { scaleDownOld: true });
    const live = ['1.0.0', '2.0.0', '3.0.0'];

    // Read through the API server: the HTTPRoute has one header rule per live version that
    // runs pods and no other (1.0.0, scaled to 0, has none: it could only answer 503).
    const serving = ['2.0.0', '3.0.0'];
    const httproute = await getJson<HTTPRoute>(ns, 'httproute', 'web');
    const headerValues = httproute.spec.rules.flatMap((rule) => (rule.matches ?? []).flatMap((m) => (m.headers ?? []).map((h) => `${h.name}: ${h.value}`)));
    assert.deepEqual([...headerValues].sort(), serving.map((v) => `x-version: ${v}`), 'one header match per live version with pods');
    const main = httproute.spec.rules.filter((rule) => !(rule.matches ?? []).some((m) => (m.headers ?? []).length > 0));
    assert.deepEqual(main.map((rule) => rule.backendRefs?.map((b) => [b.name, b.weight])), [[['web', 100]]], 'everything without a header goes to the stable Service');

    for (const version of live) {
      const name = `web-${slug(version)}`;
      const rules = headerRules(httproute.spec.rules, version);
      assert.equal(rules.length, serving.includes(version) ? 1 : 0, `rules for x-version: ${version}`);
      const rule = rules[0];
      if (rule !== undefined) {
        assert.equal(rule.name, `switchyard-${slug(version)}-0`);
        assert.deepEqual(rule.matches?.flatMap((m) => m.headers ?? []).map((h) => ({ name: h.name, value: h.value, type: h.type ?? 'Exact' })),
          [{ name: 'x-version', value: version, type: 'Exact' }]);
        assert.deepEqual(rule.backendRefs?.map((b) => ({ name: b.name, port: b.port })), [{ name, port: 80 }], `x-version: ${version} goes to ${name} only`);
      }

      // That Service selects exactly the pods of that version.
      const svc = await getJson<Service>(ns, 'service', name);
      assert.equal(svc.spec.selector?.[VERSION], version);
      assert.equal(svc.spec.selector?.['switchyard.dev/app'], 'web');
      const selector = Object.entries(svc.spec.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
      const pods = (await getJson<{ items: Pod[] }>(ns, 'pods', '-l', selector)).items;
      assert.ok(pods.every((p) => p.metadata.labels?.[VERSION] === version), `Service ${name} selects only ${version} pods: ${pods.map((p) => p.metadata.name).join(', ')}`);

      // Its EndpointSlices list the version's ready pods (none for a version scaled to 0).
      const deployment = await getJson<Deployment>(ns, 'deployment', name);
      const ready = deployment.status?.readyReplicas ?? 0;
      assert.equal(ready, version === '1.0.0' ? 0 : 2, `${name} ready replicas`);
      const endpoints = await waitFor(async () => {
        const slices = (await getJson<{ items: EndpointSlice[] }>(ns, 'endpointslices', '-l', `kubernetes.io/service-name=${name}`)).items;
        const readyEndpoints = slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready === true);
        return slices.length > 0 && readyEndpoints.length === ready ? readyEndpoints : undefined;
      }, { timeoutMs: 15_000 }).catch(async (err: unknown) => {
        const slices = await getJson<{ items: EndpointSlice[] }>(ns, 'endpointslices', '-l', `kubernetes.io/service-name=${name}`);
        throw new Error(`EndpointSlices of ${name} do not list its ${ready} ready pods: ${JSON.stringify(slices.items.map((s) => s.endpoints))}`, { cause: err });
      });
      for (const e of endpoints) {
        assert.ok((e.addresses ?? []).length > 0, `endpoint ${JSON.stringify(e)} has an address`);
        assert.ok(e.targetRef?.name.startsWith(`${name}-`), `endpoint ${e.targetRef?.name} of ${name} is a ${version} pod`);
      }
      t.diagnostic(`x-version: ${version} -> ${rule?.name ?? 'no rule'} -> Service ${name} -> ${endpoints.length} ready endpoints`);
    }
  });

  test('--auto-promote-after 3s with run --wait switches by itself about 3 s after the preview is ready (item 6)', async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await deploy(ns, '1.0.0'), 'install 1.0.0');
    assertOk(await deploy(ns, '2.0.0'), 'upgrade to 2.0.0');

    const deploymentWatch = watch(ns, ['deployments', '--field-selector', 'metadata.name=web-2-0-0']);
    const serviceWatch = watch(ns, ['services', '--field-selector', 'metadata.name=web']);
    const stateWatch = watch(ns, ['configmaps', '--field-selector', 'metadata.name=switchyard.web']);
    t.after(() => { deploymentWatch.kill('SIGKILL'); serviceWatch.kill('SIGKILL'); stateWatch.kill('SIGKILL'); });
    await waitFor(() => events(deploymentWatch).length >= 1 && events(serviceWatch).length >= 1, { intervalMs: 20 });
    const stateHas = (event: string): boolean => events<{ data?: { state?: string } }>(stateWatch)
      .some((e) => ((JSON.parse(e.object.data?.state ?? '{}') as Partial<State>).history ?? []).some((h) => h.event === event));

    // Local times, polled every 20 ms: when web-2-0-0's pods were ready, when the run recorded
    // that the preview is ready (the Pausing entry that starts the 3 s), and when Service web flipped.
    const started = performance.now();
    const runner = spawnChild(toolPaths.kubectl, ['bluegreen', 'run', 'web', '--wait', '--auto-promote-after', '3s', '--scale-down-delay', '0', '-n', ns]);
    t.after(() => runner.kill('SIGKILL'));
    let readyAt: number | undefined;
    let pausingAt: number | undefined;
    let flippedAt: number | undefined;
    let exitedAt: number | undefined;
    void runner.exited.then(() => { exitedAt = performance.now(); });
    // Until the run has exited and the flip was seen (at most 2 s of watch lag after the exit).
    for (;;) {
      const now = performance.now();
      if (readyAt === undefined && events<Deployment>(deploymentWatch).some((e) => (e.object.status?.readyReplicas ?? 0) >= 2)) readyAt = now;
      if (pausingAt === undefined && stateHas('Pausing')) pausingAt = now;
      if (flippedAt === undefined && events<Service>(serviceWatch).some((e) => e.object.spec.selector?.[VERSION] === '2.0.0')) flippedAt = now;
      if (exitedAt !== undefined && (flippedAt !== undefined || now - exitedAt > 2_000)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const result = await runner.exited;
    assertOk(result, 'kubectl bluegreen run web --wait --auto-promote-after 3s');
    assert.equal(await selects(ns), '2.0.0', 'the stable Service selects 2.0.0');
    assert.ok(readyAt !== undefined && pausingAt !== undefined && flippedAt !== undefined, `the watches saw 2.0.0 ready (${readyAt}), the Pausing entry (${pausingAt}) and the flip (${flippedAt})`);
    const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
    t.diagnostic(`from the run's start: pods ready ${fmt(readyAt - started)}, preview ready (Pausing) ${fmt(pausingAt - started)}, flip ${fmt(flippedAt - started)}, exit ${fmt(exitedAt! - started)}`);
    assert.ok(flippedAt - readyAt >= 2_900, `switched ${Math.round(flippedAt - readyAt)} ms after the pods were ready, before the 3 s`);
    assert.ok(flippedAt - pausingAt >= 2_900 && flippedAt - pausingAt <= 4_500, `switched ${Math.round(flippedAt - pausingAt)} ms after the run found the preview ready, not about 3 s`);

    // The product's own record agrees: paused 3 s once ready, then promoted.
    const s = await storedState<State>(ns);
    assert.equal(s.phase, 'Healthy');
    assert.equal(s.stable, '2.0.0');
    const pausing = s.history.find((e) => e.event === 'Pausing' && e.version === '2.0.0');
    const promoted = s.history.find((e) => e.event === 'Promoted' && e.version === '2.0.0');
    assert.ok(pausing !== undefined && promoted !== undefined, `history: ${s.history.map((e) => e.event).join(', ')}`);
    const recorded = Date.parse(promoted.at) - Date.parse(pausing.at);
    assert.ok(recorded >= 3_000 && recorded <= 4_500, `history: Pausing -> Promoted took ${recorded} ms`);
    assert.equal(s.history.filter((e) => e.event === 'Paused').length, 0, 'no indefinite pause waiting for a switch');
  });

  test('preview prints the preview Service, the header and a curl line; versions lists every live version with its role (item 7)', async (t) => {
    const ns = await freshNamespace(t);
    await threeLiveVersions(t, ns, { scaleDownOld: false });

    const preview = await bluegreen(ns, ['preview', 'web']);
    assertOk(preview, 'kubectl bluegreen preview web');
    t.diagnostic(`preview:\n${preview.stdout}`);
    assert.match(preview.stdout, /^Preview:\s+3\.0\.0 \(2\/2 ready\), active: 2\.0\.0$/m);
    assert.match(preview.stdout, new RegExp(`^Service:\\s+web-preview\\.${ns}\\.svc:80$`, 'm'), 'the preview Service');
    assert.match(preview.stdout, /^Header:\s+x-version: 3\.0\.0$/m, 'the header');
    assert.match(preview.stdout, /curl -H 'x-version: 3\.0\.0' http:\/\/web\.example\.com\//, 'a curl line with the header and the route\'s host');
    assert.equal(await selects(ns, 'web-preview'), '3.0.0', 'the Service preview names exists and selects 3.0.0');

    const versions = await bluegreen(ns, ['versions', 'web']);
    assertOk(versions, 'kubectl bluegreen versions web');
    t.diagnostic(`versions:\n${versions.stdout}`);
    const lines = versions.stdout.trim().split('\n');
    assert.match(lines[0]!, /^VERSION\s+ROLE\s+READY\s+SERVICE\s+ROUTE$/);
    const rows = Object.fromEntries(lines.slice(1).map((line) => {
      const [version, role, ready, service, ...route] = line.trim().split(/\s+/);
      return [version!, { role, ready, service, route: route.join(' ') }];
    }));
    assert.deepEqual(rows, {
      '1.0.0': { role: 'retained', ready: '2/2', service: 'web-1-0-0', route: 'x-version: 1.0.0' },
      '2.0.0': { role: 'stable', ready: '2/2', service: 'web-2-0-0', route: 'x-version: 2.0.0' },
      '3.0.0': { role: 'preview', ready: '2/2', service: 'web-3-0-0', route: 'x-version: 3.0.0' },
    });

    const json = await bluegreen(ns, ['versions', 'web', '-o', 'json']);
    assertOk(json, 'versions -o json');
    const view = JSON.parse(json.stdout) as RolloutStatus;
    assert.deepEqual(view.versions.map((v) => [v.version, v.role]).sort(), [['1.0.0', 'retained'], ['2.0.0', 'stable'], ['3.0.0', 'preview']]);
  });

  test('preview with no preview deployed fails with exit 1 and says why', async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await deploy(ns, '1.0.0'), 'install 1.0.0');
    const preview = await bluegreen(ns, ['preview', 'web']);
    assert.match(preview.stderr, /web has no preview: deploy a new version with --strategy bluegreen first \(active: 1\.0\.0\)/);
    // docs/commands.md, exit codes: 1 is "the operation failed: ... no such app, nothing to roll
    // back to"; 2 is a usage error (unknown flag, missing argument, bad -o or duration).
    assert.equal(preview.code, 1, `nothing to preview is a failed operation (exit 1), not a usage error; got ${preview.code}\nstderr: ${preview.stderr}`);
    assert.doesNotMatch(preview.stderr, /--help/, 'no pointer to --help: the command line was right');
  });
});
