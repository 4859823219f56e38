import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseDocument } from 'yaml';

/** Size the issue calls a typical chart. */
const TYPICAL_BYTES = 25_000;

/** One input of the render benchmark, written to a file. */
export interface Input {
  name: string;
  file: string;
  bytes: number;
  documents: number;
  /** How it was made, for the report. */
  note: string;
}

/**
 * The typical chart: among the corpus's bitnami charts that contain a Deployment (a chart
 * without one passes through the post-renderer untouched, which would flatter it), the one
 * closest to 25 KB — unless `pick` names a file of the corpus.
 */
export function typicalChart(corpusDir: string, pick?: string): Input {
  const candidates = readdirSync(corpusDir)
    .filter((f) => (pick === undefined ? f.startsWith('bitnami-') && f.endsWith('.yaml') : f === basename(pick)))
    .map((f) => ({ f, text: readFileSync(join(corpusDir, f), 'utf8') }))
    .filter(({ text }) => pick !== undefined || /^kind: Deployment\s*$/m.test(text))
    .sort((a, b) => Math.abs(Buffer.byteLength(a.text) - TYPICAL_BYTES) - Math.abs(Buffer.byteLength(b.text) - TYPICAL_BYTES));
  const chosen = candidates[0];
  if (chosen === undefined) throw new Error(pick === undefined ? `no bitnami chart with a Deployment in ${corpusDir}` : `${pick} is not in ${corpusDir}`);
  const file = join(corpusDir, chosen.f);
  return {
    name: `typical chart (${chosen.f})`,
    file,
    bytes: statSync(file).size,
    documents: splitDocuments(chosen.text).length,
    note: pick === undefined ? `closest to 25 KB among bitnami charts with a Deployment` : 'chosen with --typical',
  };
}

/** Splits a Helm-style stream on `---` lines; drops chunks that are only blank lines. */
function splitDocuments(text: string): string[] {
  return text.split(/^---[ \t]*$/m).map((c) => c.replace(/^\n/, '')).filter((c) => c.trim() !== '');
}

/** `group/kind/name` of a document, or undefined if it is not an object with a name. */
function identity(doc: string): string | undefined {
  const obj = parseDocument(doc).toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: unknown } } | null;
  if (obj === null || typeof obj !== 'object' || typeof obj.metadata?.name !== 'string') return undefined;
  const group = (obj.apiVersion ?? '').includes('/') ? obj.apiVersion!.split('/')[0] : '';
  // Namespace is left out on purpose: every chart was rendered into `demo`, some with the
  // field and some without, and kustomize would default the missing ones differently.
  return `${group}/${obj.kind}/${obj.metadata.name}`;
}

/** What building the whole-corpus input did. */
export interface CorpusInput extends Input {
  files: number;
  identicalFilesSkipped: string[];
  /** Documents left out because an object of the same group, kind and name came earlier. */
  duplicates: number;
  duplicateBytes: number;
}

/**
 * The whole corpus as one stream, as one Helm release could render it: files with identical
 * content are skipped, the rest are concatenated document by document with `---`
 * separators, and a document whose group, kind and name already appeared is left out (the
 * `-ingress` renderings repeat their base chart's objects; kustomize refuses duplicate ids,
 * and renaming them instead would leave two Deployments behind each Service's selector).
 */
export function wholeCorpus(corpusDir: string, outFile: string): CorpusInput {
  const files = readdirSync(corpusDir).filter((f) => f.endsWith('.yaml')).sort();
  const hashes = new Map<string, string>();
  const skipped: string[] = [];
  const seen = new Set<string>();
  const out: string[] = [];
  let duplicates = 0;
  let duplicateBytes = 0;
  for (const f of files) {
    const text = readFileSync(join(corpusDir, f), 'utf8');
    const hash = createHash('sha256').update(text).digest('hex');
    const twin = hashes.get(hash);
    if (twin !== undefined) {
      skipped.push(`${f} (= ${twin})`);
      continue;
    }
    hashes.set(hash, f);
    for (const doc of splitDocuments(text)) {
      const id = identity(doc);
      if (id !== undefined && seen.has(id)) {
        duplicates++;
        duplicateBytes += Buffer.byteLength(doc);
        continue;
      }
      if (id !== undefined) seen.add(id);
      out.push(doc);
    }
  }
  const text = out.map((d) => `---\n${d.endsWith('\n') ? d : `${d}\n`}`).join('');
  writeFileSync(outFile, text);
  return {
    name: 'whole corpus, deduplicated',
    file: outFile,
    bytes: Buffer.byteLength(text),
    documents: out.length,
    files: files.length - skipped.length,
    identicalFilesSkipped: skipped,
    duplicates,
    duplicateBytes,
    note: `${files.length - skipped.length} of ${files.length} files; ${duplicates} documents (${(duplicateBytes / 1e6).toFixed(2)} MB) with an already-seen group/kind/name left out`,
  };
}
