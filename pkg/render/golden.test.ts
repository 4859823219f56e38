import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from './transform.ts';
import type { RenderOptions } from './transform.ts';
import type { ObservedState } from './types.ts';

// Golden files for the transform. Refresh them after an intended change with
//   UPDATE_GOLDEN=1 npm run test:unit
// and review the diff in git before committing.
const root = join(import.meta.dirname, '../../testdata');
const update = process.env.UPDATE_GOLDEN === '1';

interface Case {
  description: string;
  input: string;
  options: RenderOptions;
  observed: ObservedState;
}

for (const file of readdirSync(join(root, 'render/cases')).filter((f) => f.endsWith('.json')).sort()) {
  const name = file.replace(/\.json$/, '');
  const spec = JSON.parse(readFileSync(join(root, 'render/cases', file), 'utf8')) as Case;
  test(`${name}: ${spec.description}`, () => {
    const input = readFileSync(join(root, 'render', spec.input), 'utf8');
    const result = render(input, spec.options, spec.observed);
    const text = result.text + (result.warnings.length > 0 ? `# warnings:\n${result.warnings.map((w) => `#   ${w}\n`).join('')}` : '');
    const golden = join(root, 'golden', `${name}.yaml`);
    if (update) writeFileSync(golden, text);
    assert.equal(text, readFileSync(golden, 'utf8'), `output differs from ${golden}; if intended, run UPDATE_GOLDEN=1`);
    assert.equal(render(result.text, spec.options, spec.observed).text, result.text, 'rendering the output again changes it');
  });
}
