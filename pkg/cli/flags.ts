import { UsageError } from './exit-codes.ts';

/**
 * A flag of a command that parses its own argv (the post-renderer: Helm starts it for every
 * render, and yargs alone costs it more start-up time than its whole transform of a typical
 * chart). Strings may repeat when `multiple`; booleans also take `--no-<name>` and `=true|false` (or a
 * following `true`/`false`).
 */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly describe: string;
  readonly alias?: string;
  readonly multiple?: boolean;
  readonly choices?: readonly string[];
  readonly default?: string | boolean;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;
export type FlagValues = Record<string, string | string[] | boolean | undefined>;

/**
 * Parses `--name value`, `--name=value`, `-n value` and `-n=value`. Unknown flags, positional
 * arguments, a string flag without its value and a value outside `choices` are usage errors
 * with a one-line message. A single-valued flag given twice keeps the last value, as kubectl does.
 * `--help`/`-h` sets `help`.
 */
export function parseFlags(argv: readonly string[], specs: FlagSpecs): FlagValues {
  const byName = new Map<string, [string, FlagSpec]>();
  for (const [name, spec] of Object.entries(specs)) {
    byName.set(`--${name}`, [name, spec]);
    if (spec.alias !== undefined) byName.set(dashed(spec.alias), [name, spec]);
  }
  const values: FlagValues = {};
  for (const [name, spec] of Object.entries(specs)) if (spec.default !== undefined) values[name] = spec.default;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      values.help = true;
      continue;
    }
    if (arg === '--') {
      if (i + 1 < argv.length) throw new UsageError(`Unknown argument: ${argv[i + 1]}`);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') throw new UsageError(`Unknown argument: ${arg}`);
    const eq = arg.indexOf('=');
    const given = eq === -1 ? arg : arg.slice(0, eq);
    let inline = eq === -1 ? undefined : arg.slice(eq + 1);
    let found = byName.get(given);
    let negated = false;
    if (found === undefined && given.startsWith('--no-')) {
      const positive = byName.get(`--${given.slice(5)}`);
      if (positive?.[1].type === 'boolean' && inline === undefined) {
        found = positive;
        negated = true;
      }
    }
    if (found === undefined) throw new UsageError(`Unknown argument: ${given.replace(/^--?/, '')}`);
    const [name, spec] = found;
    if (spec.type === 'boolean') {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') throw new UsageError(`--${name} takes no value other than true or false (got "${inline}")`);
      // `--offline true`, as yargs read it before.
      if (inline === undefined && !negated && (argv[i + 1] === 'true' || argv[i + 1] === 'false')) inline = argv[++i];
      values[name] = negated ? false : inline !== 'false';
      continue;
    }
    if (inline === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('-') && next !== '-')) throw new UsageError(`Not enough arguments following: ${name}`);
      inline = next;
      i += 1;
    }
    if (spec.choices !== undefined && !spec.choices.includes(inline)) {
      throw new UsageError(`Invalid value for --${name}: "${inline}" (choose one of ${spec.choices.join(', ')})`);
    }
    if (spec.multiple === true) {
      const list = values[name];
      values[name] = Array.isArray(list) ? [...list, inline] : [inline];
    } else values[name] = inline;
  }
  return values;
}

/** The help text: usage, then one line per flag (wrapped descriptions are left to the terminal). */
export function flagHelp(usage: string, specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const left = `  --${name}${spec.alias === undefined ? '' : `, ${dashed(spec.alias)}`}${spec.type === 'string' ? ' <value>' : ''}`;
    const notes = [
      spec.choices === undefined ? undefined : `one of ${spec.choices.join(', ')}`,
      spec.default === undefined || spec.default === false ? undefined : `default ${String(spec.default)}`,
    ].filter((n) => n !== undefined);
    return [left, `${spec.describe}${notes.length === 0 ? '' : ` [${notes.join('; ')}]`}`] as const;
  });
  rows.push(['  --help, -h', 'Show this help']);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return `${usage}\n\nFlags:\n${rows.map(([left, right]) => `${left.padEnd(width)}${right}`).join('\n')}\n`;
}

/** `-n` for a one-letter alias, `--context` for a longer one. */
function dashed(alias: string): string {
  return alias.length === 1 ? `-${alias}` : `--${alias}`;
}
