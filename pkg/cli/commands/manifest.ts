import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import type { Strategy } from '../../render/index.ts';
import { applyManifest } from '../../rollout/apply.ts';
import { deleteApp } from '../../rollout/actions.ts';
import { postRender } from '../../rollout/post-render.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { CommandContext } from '../context.ts';
import { readAll } from '../io.ts';
import { routerNames } from '../../route/index.ts';
import type { RouterName } from '../../route/index.ts';
import { WORKLOAD_OPTIONS, workloadOptions } from '../render-flags.ts';
import type { WorkloadArgs } from '../render-flags.ts';
import type { RenderOptions } from '../../render/index.ts';

type Handler<A> = (ctx: CommandContext, args: A) => Promise<number>;
type Register = <A>(y: Argv, name: string, describe: string, builder: (y: Argv) => Argv<A>, handler: Handler<A>) => Argv;

interface RenderArgs extends WorkloadArgs {
  filename?: string[];
  router?: RouterName;
  header: string;
  offline?: boolean;
}

function renderFlags<T>(y: Argv<T>): Argv<T & RenderArgs> {
  return y
    .option('filename', { alias: 'f', type: 'string', array: true, describe: 'Manifest file(s) to read; - for stdin' })
    .options(WORKLOAD_OPTIONS)
    .option('router', { choices: routerNames, describe: 'Traffic provider (default: the first the manifest uses, else the first the cluster serves)' })
    .option('header', { type: 'string', default: 'x-version', describe: 'Request header that selects a version' }) as unknown as Argv<T & RenderArgs>;
}

/**
 * The manifests of `-f` as one stream of bytes, each file starting a document: the manifest
 * layer decodes it strictly, so a byte that is not UTF-8 is an error rather than U+FFFD.
 */
async function readManifests(ctx: CommandContext, files: string[] | undefined): Promise<Buffer> {
  if (files === undefined || files.length === 0) throw new UsageError('no manifest: pass -f <file> (or -f - for stdin)');
  const parts: Buffer[] = [];
  for (const file of files) {
    const bytes = file === '-' ? await readAll(ctx.io.stdin, 256 * 1024 * 1024) : readFileSync(file);
    if (parts.length > 0) parts.push(NEWLINE);
    if (!bytes.subarray(0, 3).equals(SEPARATOR)) parts.push(SEPARATOR, NEWLINE);
    parts.push(bytes);
  }
  return Buffer.concat(parts);
}

const SEPARATOR = Buffer.from('---');
const NEWLINE = Buffer.from('\n');

function options(args: RenderArgs, strategy: Strategy): RenderOptions {
  const out: RenderOptions = { strategy, header: args.header, ...workloadOptions(args) };
  if (args.router !== undefined) out.router = args.router;
  return out;
}

/** `apply -f`, `render`, `delete`. */
export function registerManifestCommands(y: Argv, register: Register, strategy: Strategy): Argv {
  register<RenderArgs>(y, 'apply', 'Render a plain manifest (no Helm) with the same transform as the post-renderer and apply it', (b) => renderFlags(b), async (ctx, args) => {
    const input = await readManifests(ctx, args.filename);
    const kube = await ctx.kube();
    const result = await applyManifest(kube, kube.namespace, input, options(args, strategy));
    for (const w of result.warnings) ctx.note(`warning: ${w}`);
    for (const line of result.applied) ctx.out(`${line} applied`);
    return EXIT.ok;
  });
  register<RenderArgs>(y, 'render', 'Print what the post-renderer would make of a manifest (reads the cluster unless --offline)', (b) => renderFlags(b).option('offline', { type: 'boolean', default: false, describe: 'Do not read the cluster: treat every app as a first install' }) as Argv<RenderArgs>, async (ctx, args) => {
    const input = await readManifests(ctx, args.filename ?? ['-']);
    const result = await postRender(input, options(args, strategy), args.offline === true ? { kind: 'offline' } : { kind: 'cluster', flags: ctx.kubeFlags(), open: async () => ctx.kube(), keepOpen: true });
    for (const w of result.warnings) ctx.note(`warning: ${w}`);
    ctx.out(result.text);
    return EXIT.ok;
  });
  register<{ app: string }>(y, 'delete <app>', 'Delete every object of an app, retained versions included, and its rollout state', (b) => b.positional('app', { type: 'string', demandOption: true }) as Argv<{ app: string }>, async (ctx, args) => {
    const kube = await ctx.kube();
    const deleted = await deleteApp(kube, kube.namespace, args.app);
    if (deleted.length === 0) {
      ctx.note(`${args.app}: nothing to delete in namespace ${kube.namespace}`);
      return EXIT.failed;
    }
    for (const d of deleted) ctx.out(`${d} deleted`);
    return EXIT.ok;
  });
  return y;
}
