import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { KUBE_YAML } from '../manifest/index.ts';
import { render } from './transform.ts';
import type { RenderOptions } from './transform.ts';
import { FIRST_INSTALL } from './types.ts';
import type { KubeObject, ObservedState } from './types.ts';
import { TEMPLATE_HASH_ANNOTATION, VERSION_SOURCE_ANNOTATION } from './labels.ts';

// The rule of DESIGN.md "A version is a pod template", on a chart shaped like `helm create`
// makes them: the version label is the chart's appVersion, the image tag a value.

interface ChartValues {
  tag?: string;
  appVersion?: string;
  env?: string;
  config?: string;
  worker?: boolean;
  workerManaged?: boolean;
  redisClaim?: 'ReadWriteOnce' | 'ReadWriteMany';
}

function chart(v: ChartValues = {}): string {
  const { tag = '1.16.0', appVersion = '1.16.0', env = 'info', config = 'a: 1' } = v;
  const labels = (name: string): string => `    app.kubernetes.io/name: ${name}\n    app.kubernetes.io/instance: rel\n    app.kubernetes.io/version: "${appVersion}"\n    helm.sh/chart: mychart-0.1.0`;
  const docs = [
    `# Source: mychart/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rel-mychart\ndata:\n  settings.yaml: |\n    ${config}\n`,
    `# Source: mychart/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: rel-mychart\n  labels:\n${labels('mychart')}\nspec:\n  type: ClusterIP\n  ports:\n    - port: 80\n      targetPort: http\n      protocol: TCP\n      name: http\n  selector:\n    app.kubernetes.io/name: mychart\n    app.kubernetes.io/instance: rel\n`,
    `# Source: mychart/templates/redis.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: rel-redis\nspec:\n  ports:\n    - port: 6379\n      name: tcp-redis\n  selector:\n    app.kubernetes.io/name: redis\n`,
    `# Source: mychart/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: rel-mychart\n  labels:\n${labels('mychart')}\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: mychart\n      app.kubernetes.io/instance: rel\n  template:\n    metadata:\n      labels:\n    ${labels('mychart').replaceAll('\n', '\n    ')}\n    spec:\n      enableServiceLinks: no\n      containers:\n        - name: mychart\n          image: "nginx:${tag}"\n          env:\n            - name: LOG_LEVEL\n              value: ${env}\n          ports:\n            - name: http\n              containerPort: 80\n          volumeMounts:\n            - name: config\n              mountPath: /etc/app\n      volumes:\n        - name: config\n          configMap:\n            name: rel-mychart\n            defaultMode: 0644\n        - name: secret\n          secret:\n            secretName: external-secret\n            defaultMode: 0400\n`,
    `# Source: mychart/templates/redis.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: rel-redis\nspec:\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: redis\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: redis\n    spec:\n      containers:\n        - name: redis\n          image: redis:7.2\n          volumeMounts:\n            - name: data\n              mountPath: /data\n      volumes:\n        - name: data\n          persistentVolumeClaim:\n            claimName: rel-redis-data\n`,
    `# Source: mychart/templates/redis.yaml\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: rel-redis-data\nspec:\n  accessModes: [${v.redisClaim ?? 'ReadWriteOnce'}]\n  resources:\n    requests:\n      storage: 1Gi\n`,
    `# Source: mychart/templates/hpa.yaml\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: rel-mychart\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: rel-mychart\n  minReplicas: 1\n  maxReplicas: 5\n`,
  ];
  if (v.worker === true) {
    docs.push(`# Source: mychart/templates/worker.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: rel-worker\n${v.workerManaged === true ? '  annotations:\n    switchyard.dev/managed: "true"\n' : ''}spec:\n  selector:\n    matchLabels:\n      app: worker\n  template:\n    metadata:\n      labels:\n        app: worker\n    spec:\n      containers:\n        - name: worker\n          image: "worker:${tag}"\n          envFrom:\n            - configMapRef:\n                name: rel-mychart\n`);
  }
  return docs.map((d) => `---\n${d}`).join('');
}

const decode = (text: string): KubeObject[] => parseAllDocuments(text, KUBE_YAML).map((d) => d.toJS() as KubeObject).filter((o) => o !== null);
const find = (objs: KubeObject[], kind: string, name: string): KubeObject | undefined => objs.find((o) => o.kind === kind && o.metadata.name === name);

/** The cluster after a render was applied and its first version made stable, as observe() reads it. */
function liveAfter(text: string, ready = true): ObservedState {
  const objs = decode(text);
  const apps: ObservedState['apps'] = {};
  for (const d of objs.filter((o) => o.kind === 'Deployment' && o.metadata.labels?.['switchyard.dev/role'] === 'workload')) {
    const app = d.metadata.labels!['switchyard.dev/app']!;
    const version = d.metadata.labels!['switchyard.dev/version']!;
    const spec = d.spec as { replicas?: number; template: unknown };
    const entry = (apps[app] ??= { versions: {}, weights: {}, stable: version });
    entry.versions[version] = {
      version, deployment: d.metadata.name, replicas: spec.replicas ?? 1, readyReplicas: ready ? spec.replicas ?? 1 : 0,
      templateHash: d.metadata.annotations![TEMPLATE_HASH_ANNOTATION]!, template: spec.template, labels: d.metadata.labels!,
      ...(d.metadata.annotations![VERSION_SOURCE_ANNOTATION] === undefined ? {} : { source: d.metadata.annotations![VERSION_SOURCE_ANNOTATION] }),
    };
  }
  return { apps, cluster: { routers: ['gateway'] } };
}

function upgrade(from: ChartValues, to: ChartValues, options: RenderOptions = {}) {
  const first = render(chart(from), { ...options, version: undefined, versions: {} }, FIRST_INSTALL);
  const result = render(chart(to), options, liveAfter(first.text));
  return { first, result, objs: decode(result.text) };
}

test('a first install names the version after the first image tag; YAML 1.1 values keep the value the API server reads', () => {
  const { text, apps } = render(chart(), {}, FIRST_INSTALL);
  assert.deepEqual(apps.map((a) => [a.app, a.version, a.source]), [['rel-mychart', '1.16.0', 'image-tag']]);
  const dep = find(decode(text), 'Deployment', 'rel-mychart-1-16-0')!;
  const pod = (dep.spec as any).template.spec;
  assert.equal(pod.volumes[0].configMap.defaultMode, 0o644);
  assert.equal(pod.volumes[1].secret.defaultMode, 0o400);
  assert.equal(pod.enableServiceLinks, false);
  assert.match(text, /defaultMode: 0644\n/);
  assert.match(text, /defaultMode: 0400\n/);
  assert.match(text, /enableServiceLinks: no\n/);
});

test('the CI upgrade (--set image.tag, appVersion unchanged) starts a canary named after the tag; the stable Deployment is emitted unchanged', () => {
  const { first, result, objs } = upgrade({}, { tag: '1.0.1' });
  assert.deepEqual(result.apps.map((a) => [a.version, a.changed, a.source, a.plan.tracks.map((t) => `${t.version}:${t.role}:${t.weight}`)]), [['1.0.1', true, 'image-tag', ['1.16.0:stable:100', '1.0.1:canary:0']]]);
  const canary = find(objs, 'Deployment', 'rel-mychart-1-0-1')!;
  assert.equal((canary.spec as any).template.spec.containers[0].image, 'nginx:1.0.1');
  assert.equal((canary.spec as any).replicas, 1);
  // The stable version is not in the new manifest (Helm keeps it: resource-policy keep), so it is not edited.
  assert.equal(find(objs, 'Deployment', 'rel-mychart-1-16-0'), undefined);
  assert.ok(find(decode(first.text), 'Deployment', 'rel-mychart-1-16-0'));
  // The Service stays pinned to the stable version; the HPA follows it.
  assert.equal((find(objs, 'Service', 'rel-mychart')!.spec as any).selector['switchyard.dev/version'], '1.16.0');
  assert.equal((find(objs, 'HorizontalPodAutoscaler', 'rel-mychart')!.spec as any).scaleTargetRef.name, 'rel-mychart-1-16-0');
});

test('an unchanged template is the same version: the same Deployment, nothing new, nothing moves', () => {
  const { first, result } = upgrade({}, {});
  assert.deepEqual(result.apps.map((a) => [a.version, a.changed, a.plan.tracks.length]), [['1.16.0', false, 1]]);
  assert.equal(result.text, first.text);
});

test('an env change with the same image is a new version named by its template hash; a config-only change too', () => {
  const env = upgrade({}, { env: 'debug' }).result.apps[0]!;
  assert.equal(env.source, 'hash');
  assert.match(env.version, /^[0-9a-f]{7}$/);
  const cfg = upgrade({}, { config: 'a: 2' });
  const app = cfg.result.apps[0]!;
  assert.ok(app.changed);
  assert.notEqual(app.version, env.version);
  // The new version reads its own copy of the ConfigMap; the stable version's copy is not re-emitted, so it keeps the old content.
  const copy = find(cfg.objs, 'ConfigMap', `rel-mychart-${app.version}`)!;
  assert.equal((copy.data as any)['settings.yaml'], 'a: 2\n');
  assert.equal(copy.metadata.labels?.['switchyard.dev/role'], 'config');
  assert.equal(copy.metadata.annotations?.['helm.sh/resource-policy'], 'keep');
  const canary = cfg.objs.find((o) => o.kind === 'Deployment' && o.metadata.labels?.['switchyard.dev/version'] === app.version)!;
  assert.equal((canary.spec as any).template.spec.volumes[0].configMap.name, `rel-mychart-${app.version}`);
  assert.equal((canary.spec as any).template.spec.volumes[1].secret.secretName, 'external-secret', 'a Secret that is not in the chart is not copied');
  assert.equal(find(cfg.objs, 'ConfigMap', 'rel-mychart-1-16-0'), undefined);
  const stableCopy = find(decode(cfg.first.text), 'ConfigMap', 'rel-mychart-1-16-0')!;
  assert.equal((stableCopy.data as any)['settings.yaml'], 'a: 1\n');
});

test('an appVersion bump without a new image takes the label', () => {
  const app = upgrade({}, { appVersion: '2.0.0' }).result.apps[0]!;
  assert.deepEqual([app.version, app.source], ['2.0.0', 'label']);
});

test('--version names only the workloads that changed; --version app=v names one; a taken name gets a hash suffix', () => {
  const many = upgrade({ worker: true, workerManaged: true }, { worker: true, workerManaged: true, env: 'debug' }, { version: 'X' });
  assert.deepEqual(many.result.apps.map((a) => [a.app, a.version, a.changed]), [['rel-mychart', 'X', true], ['rel-worker', '1.16.0', false]]);
  const one = upgrade({}, { env: 'debug' }, { versions: { 'rel-mychart': 'v7' } });
  assert.equal(one.result.apps[0]!.version, 'v7');
  const taken = upgrade({}, { env: 'debug' }, { version: '1.16.0' }).result.apps[0]!;
  assert.match(taken.version, /^1\.16\.0-[0-9a-f]{5}$/);
  const unchanged = upgrade({}, {}, { versions: { 'rel-mychart': 'v7' } }).result;
  assert.ok(unchanged.warnings.some((w) => w.includes('--version rel-mychart=v7: the pod template of rel-mychart is unchanged')), unchanged.warnings.join('\n'));
});

test('a Deployment with a ReadWriteOnce claim, or selected by no Service, is left to Helm with one warning; a managed annotation includes it', () => {
  const { text, apps, warnings } = render(chart({ worker: true }), {}, FIRST_INSTALL);
  assert.deepEqual(apps.map((a) => a.app), ['rel-mychart']);
  assert.ok(warnings.some((w) => /^Deployment rel-redis is left to Helm: it mounts the ReadWriteOnce claim rel-redis-data, so two versions cannot run side by side$/.test(w)), warnings.join('\n'));
  assert.ok(warnings.some((w) => w.startsWith('Deployment rel-worker is left to Helm: no Service of the chart selects its pods')), warnings.join('\n'));
  assert.ok(find(decode(text), 'Deployment', 'rel-redis'));
  assert.ok(text.includes('image: redis:7.2'));
  assert.equal(find(decode(text), 'Service', 'rel-redis-1-16-0'), undefined);
  const rwx = render(chart({ redisClaim: 'ReadWriteMany' }), {}, FIRST_INSTALL);
  assert.deepEqual(rwx.apps.map((a) => [a.app, a.version]), [['rel-mychart', '1.16.0'], ['rel-redis', '7.2']]);
  // A ConfigMap read by two managed apps gets one copy per app.
  const both = render(chart({ worker: true, workerManaged: true }), {}, FIRST_INSTALL);
  assert.deepEqual(both.apps.map((a) => a.app), ['rel-mychart', 'rel-worker']);
  const objs = decode(both.text);
  assert.ok(find(objs, 'ConfigMap', 'rel-mychart-rel-mychart-1-16-0'));
  assert.ok(find(objs, 'ConfigMap', 'rel-mychart-rel-worker-1-16-0'));
  const excluded = render(chart({ worker: true, workerManaged: true }), { exclude: ['rel-worker'] }, FIRST_INSTALL);
  assert.deepEqual(excluded.apps.map((a) => a.app), ['rel-mychart']);
});

test('a workload switchyard rolls out that turns unmanageable is an error that says how to hand it back', () => {
  const first = render(chart({ redisClaim: 'ReadWriteMany' }), {}, FIRST_INSTALL);
  assert.throws(() => render(chart(), {}, liveAfter(first.text)), /^RenderError: Deployment rel-redis is rolled out by switchyard \(live versions: 7\.2\) but it mounts the ReadWriteOnce claim rel-redis-data, so two versions cannot run side by side; .*kubectl canary delete rel-redis/);
});

test('routes only where traffic is routed: none for a chart without routes; --gateway asks for one for HTTP Services only', () => {
  const plain = render(chart({ redisClaim: 'ReadWriteMany' }), {}, FIRST_INSTALL);
  assert.equal(decode(plain.text).filter((o) => o.kind === 'HTTPRoute').length, 0);
  const asked = render(chart({ redisClaim: 'ReadWriteMany' }), { gateway: { name: 'public', namespace: 'infra' } }, FIRST_INSTALL);
  const routes = decode(asked.text).filter((o) => o.kind === 'HTTPRoute');
  assert.deepEqual(routes.map((r) => r.metadata.name), ['rel-mychart']);
  const perApp = render(chart({ redisClaim: 'ReadWriteMany' }), { gateways: { 'rel-redis': { name: 'tcp' } } }, FIRST_INSTALL);
  assert.deepEqual(decode(perApp.text).filter((o) => o.kind === 'HTTPRoute').map((r) => r.metadata.name), ['rel-redis']);
});

test('a repeated key is read as the API server reads it (the last one wins), with one warning, and written once', () => {
  const input = chart().replace('          env:\n', '          resources:\n            limits: {cpu: 1}\n          resources:\n            limits: {cpu: 2}\n          env:\n');
  const { text, warnings } = render(input, {}, FIRST_INSTALL);
  assert.equal(warnings.filter((w) => w.includes('repeated')).length, 1);
  assert.match(warnings.find((w) => w.includes('repeated'))!, /^document 4 \(mychart\/templates\/deployment\.yaml\), Deployment rel-mychart: the key "resources" is repeated \(line \d+\); the last one wins/);
  const pod = (find(decode(text), 'Deployment', 'rel-mychart-1-16-0')!.spec as any).template.spec;
  assert.deepEqual(pod.containers[0].resources, { limits: { cpu: 2 } });
  assert.equal(text.match(/ {10}resources:\n/g)?.length, 1);
});

test('a Deployment written before template identities is matched by its live template, API-server defaults and quantities allowed', () => {
  const first = render(chart(), {}, FIRST_INSTALL);
  const live = liveAfter(first.text);
  const version = live.apps['rel-mychart']!.versions['1.16.0']!;
  delete version.templateHash;
  const template = structuredClone(version.template) as any;
  template.spec.containers[0].imagePullPolicy = 'IfNotPresent';
  template.spec.containers[0].terminationMessagePath = '/dev/termination-log';
  template.spec.containers[0].ports[0].protocol = 'TCP';
  template.spec.dnsPolicy = 'ClusterFirst';
  template.spec.volumes[0].configMap.name = 'rel-mychart'; // written before per-version config
  version.template = template;
  const same = render(chart(), {}, live);
  assert.deepEqual(same.apps.map((a) => [a.version, a.changed]), [['1.16.0', false]]);
  const changed = render(chart({ tag: '1.0.1' }), {}, live);
  assert.deepEqual(changed.apps.map((a) => [a.version, a.changed]), [['1.0.1', true]]);
});
