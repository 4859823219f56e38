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

const FILE_FLAGS = new Set(['kubeconfig', 'certificate-authority', 'client-certificate', 'client-key', 'cache-dir', 'kuberc', 'profile-output', 'filename']);

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
  const internal = y as unknown as { getInternalMethods?(): { getUsageInstance?(): { getDescriptions?(): Record<string, string | undefined> } } };
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
    const info: CommandInfo = { name: spec.usage.split(' ')[0]!, describe: spec.describe, takesApp: /<app>/.test(spec.usage), flags };
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
  const before = words.slice(0, -1);
  let command: CommandInfo | undefined;
  let commandWord: string | undefined;
  let positionals = 0;
  let pending: FlagInfo | undefined;
  const flagsNow = (): FlagInfo[] => [...(command?.flags ?? []), ...tree.global];
  const findFlag = (word: string): FlagInfo | undefined => flagsNow().find((f) => f.names.includes(word.split('=')[0]!));
  for (const word of before) {
    if (pending !== undefined) {
      pending = undefined;
      continue;
    }
    if (word.startsWith('-') && word !== '-') {
      const flag = findFlag(word);
      if (flag?.takesValue === true && !word.includes('=')) pending = flag;
      continue;
    }
    if (commandWord === undefined) {
      commandWord = word;
      command = tree.commands.find((c) => c.name === word);
    } else positionals++;
  }
  const filter = (items: string[]): string[] => items.filter((c) => c.split('\t')[0]!.startsWith(current));
  if (pending !== undefined) return flagValue(pending, current, filter);
  if (current.startsWith('-')) {
    const eq = current.indexOf('=');
    if (eq > 0) {
      const flag = findFlag(current);
      if (flag === undefined) return { candidates: [], directive: DIRECTIVE.noFileComp };
      const value = flagValue(flag, current.slice(eq + 1), (items) => items.filter((c) => c.startsWith(current.slice(eq + 1))));
      return { ...value, candidates: value.candidates.map((c) => `${current.slice(0, eq + 1)}${c}`) };
    }
    return { candidates: filter(flagsNow().flatMap((f) => f.names.filter((n) => n.startsWith('--') || f.names.length === 1).map((n) => `${n}\t${f.describe}`))), directive: DIRECTIVE.noFileComp };
  }
  if (commandWord === undefined) return { candidates: filter(tree.commands.map((c) => `${c.name}\t${c.describe}`)), directive: DIRECTIVE.noFileComp };
  if (command === undefined) return { candidates: [], directive: DIRECTIVE.noFileComp };
  if (positionals === 0 && command.args !== undefined) return { candidates: filter(command.args), directive: DIRECTIVE.noFileComp };
  if (positionals === 0 && command.takesApp) return { candidates: [], directive: DIRECTIVE.noFileComp, cluster: { kind: 'apps', prefix: current } };
  return { candidates: [], directive: DIRECTIVE.noFileComp };
}

function flagValue(flag: FlagInfo, prefix: string, filter: (items: string[]) => string[]): Completion {
  if (flag.choices !== undefined) return { candidates: filter(flag.choices), directive: DIRECTIVE.noFileComp };
  if (flag.value === 'file') return { candidates: [], directive: DIRECTIVE.default };
  if (flag.value === 'namespace') return { candidates: [], directive: DIRECTIVE.noFileComp, cluster: { kind: 'namespaces', prefix } };
  return { candidates: [], directive: DIRECTIVE.noFileComp };
}

/** The lines a completion program prints: the candidates, then `:<directive>` (cobra's format, which kubectl reads). */
export function formatCompletion(candidates: string[], directive: number): string {
  return [...candidates, `:${directive}`, ''].join('\n');
}
