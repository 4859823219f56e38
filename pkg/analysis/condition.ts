/**
 * The condition a measurement must meet: `< 0.01`, `>= 99%`, `< 500ms`, `0.9..1`.
 * Percentages become ratios and durations seconds, so a condition reads like the
 * builtins' values (a success ratio, a latency in seconds).
 */
export type Condition =
  | { kind: 'compare'; op: '<' | '<=' | '>' | '>=' | '==' | '!='; value: number; text: string }
  | { kind: 'range'; min: number; max: number; text: string };

const OPS = ['<=', '>=', '==', '!=', '<', '>'] as const;

/** Parses a condition; throws a one-line Error naming what is wrong. */
export function parseCondition(text: string): Condition {
  const trimmed = text.trim();
  const range = /^(.+?)\s*\.\.\s*(.+)$/.exec(trimmed);
  if (range !== null && !/^[<>=!]/.test(trimmed)) {
    const min = parseNumber(range[1]!, text);
    const max = parseNumber(range[2]!, text);
    if (min > max) throw new Error(`invalid condition "${text}": the range's lower end is above its upper end`);
    return { kind: 'range', min, max, text: trimmed };
  }
  const op = OPS.find((o) => trimmed.startsWith(o));
  if (op === undefined) throw new Error(`invalid condition "${text}": use an operator and a number (< 0.01, >= 99%, < 500ms) or a range (0.9..1)`);
  return { kind: 'compare', op, value: parseNumber(trimmed.slice(op.length), text), text: `${op} ${trimmed.slice(op.length).trim()}` };
}

/** A number, a percentage (`99%` = 0.99) or a duration in seconds (`500ms` = 0.5, `2s`, `1m`). */
function parseNumber(raw: string, text: string): number {
  const s = raw.trim();
  const unit = /^(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(%|ms|s|m)?$/i.exec(s);
  if (unit === null) throw new Error(`invalid condition "${text}": "${s}" is not a number, a percentage or a duration`);
  const n = Number(unit[1]);
  switch (unit[2]?.toLowerCase()) {
    case '%':
      return n / 100;
    case 'ms':
      return n / 1000;
    case 'm':
      return n * 60;
    default:
      return n;
  }
}

/** Whether `value` meets the condition. NaN never does (the caller treats it as inconclusive first). */
export function meets(condition: Condition, value: number): boolean {
  if (Number.isNaN(value)) return false;
  if (condition.kind === 'range') return value >= condition.min && value <= condition.max;
  switch (condition.op) {
    case '<':
      return value < condition.value;
    case '<=':
      return value <= condition.value;
    case '>':
      return value > condition.value;
    case '>=':
      return value >= condition.value;
    case '==':
      return value === condition.value;
    case '!=':
      return value !== condition.value;
  }
}
