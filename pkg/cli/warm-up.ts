// A small chart that start-up caches are built from: rendering it once compiles the
// transform's code, so a V8 code cache written afterwards (the post-renderer's bundle,
// esbuild.config.mjs; the standalone binaries, cmd/switchyard) holds that code compiled.
import { sinkIo } from './io.ts';
import { runPostRenderer } from './postrender.ts';

/** A Service and the Deployment it selects, with a block scalar. */
export const WARM_UP = `apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {app: web}
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: "nginx:1.27"
        ports:
        - name: http
          containerPort: 80
        env:
        - name: NOTE
          value: |
            warm
`;

/** Runs the offline post-renderer on {@link WARM_UP} in memory (nothing is printed); fails if it does. */
export async function warmUp(): Promise<void> {
  const code = await runPostRenderer(['--offline', '--version', '1.0.0'], sinkIo(WARM_UP));
  if (code !== 0) throw new Error(`the warm-up render exited ${code}`);
}
