import { childName, versionSlug } from '../../render/index.ts';
import type { AppStatus } from '../../rollout/view.ts';

/** The Services of an app that `versions` can name. */
export interface VersionServices {
  /** The chart's stable Service, whose name the per-version Services extend. */
  stable: string | undefined;
  /** Names of the per-version Services that exist. */
  live: ReadonlySet<string>;
}

/**
 * `kubectl bluegreen versions`: VERSION, ROLE, READY, SERVICE, ROUTE, one row a version.
 * SERVICE is the per-version Service `<svc>-<version-slug>` (the slug hashed when the
 * version has characters a name cannot hold, e.g. `1.0.0+build.5`), and only when that
 * Service exists; otherwise `-`.
 */
export function renderVersions(view: AppStatus, services: VersionServices, header: string): string {
  const rows = [['VERSION', 'ROLE', 'READY', 'SERVICE', 'ROUTE']];
  for (const v of view.versions) {
    const name = services.stable === undefined ? undefined : childName(services.stable, versionSlug(v.version));
    rows.push([v.version, v.role, `${v.readyReplicas}/${v.replicas}`, name !== undefined && services.live.has(name) ? name : '-', `${header}: ${v.version}`]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('   ')).join('\n');
}
