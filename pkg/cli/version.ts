import { readFileSync } from 'node:fs';
import { join } from 'node:path';

declare const SWITCHYARD_VERSION: string | undefined;

/** switchyard's own version: stamped into bundles at build time, else read from package.json. */
export function toolVersion(): string {
  if (typeof SWITCHYARD_VERSION === 'string') return SWITCHYARD_VERSION;
  try {
    return (JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
