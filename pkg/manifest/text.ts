import { ManifestError } from './errors.ts';
import { locateOffset } from './split.ts';
import type { ResolvedLimits } from './types.ts';

// C0 controls other than tab, LF and CR; DEL; C1 controls other than NEL; U+FFFE and U+FFFF.
// None of them is printable YAML (YAML 1.2 §5.1), and Kubernetes' YAML decoder refuses them.
const NOT_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]/;

/**
 * Turns the raw input into text: checks the stream size, decodes strict UTF-8 (keeping a
 * byte-order mark, so the round trip stays exact) and rejects control characters.
 */
export function decodeInput(input: string | Uint8Array, limits: ResolvedLimits): string {
  let text: string;
  if (typeof input === 'string') {
    checkStreamSize(input.length * 3 <= limits.maxStreamBytes ? 0 : Buffer.byteLength(input), limits);
    if (!input.isWellFormed()) {
      throw new ManifestError('not-text', 'input is not text: it contains a lone UTF-16 surrogate');
    }
    text = input;
  } else {
    checkStreamSize(input.byteLength, limits);
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch (cause) {
      const at = firstInvalidUtf8(input);
      const before = new TextDecoder('utf-8', { ignoreBOM: true }).decode(input.subarray(0, at));
      throw new ManifestError('not-text', `input is not text: invalid UTF-8 at byte ${at}`, locateOffset(before, before.length), { cause });
    }
  }
  const bad = NOT_PRINTABLE.exec(text);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new ManifestError('not-text', `input is not text: control character U+${code}`, locateOffset(text, bad.index));
  }
  return text;
}

/** Whether a string holds none of the characters {@link decodeInput} refuses. */
export function printable(text: string): boolean {
  return !NOT_PRINTABLE.test(text);
}

export function checkStreamSize(bytes: number, limits: ResolvedLimits): void {
  if (bytes > limits.maxStreamBytes) {
    throw new ManifestError('too-large', `input is ${bytes} bytes, over the limit of ${limits.maxStreamBytes} bytes`);
  }
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return bytes.length;
}
