import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { BUILTINS, parseGate, parseGateSet, SpecError, validateAddress } from './spec.ts';
import type { GateSet, GateSpec, MetricsFlavour } from './spec.ts';

/** The workload annotation that carries a gates document (the gates-file format). */
export const GATES_ANNOTATION = 'switchyard.dev/gates';

/**
 * Parses a gates document (YAML or JSON) from `origin` (a file name, or the annotation);
 * every error is one line naming the origin, the line and the field.
 */
export function parseGatesDocument(text: string, origin: string): GateSet {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first !== undefined) {
    throw new Error(`${origin}:${lines.linePos(first.pos[0]).line}: ${first.message.split('\n')[0]}`);
  }
  try {
    return parseGateSet(doc.toJS({ maxAliasCount: 100 }));
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    const line = lineOf(doc.contents, err.path, lines);
    throw new Error(`${origin}${line === undefined ? '' : `:${line}`}: ${err.message}`);
  }
}

/** The line of the deepest node on `path` that exists. */
function lineOf(root: unknown, path: (string | number)[], lines: LineCounter): number | undefined {
  let node = root as Node | null | undefined;
  let best = node?.range?.[0];
  // A bare list stands for {gates: [...]}: skip the implied key.
  const steps = isSeq(node) && path[0] === 'gates' ? path.slice(1) : path;
  for (const key of steps) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      next = pair?.value ?? pair?.key;
    } else if (isSeq(node) && typeof key === 'number') next = node.items[key];
    if (next === undefined || next === null) break;
    node = next as Node;
    if (node.range !== undefined && node.range !== null) best = node.range[0];
  }
  return best === undefined ? undefined : lines.linePos(best).line;
}

/**
 * Parses the compact `--gate` syntax: `;`-separated, the first part may be a builtin with
 * its condition (`request-success-rate >= 99%`), every other part is `key=value` with the
 * gates file's keys (`query=…`, `condition=…`, `compare=…`, `webhook=…`, `interval=30s`).
 */
export function parseGateFlag(text: string, index: number): GateSpec {
  const parts = text.split(';').map((p) => p.trim()).filter((p) => p !== '');
  const fields: Record<string, unknown> = {};
  parts.forEach((part, i) => {
    const builtin = i === 0 ? /^([a-z0-9-]+)\s*((?:<=|>=|==|!=|<|>).+|\s.+\.\..+)$/.exec(part) : null;
    if (builtin !== null && (BUILTINS as readonly string[]).includes(builtin[1]!)) {
      fields.check = builtin[1];
      fields.condition = builtin[2]!.trim();
      return;
    }
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`--gate "${text}": "${part}" is not key=value (and not a builtin with a condition, e.g. "request-success-rate >= 99%")`);
    const key = part.slice(0, eq).trim().replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (key in fields) throw new Error(`--gate "${text}": "${key}" is given twice`);
    fields[key] = part.slice(eq + 1).trim();
  });
  try {
    return parseGate(fields, [], index);
  } catch (err) {
    if (err instanceof SpecError) throw new Error(`--gate "${text}": ${err.message.replace(/^\(top\): /, '')}`);
    throw err;
  }
}

/** The gates of a run: `--gates` file and `--gate` flags together (names must differ). */
export function gatesFromFlags(input: { file?: { text: string; origin: string }; flags: string[]; prometheus?: string; metrics?: MetricsFlavour }): GateSet | undefined {
  if (input.file === undefined && input.flags.length === 0) return undefined;
  const set: GateSet = input.file === undefined ? { gates: [] } : parseGatesDocument(input.file.text, input.file.origin);
  input.flags.forEach((flag, i) => {
    const gate = parseGateFlag(flag, set.gates.length + i);
    if (set.gates.some((g) => g.name === gate.name)) throw new Error(`--gate "${flag}": a gate named "${gate.name}" exists already (add name=…)`);
    set.gates.push(gate);
  });
  if (input.prometheus !== undefined) {
    try {
      validateAddress(input.prometheus);
    } catch (err) {
      throw new Error(`--prometheus: ${(err as Error).message.replace(/^address: /, '')}`);
    }
    set.prometheus = { ...set.prometheus, address: input.prometheus };
  }
  if (input.metrics !== undefined) set.metrics = input.metrics;
  return set;
}
