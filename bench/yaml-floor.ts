// A parse-and-print floor for bench/render.ts, run as a child process:
// reads a YAML stream on stdin, parses every document with the `yaml` library
// (parseAllDocuments) and prints them back (Document#toString).
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const docs = parseAllDocuments(readFileSync(0, 'utf8'));
process.stdout.write(Array.isArray(docs) ? docs.map((d) => `---\n${d.toString()}`).join('') : '');
