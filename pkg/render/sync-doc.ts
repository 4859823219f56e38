import { isMap, isScalar, isSeq, Scalar } from 'yaml';
import type { Document, Node, YAMLMap, YAMLSeq } from 'yaml';

/**
 * Makes a parsed YAML document equal to `target` while keeping everything that did not
 * change as it was: comments, key order, quoting and flow/block style. Keys new in
 * `target` are appended; keys missing from it are removed; a repeated key is kept once;
 * sequences are matched by index.
 */
export function syncDocument(doc: Document, target: unknown): void {
  const root = doc.contents;
  if (root !== null && sameShape(root, target)) syncNode(doc, root as Node, target);
  else doc.contents = doc.createNode(target) as Node;
}

function sameShape(node: unknown, value: unknown): boolean {
  if (isMap(node)) return isPlainObject(value);
  if (isSeq(node)) return Array.isArray(value);
  return isScalar(node) && !isPlainObject(value) && !Array.isArray(value);
}

function syncNode(doc: Document, node: Node, value: unknown): Node {
  if (isMap(node) && isPlainObject(value)) {
    syncMap(doc, node, value);
    return node;
  }
  if (isSeq(node) && Array.isArray(value)) {
    syncSeq(doc, node, value);
    return node;
  }
  if (isScalar(node) && !isPlainObject(value) && !Array.isArray(value)) {
    if (node.value !== value) {
      node.value = value;
      // A quoted style chosen for the old value may not fit the new one (e.g. a number).
      if (typeof value !== 'string' && (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE)) delete node.type;
    }
    return node;
  }
  return doc.createNode(value) as Node;
}

function syncMap(doc: Document, node: YAMLMap, value: Record<string, unknown>): void {
  const seen = new Set<string>();
  // A repeated key (the API server keeps the last one, and so does `value`) is written once,
  // where it first appeared.
  node.items = node.items.filter((pair) => {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  seen.clear();
  for (const pair of [...node.items]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (!Object.hasOwn(value, key) || value[key] === undefined) {
      node.delete(pair.key);
      continue;
    }
    seen.add(key);
    const current = pair.value;
    const next = value[key];
    pair.value = current !== null && isNodeLike(current) && sameShape(current, next) ? syncNode(doc, current, next) : doc.createNode(next);
  }
  for (const [key, next] of Object.entries(value)) {
    if (!seen.has(key) && next !== undefined) node.add(doc.createPair(key, next));
  }
}

function syncSeq(doc: Document, node: YAMLSeq, value: unknown[]): void {
  const items = node.items as unknown[];
  value.forEach((next, i) => {
    const current = items[i];
    items[i] = current !== undefined && current !== null && isNodeLike(current) && sameShape(current, next) ? syncNode(doc, current, next) : doc.createNode(next);
  });
  items.length = value.length;
}

function isNodeLike(value: unknown): value is Node {
  return isMap(value) || isSeq(value) || isScalar(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
