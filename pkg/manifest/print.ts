import { isMap } from 'yaml';
import type { Document, ToStringOptions } from 'yaml';
import { ManifestError } from './errors.ts';
import { parseBody } from './parse.ts';
import type { ParsedDocument } from './parse.ts';
import { resolveLimits } from './types.ts';
import type { Doc, ManifestLimits } from './types.ts';

/** How a parsed document was indented, so that printing it back changes as little as possible. */
interface Style {
  readonly indent: number;
  readonly indentSeq: boolean;
}

const styles = new WeakMap<Document, Style>();

/**
 * Parses a document the transform is going to change, as strictly as {@link splitStream}
 * checks every document: yaml errors, duplicate keys, alias bombs and a body that is not a
 * mapping throw a {@link ManifestError} naming the document, its source, line and column.
 */
export function parseDoc(doc: Doc, limits?: ManifestLimits): ParsedDocument {
  const where = { docIndex: doc.index, source: doc.source, line: doc.line };
  const parsed = parseBody(doc.body, where, resolveLimits(limits).maxAliasCount);
  if (!isMap(parsed.contents)) {
    const what = parsed.contents === null ? 'empty' : 'not a mapping';
    throw new ManifestError('not-a-resource', `the document is ${what}, not a Kubernetes resource`, where);
  }
  styles.set(parsed, detectStyle(doc.body));
  return parsed;
}

/**
 * Prints a document body: comments, key order and scalar quoting as parsed, long strings
 * never folded, no `---` marker, and the indentation the original body used. The result
 * always ends with a newline.
 */
export function printDoc(document: Document): string {
  const style = styles.get(document) ?? { indent: 2, indentSeq: true };
  const options: ToStringOptions = {
    lineWidth: 0,
    directives: false,
    flowCollectionPadding: false,
    indent: style.indent,
    indentSeq: style.indentSeq,
  };
  const text = document.toString(options);
  return text.endsWith('\n') ? text : `${text}\n`;
}

function detectStyle(body: string): Style {
  const firstIndented = /^( +)[^ #\r\n]/m.exec(body);
  const width = firstIndented?.[1]?.length ?? 2;
  // `key:` followed by `- item` at the same column: sequences not indented inside mappings.
  const indentless = /^( *)[^ #\r\n-][^\r\n]*:[ \t]*\r?\n\1- /m.test(body);
  return { indent: width >= 2 && width <= 8 ? width : 2, indentSeq: !indentless };
}
