// DESIGN.md "A version is a pod template", end to end under the real Helm 3 and Helm 4:
// a chart made by the real `helm create` (its version label is the appVersion, its image
// tag a value) and testdata/charts/shop (an app with an HPA, a worker without a Service, a
// Redis-like store on a ReadWriteOnce claim, one ConfigMap both workloads read).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import { assertOk, canary, freshNamespace, getJson, helm, kubectl, postRendererFlags, repoRoot, run, type HelmMajor } from './harness.ts';

type Labels = Record<string, string>;
interface Meta { name: string; uid?: string; generation?: number; labels?: Labels; annotations?: Labels }
interface Container { name: string; image: string; env?: { name: string; valueFrom?: { configMapKeyRef?: { name: string } } }[]; envFrom?: { configMapRef?: { name: string } }[] }
interface PodTemplate { metadata: { labels?: Labels }; spec: { containers: Container[]; volumes?: { name: string; configMap?: { name: string; defaultMode?: number } }[] } }
interface Deployment { metadata: Meta; spec: { replicas?: number; template: PodTemplate } }
interface ConfigMap { metadata: Meta; data?: Record<string, string> }

const shopChart = join(repoRoot, 'testdata', 'charts', 'shop');

async function deployments(ns: string): Promise<Map<string, Deployment>> {
  const { items } = await getJson<{ items: Deployment[] }>(ns, 'deployments');
  return new Map(items.map((d) => [d.metadata.name, d]));
}

/** The versioned Deployments of one app, by version. */
function versionsOf(all: Map<string, Deployment>, app: string): Map<string, Deployment> {
  const out = new Map<string, Deployment>();
  for (const d of all.values()) if (d.metadata.labels?.['switchyard.dev/app'] === app && d.metadata.labels['switchyard.dev/role'] === 'workload') out.set(d.metadata.labels['switchyard.dev/version']!, d);
  return out;
}

/** What an upgrade must not change of a Deployment: its name, uid, generation and pod template. */
const fixed = (d: Deployment | undefined): unknown => d === undefined ? undefined : { name: d.metadata.name, uid: d.metadata.uid, generation: d.metadata.generation, template: d.spec.template };

async function upgrade(major: HelmMajor, ns: string, release: string, chart: string, extra: string[]): Promise<{ stderr: string }> {
  const result = await helm(major, ['upgrade', '--install', release, chart, '-n', ns, ...postRendererFlags(major), ...extra]);
  assertOk(result, `helm ${major} upgrade ${extra.join(' ')}`);
  return result;
}

async function noRoutes(ns: string): Promise<void> {
  const routes = await getJson<{ items: unknown[] }>(ns, 'httproutes.gateway.networking.k8s.io');
  assert.equal(routes.items.length, 0, 'no HTTPRoute is generated for Services no route targets');
}

test('the post-renderer names the workloads it leaves to Helm, one warning each', async () => {
  const rendered = await helm(3, ['template', 'shop', shopChart]);
  assertOk(rendered, 'helm template');
  const out = await run(join(repoRoot, 'dist', 'switchyard-postrender'), ['--offline'], { input: rendered.stdout });
  assertOk(out, 'switchyard-postrender --offline');
  assert.deepEqual(out.stderr.trim().split('\n'), [
    'switchyard-postrender: warning: Deployment shop-redis is left to Helm: it mounts the ReadWriteOnce claim shop-redis-data, so two versions cannot run side by side',
  ]);
});

suite('a version is a pod template', { concurrency: true }, () => {
  for (const major of [3, 4] as const) {
    test(`Helm ${major}: a helm create chart upgraded the CI way (--set image.tag) starts a canary; the stable Deployment is untouched`, async (t) => {
      const ns = await freshNamespace(t);
      const dir = mkdtempSync(join(tmpdir(), 'switchyard-create-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      assertOk(await helm(major, ['create', join(dir, 'mychart')]), 'helm create');
      const chart = join(dir, 'mychart');

      await upgrade(major, ns, 'rel', chart, []);
      const installed = await deployments(ns);
      const stable = installed.get('rel-mychart-1-16-0');
      assert.ok(stable !== undefined, `first install: rel-mychart-1-16-0 among ${[...installed.keys()].join(', ')}`);
      assert.equal(stable.metadata.annotations?.['switchyard.dev/version-source'], 'image-tag');

      // The same values again: the same version, nothing new.
      await upgrade(major, ns, 'rel', chart, []);
      assert.deepEqual([...(await deployments(ns)).keys()], [...installed.keys()]);

      await upgrade(major, ns, 'rel', chart, ['--set', 'image.tag=1.0.1']);
      const after = await deployments(ns);
      assert.deepEqual(fixed(after.get('rel-mychart-1-16-0')), fixed(stable), 'the stable Deployment keeps its name, template and generation');
      const versions = versionsOf(after, 'rel-mychart');
      assert.deepEqual([...versions.keys()].sort(), ['1.0.1', '1.16.0'], 'exactly one new version');
      assert.equal(versions.get('1.0.1')!.spec.template.spec.containers[0]!.image, 'nginx:1.0.1');
      assert.equal(versions.get('1.0.1')!.spec.replicas, 1, 'the canary starts with one pod');
      const svc = await getJson<{ spec: { selector: Labels } }>(ns, 'service', 'rel-mychart');
      assert.equal(svc.spec.selector['switchyard.dev/version'], '1.16.0', 'the Service still selects the stable version');
      await noRoutes(ns);
    });

    test(`Helm ${major}: an app, a worker and a Redis-like store: config travels with its version, the store is left to Helm, run --wait promotes and the HPA follows`, async (t) => {
      const ns = await freshNamespace(t);
      await upgrade(major, ns, 'shop', shopChart, []);
      const installed = await deployments(ns);
      assert.deepEqual([...installed.keys()].sort(), ['shop-redis', 'shop-web-2-4-0', 'shop-worker-2-4-0']);
      const web = installed.get('shop-web-2-4-0')!;
      assert.equal(web.spec.template.spec.volumes?.[0]?.configMap?.name, 'shop-settings-shop-web-2-4-0', 'a ConfigMap two apps read: one copy per app');
      assert.equal(web.spec.template.spec.volumes?.[0]?.configMap?.defaultMode, 0o444, '0444 reaches the API server as 292');
      const redis = installed.get('shop-redis')!;
      await noRoutes(ns);

      // A config-only change is a new version of both workloads that read it; stable pods keep reading the old content.
      await upgrade(major, ns, 'shop', shopChart, ['--set', 'greeting=hola']);
      const configured = await deployments(ns);
      assert.deepEqual(fixed(configured.get('shop-web-2-4-0')), fixed(web), 'the stable web Deployment is untouched');
      assert.deepEqual(fixed(configured.get('shop-redis')), fixed(redis), 'the store is untouched');
      const webVersions = versionsOf(configured, 'shop-web');
      const next = [...webVersions.keys()].find((v) => v !== '2.4.0');
      assert.ok(next !== undefined && /^[0-9a-f]{7}$/.test(next), `a new web version named by its template hash: ${[...webVersions.keys()].join(', ')}`);
      assert.equal(webVersions.get(next)!.metadata.annotations?.['switchyard.dev/version-source'], 'hash');
      assert.equal(versionsOf(configured, 'shop-worker').size, 2, 'the worker reads the ConfigMap too');
      const oldCopy = await getJson<ConfigMap>(ns, 'configmap', 'shop-settings-shop-web-2-4-0');
      const newCopy = await getJson<ConfigMap>(ns, 'configmap', webVersions.get(next)!.spec.template.spec.volumes![0]!.configMap!.name);
      assert.equal(oldCopy.data?.greeting, 'hello');
      assert.equal(newCopy.data?.greeting, 'hola');

      // The canary is promoted by the engine; the HPA then targets the new stable Deployment.
      assertOk(await kubectl(['-n', ns, 'wait', '--for=condition=Available', `deployment/${webVersions.get(next)!.metadata.name}`, '--timeout=60s']), 'canary available');
      assertOk(await canary(ns, ['run', 'shop-web', '--wait', '--steps', '50,100', '--scale-down-delay', '0', '--timeout', '2m']), 'canary run --wait');
      const hpa = await getJson<{ spec: { scaleTargetRef: { name: string } } }>(ns, 'hpa', 'shop-web');
      assert.equal(hpa.spec.scaleTargetRef.name, webVersions.get(next)!.metadata.name);
      const status = JSON.parse((await canary(ns, ['status', 'shop-web', '-o', 'json'])).stdout) as { stable: string; versions: { version: string; source?: string }[] };
      assert.equal(status.stable, next);
      assert.equal(status.versions.find((v) => v.version === next)?.source, 'hash');

      // Then the CI way: a new image tag, appVersion unchanged.
      const promoted = await deployments(ns);
      await upgrade(major, ns, 'shop', shopChart, ['--set', 'greeting=hola', '--set', 'image.tag=2.5.0']);
      const tagged = await deployments(ns);
      assert.deepEqual(fixed(tagged.get(webVersions.get(next)!.metadata.name)), fixed(promoted.get(webVersions.get(next)!.metadata.name)), 'the new stable web Deployment is untouched');
      assert.deepEqual(fixed(tagged.get('shop-redis')), fixed(redis), 'the store is still untouched');
      assert.ok(tagged.has('shop-web-2-5-0') && tagged.has('shop-worker-2-5-0'), `one new version per changed workload: ${[...tagged.keys()].join(', ')}`);
      assert.equal((await getJson<{ spec: { scaleTargetRef: { name: string } } }>(ns, 'hpa', 'shop-web')).spec.scaleTargetRef.name, webVersions.get(next)!.metadata.name, 'the HPA stays on the stable version');
    });
  }
});
