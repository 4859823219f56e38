// Crash consistency of every writing command (issue 14): run, promote, abort, undo,
// switch, rollback, apply and delete are SIGKILLed right after the API server ran one of
// their writes, then run again; the invariants must hold (see invariants.ts).
//
// `npm test` covers a representative kill point per command: after write 2 (a driving
// command's first write takes the Lease, so the second is its first real change).
// `npm run test:crash` (SWITCHYARD_CRASH=all) first counts each command's writes through
// the proxy, then kills after every one of them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import { countWrites, killAfterWrite, SCENARIOS } from './crash-scenarios.ts';

const ALL = process.env.SWITCHYARD_CRASH === 'all';
/** `SWITCHYARD_CRASH_POINTS=run:8,9` limits the heavy run to some commands and kill points (to reproduce one). */
const ONLY = new Map((process.env.SWITCHYARD_CRASH_POINTS ?? '').split(';').filter((p) => p !== '').map((p) => {
  const [name, points] = p.split(':');
  return [name!, (points ?? '').split(',').filter((k) => k !== '').map(Number)];
}));
const dir = mkdtempSync(join(tmpdir(), 'switchyard-crash-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

suite(`crash consistency (${ALL ? 'every write' : 'representative writes'})`, { concurrency: 2 }, () => {
  for (const scenario of SCENARIOS.filter((s) => ONLY.size === 0 || ONLY.has(s.name))) {
    test(`${scenario.name}: killed after a write, then run again, converges`, { concurrency: ALL ? 2 : 1 }, async (t) => {
      const only = ONLY.get(scenario.name) ?? [];
      const total = ALL && only.length === 0 ? await countWrites(t, dir, scenario) : 0;
      const points = !ALL ? [2] : only.length > 0 ? only : Array.from({ length: total }, (_, i) => i + 1);
      const covered: number[] = [];
      await Promise.all(points.map((k) => t.test(`after write ${k}`, async (t) => {
        const result = await killAfterWrite(t, dir, scenario, k);
        if (result.killed) covered.push(k);
        if (result.problems.length > 0) t.diagnostic(`broken: ${result.problems.join('; ')}`);
        assert.deepEqual(result.problems, [], `${scenario.name} killed after write ${k}`);
      })));
      t.diagnostic(`${scenario.name}: ${ALL ? `${total} writes; ` : ''}kill points covered: ${covered.length} (${covered.sort((a, b) => a - b).join(', ')})`);
      assert.ok(covered.length > 0, 'at least one kill landed while the command ran');
    });
  }
});
