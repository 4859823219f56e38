import type { Argv } from 'yargs';
import yargs from 'yargs';

/** One flag as completion needs it. */
export interface FlagInfo {
  /** Every spelling: `--namespace`, `-n`. */
  names: string[];
  describe: string;
  /** Whether the next word is its value (`-n prod`); booleans take none. */
  takesValue: boolean;
  /** Fixed values (`-o json|yaml|name`). */
  choices?: string[];
  /** What a value is when it is not a fixed choice: a file path, a namespace, or anything. */
  value?: 'file' | 'namespace';
}

/** One subcommand: its name, description, whether its first argument is an app, and its own flags. */
export interface CommandInfo {
  name: string;
  describe: string;
  takesApp: boolean;
  /** Fixed first arguments (`completion bash|zsh|fish`). */
  args?: string[];
  flags: FlagInfo[];
}

/** Everything a plugin's completion knows without the cluster. */
export interface CompletionTree {
  commands: CommandInfo[];
  /** Flags every command takes (kubectl's global flags, `-o`, `--no-color`). */
  global: FlagInfo[];
}

/** Cobra's shell-completion directives, which kubectl ≥ 1.26 reads from a plugin's last line. */
export const DIRECTIVE = { default: 0, noFileComp: 4 } as const;

/** What to offer for the word being completed; `cluster` asks the caller to add names from the cluster. */
export interface Completion {
  /** `candidate` or `candidate\tdescription`, already filtered by the word's prefix. */
  candidates: string[];
  directive: number;
  cluster?: { kind: 'apps' | 'namespaces'; prefix: string };
}

/** Flags whose value is a path: the shell completes file names there. */
const FILE_FLAGS = new Set([
  'kubeconfig', 'certificate-authority', 'client-certificate', 'client-key', 'cache-dir', 'kuberc', 'profile-output', 'filename',
]);

/** What yargs' `getOptions()` returns (public in yargs, not in @types/yargs 17). */
interface YargsOptions {
  key: Record<string, unknown>;
  alias: Record<string, string[]>;
  boolean: string[];
  hiddenOptions: string[];
  choices: Record<string, string[]>;
}

/**
 * The flags a yargs builder defines, read from its options (hidden ones left out):
 * spellings, descriptions, whether they take a value, choices. The descriptions come from
 * yargs' usage instance (yargs 18 has no public getter for them); without it they are empty.
 */
export function flagsOf(y: Argv): FlagInfo[] {
  const opts = (y as unknown as { getOptions(): YargsOptions }).getOptions();
  type Usage = { getDescriptions?(): Record<string, string | undefined> };
  const internal = y as unknown as { getInternalMethods?(): { getUsageInstance?(): Usage } };
  const described = internal.getInternalMethods?.().getUsageInstance?.().getDescriptions?.() ?? {};
  const aliasOf = new Set(Object.values(opts.alias).flat());
  const out: FlagInfo[] = [];
  for (const key of Object.keys(opts.key)) {
    if (aliasOf.has(key) || opts.hiddenOptions.includes(key) || key === 'help' || key === 'version') continue;
    const spell = (k: string): string => (k.length === 1 ? `-${k}` : `--${k}`);
    const isBool = opts.boolean.includes(key);
    const names = [spell(key), ...(opts.alias[key] ?? []).map(spell)];
    if (key === 'color') names.splice(0, names.length, '--no-color');
    const flag: FlagInfo = { names, describe: (described[key] ?? '').replace('__yargsString__:', ''), takesValue: !isBool };
    if (opts.choices[key] !== undefined) flag.choices = opts.choices[key];
    else if (key === 'output') flag.choices = ['json', 'yaml', 'name'];
    if (FILE_FLAGS.has(key)) flag.value = 'file';
    if (key === 'namespace') flag.value = 'namespace';
    out.push(flag);
  }
  return out;
}

/** A subcommand as the program registers it: `status <app>`, its description and flag builder. */
export interface CommandSpec {
  usage: string;
  describe: string;
  builder?: (y: Argv) => Argv;
  /** Fixed first arguments. */
  args?: string[];
}

/**
 * The completion tree of a plugin from its command specs and its global-flag builder. Each
 * builder runs on a throwaway parser whose `positional` is a no-op (yargs allows it only
 * inside a running command), so the flags it defines can be read.
 */
export function buildTree(specs: CommandSpec[], globalFlags: (y: Argv) => Argv): CompletionTree {
  const global = flagsOf(globalFlags(yargs([]).version(false)));
  const known = new Set(global.flatMap((f) => f.names));
  const commands = specs.map((spec): CommandInfo => {
    let flags: FlagInfo[] = [];
    if (spec.builder !== undefined) {
      const y = yargs([]).version(false);
      Object.assign(y, { positional: () => y });
      flags = flagsOf(spec.builder(y)).filter((f) => !f.names.some((n) => known.has(n)));
    }
    const info: CommandInfo = { name: spec.usage.split(' ')[0]!, describe: spec.describe, takesApp: /[<[]app[>\]]/.test(spec.usage), flags };
    if (spec.args !== undefined) info.args = spec.args;
    return info;
  });
  return { commands, global };
}

/**
 * The candidates for the last word of `words` (the words after the plugin's name, as
 * kubectl passes them to `kubectl_complete-<plugin>`; the last is the one being typed,
 * possibly empty). Subcommands first, then a command's fixed arguments, app names (from
 * the cluster, via `cluster`), flags after a `-`, and a flag's values.
 */
export function complete(tree: CompletionTree, words: string[]): Completion {
  const current = words.at(-1) ?? '';
  const at = position(tree, words.slice(0, -1));
  const startsWith = (prefix: string) => (items: string[]): string[] => items.filter((c) => c.split('\t')[0]!.startsWith(prefix));
  if (at.pending !== undefined) return flagValue(at.pending, current, startsWith(current));
  if (current.startsWith('-')) {
    const eq = current.indexOf('=');
    if (eq < 0) {
      // Long names only (`-n` is reachable as `--namespace`), unless a flag has nothing but a short one.
      const spelled = (f: FlagInfo): string[] => f.names.filter((n) => n.startsWith('--') || f.names.length === 1);
      const spellings = at.flags.flatMap((f) => spelled(f).map((n) => `${n}\t${f.describe}`));
      return offer(startsWith(current)(spellings));
    }
    // --flag=val: complete the value, keep the flag in front of each candidate.
    const flag = findFlag(at.flags, current);
    if (flag === undefined) return offer([]);
    const [name, value] = [current.slice(0, eq + 1), current.slice(eq + 1)];
    const values = flagValue(flag, value, startsWith(value));
    return { ...values, candidates: values.candidates.map((c) => `${name}${c}`) };
  }
  if (at.commandWord === undefined) return offer(startsWith(current)(tree.commands.map((c) => `${c.name}\t${c.describe}`)));
  const command = at.command;
  if (command === undefined || at.positionals > 0) return offer([]);
  if (command.args !== undefined) return offer(startsWith(current)(command.args));
  if (command.takesApp) return { ...offer([]), cluster: { kind: 'apps', prefix: current } };
  return offer([]);
}

/** Where the words typed so far leave us: the command (if any), how many arguments it has, a flag waiting for its value. */
interface Position {
  commandWord?: string;
  command?: CommandInfo;
  positionals: number;
  pending?: FlagInfo;
  /** The flags that apply here: the command's and the global ones. */
  flags: FlagInfo[];
}

function position(tree: CompletionTree, before: string[]): Position {
  const at: Position = { positionals: 0, flags: tree.global };
  for (const word of before) {
    if (at.pending !== undefined) {
      delete at.pending;
    } else if (word.startsWith('-') && word !== '-') {
      const flag = findFlag(at.flags, word);
      if (flag?.takesValue === true && !word.includes('=')) at.pending = flag;
    } else if (at.commandWord === undefined) {
      at.commandWord = word;
      const command = tree.commands.find((c) => c.name === word);
      if (command !== undefined) {
        at.command = command;
        at.flags = [...command.flags, ...tree.global];
      }
    } else {
      at.positionals++;
    }
  }
  return at;
}

function findFlag(flags: FlagInfo[], word: string): FlagInfo | undefined {
  const name = word.split('=')[0]!;
  return flags.find((f) => f.names.includes(name));
}

function offer(candidates: string[], directive: number = DIRECTIVE.noFileComp): Completion {
  return { candidates, directive };
}

function flagValue(flag: FlagInfo, prefix: string, filter: (items: string[]) => string[]): Completion {
  if (flag.choices !== undefined) return offer(filter(flag.choices));
  if (flag.value === 'file') return offer([], DIRECTIVE.default);
  if (flag.value === 'namespace') return { ...offer([]), cluster: { kind: 'namespaces', prefix } };
  return offer([]);
}

/** The lines a completion program prints: the candidates, then `:<directive>` (cobra's format, which kubectl reads). */
export function formatCompletion(candidates: string[], directive: number): string {
  return [...candidates, `:${directive}`, ''].join('\n');
}
