// A small chart that start-up caches are built from: rendering it once compiles the
// transform's code, so a V8 code cache written afterwards (the post-renderer's bundle,
// esbuild.config.mjs; the standalone binaries, cmd/switchyard) holds that code compiled.
import { sinkIo } from './io.ts';
import { runPostRenderer } from './postrender.ts';

/**
 * A release shaped like the charts people write (`helm create`'s and the common library
 * charts' output): Helm's `# Source:` lines, a ServiceAccount, a Secret and a ConfigMap the
 * Deployment reads, its Service, an HPA and an Ingress that refer to it by name, a
 * PodDisruptionBudget, and a CustomResourceDefinition, with the YAML those charts use
 * (comments, plain scalars over several lines, single- and double-quoted scalars, `|` and
 * `>` block scalars, flow sequences and mappings). Every code path a render of such a chart
 * takes is then compiled into the cache, not only the ones a minimal chart reaches.
 */
export const WARM_UP = `---
# Source: web/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
  labels:
    helm.sh/chart: web-0.1.0
    app.kubernetes.io/name: web
    app.kubernetes.io/instance: rel
automountServiceAccountToken: false
---
# Source: web/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: web
type: Opaque
data:
  password: "c2VjcmV0"
---
# Source: web/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  app.conf: |
    listen 8080;
    # a comment inside a block scalar
  mode: 'production'
---
# Source: web/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {app.kubernetes.io/name: web, app.kubernetes.io/instance: rel}
spec:
  type: ClusterIP
  ports:
    - port: 80
      targetPort: http
      protocol: TCP
      name: http
  selector:
    app.kubernetes.io/name: web
    app.kubernetes.io/instance: rel
---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app.kubernetes.io/name: web
    app.kubernetes.io/instance: rel
  annotations:
    description: a plain scalar that goes on
      over a second line
spec:
  replicas: 2
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app.kubernetes.io/name: web
      app.kubernetes.io/instance: rel
  template:
    metadata:
      annotations:
        checksum/config: 0123456789abcdef
      labels:
        app.kubernetes.io/name: web
        app.kubernetes.io/instance: rel
    spec:
      serviceAccountName: web
      securityContext: {}
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 1
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    app.kubernetes.io/name: web
      containers:
        - name: web # the app
          image: "nginx:1.27"
          imagePullPolicy: IfNotPresent
          args: ["--port", "8080"]
          command:
          - /bin/sh
          - -c
          - >
            exec nginx
            -g 'daemon off;'
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          env:
            - name: PASSWORD
              valueFrom:
                secretKeyRef:
                  name: web
                  key: password
            - name: EMPTY
              value: ""
          envFrom:
            - configMapRef:
                name: web-config
          livenessProbe:
            httpGet:
              path: /
              port: http
          readinessProbe:
            httpGet: {path: /ready, port: http}
            initialDelaySeconds: 5
          resources:
            limits:
              cpu: 500m
              memory: 128Mi
          volumeMounts:
            - name: config
              mountPath: /etc/web
              readOnly: true
      volumes:
        - name: config
          configMap:
            name: web-config
        - name: cache
          emptyDir: {}
      nodeSelector: {}
      tolerations: []
---
# Source: web/templates/hpa.yaml
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 1
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 80
---
# Source: web/templates/ingress.yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  ingressClassName: nginx
  rules:
    - host: "web.local"
      http:
        paths:
          - path: /
            pathType: ImplementationSpecific
            backend:
              service:
                name: web
                port:
                  number: 80
---
# Source: web/templates/pdb.yaml
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: web
---
# Source: web/crds/widgets.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names:
    kind: Widget
    plural: widgets
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          description: Widget is a thing. Its description, as controller-gen writes
            it, goes on over several lines.
          type: object
          properties:
            spec:
              description: |-
                The desired state.
              type: object
              x-kubernetes-preserve-unknown-fields: true
`;

/** Runs the offline post-renderer on {@link WARM_UP} in memory (nothing is printed); fails if it does. */
export async function warmUp(): Promise<void> {
  const code = await runPostRenderer(['--offline', '--version', '1.0.0'], sinkIo(WARM_UP));
  if (code !== 0) throw new Error(`the warm-up render exited ${code}`);
}
