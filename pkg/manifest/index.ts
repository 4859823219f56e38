// The post-renderer's input and output layer: split Helm's manifest stream into documents
// (byte-faithful, heads read cheaply), parse only the documents that change, print them
// back, and assemble the output stream.
export { assemble, assembleOutput, outputByteParts, outputBytes, outputText } from './assemble.ts';
export type { Body, Decision, Piece } from './assemble.ts';
export { ManifestError } from './errors.ts';
export type { ManifestErrorCode, ManifestLocation } from './errors.ts';
export type { DuplicateKey, ParsedDocument } from './parse.ts';
export { KUBE_YAML } from './schema.ts';
export { parseDoc, printDoc } from './print.ts';
export { fastParse } from './fast-parse.ts';
export type { FastDoc } from './fast-parse.ts';
export { editText } from './text-edit.ts';
export { printBlock, Unprintable } from './print-block.ts';
export { readStream, splitStream } from './stream.ts';
export type { Stream } from './stream.ts';
export { docText, FILENAME_ANNOTATION, HOOK_ANNOTATION } from './types.ts';
export type { Doc, DocHead, ManifestLimits } from './types.ts';
