/**
 * Arithmetic over the fields of one point, for threshold rules' `expr` (`used / total * 100`,
 * `rx_bytes + tx_bytes`): numbers, field names, `+ - * /`, unary minus and parentheses. A name with
 * other characters than letters, digits, `_` and `.` is quoted in backticks (`` `power-w` * 2 ``).
 * Parsed once into a tree of closures, so a point costs a few calls, never `eval`. A point missing a
 * field the expression reads, or a division by zero, has no value (the rule skips it): a made-up 0
 * would fire or resolve alarms on data that is not there.
 */
import { fieldNumber, type Field } from '../core/codecs/metric.js';

export type Fields = Readonly<Record<string, Field>>;
export type Evaluate = (fields: Fields) => number | undefined;

export interface Expression {
  readonly evaluate: Evaluate;
  /** The field names it reads, each once. */
  readonly fields: readonly string[];
}

export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(
    message: string,
    /** 1-based character position in the expression. */
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
  }
}

type Token =
  | { readonly kind: 'number'; readonly value: number; readonly at: number }
  | { readonly kind: 'name'; readonly name: string; readonly at: number }
  | { readonly kind: 'op'; readonly op: '+' | '-' | '*' | '/' | '(' | ')'; readonly at: number }
  | { readonly kind: 'end'; readonly at: number };

const NUMBER = /\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_.]*/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const at = i + 1;
    if ('+-*/()'.includes(c)) {
      tokens.push({ kind: 'op', op: c as '+', at });
      i++;
      continue;
    }
    if (c === '`') {
      const close = text.indexOf('`', i + 1);
      if (close < 0) throw new ExpressionError('unclosed `', at);
      if (close === i + 1) throw new ExpressionError('empty quoted name', at);
      tokens.push({ kind: 'name', name: text.slice(i + 1, close), at });
      i = close + 1;
      continue;
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(text);
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]), at });
      i += number[0].length;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(text);
    if (name) {
      tokens.push({ kind: 'name', name: name[0], at });
      i += name[0].length;
      continue;
    }
    throw new ExpressionError(`unexpected ${JSON.stringify(c)}`, at);
  }
  tokens.push({ kind: 'end', at: text.length + 1 });
  return tokens;
}

/** Recursive descent: sum := product (('+'|'-') product)*; product := unary (('*'|'/') unary)*. */
export function parseExpression(text: string): Expression {
  const tokens = tokenize(text);
  const fields = new Set<string>();
  let next = 0;
  const peek = (): Token => tokens[next]!;
  const isOp = (token: Token, ...ops: string[]): boolean => token.kind === 'op' && ops.includes(token.op);

  const describe = (token: Token): string =>
    token.kind === 'end'
      ? 'end of expression'
      : token.kind === 'op'
        ? `"${token.op}"`
        : token.kind === 'number'
          ? `number ${token.value}`
          : `name "${token.name}"`;

  const sum = (): Evaluate => {
    let left = product();
    while (isOp(peek(), '+', '-')) {
      const op = (tokens[next++] as { op: string }).op;
      const a = left;
      const b = product();
      left = op === '+' ? binary(a, b, (x, y) => x + y) : binary(a, b, (x, y) => x - y);
    }
    return left;
  };
  const product = (): Evaluate => {
    let left = unary();
    while (isOp(peek(), '*', '/')) {
      const op = (tokens[next++] as { op: string }).op;
      const a = left;
      const b = unary();
      left =
        op === '*' ? binary(a, b, (x, y) => x * y) : binary(a, b, (x, y) => (y === 0 ? undefined : x / y));
    }
    return left;
  };
  const unary = (): Evaluate => {
    if (isOp(peek(), '-')) {
      next++;
      const operand = unary();
      return (point) => {
        const value = operand(point);
        return value === undefined ? undefined : -value;
      };
    }
    return primary();
  };
  const primary = (): Evaluate => {
    const token = tokens[next++]!;
    if (token.kind === 'number') {
      const value = token.value;
      return () => value;
    }
    if (token.kind === 'name') {
      const name = token.name;
      fields.add(name);
      return (point) => {
        const field = Object.hasOwn(point, name) ? point[name] : undefined;
        return field === undefined ? undefined : fieldNumber(field);
      };
    }
    if (isOp(token, '(')) {
      const inner = sum();
      const close = tokens[next++]!;
      if (!isOp(close, ')')) throw new ExpressionError(`expected ")" but found ${describe(close)}`, close.at);
      return inner;
    }
    throw new ExpressionError(`expected a number, a field or "(" but found ${describe(token)}`, token.at);
  };

  const evaluate = sum();
  const end = peek();
  if (end.kind !== 'end') throw new ExpressionError(`unexpected ${describe(end)}`, end.at);
  return { evaluate, fields: [...fields] };
}

function binary(a: Evaluate, b: Evaluate, op: (x: number, y: number) => number | undefined): Evaluate {
  return (point) => {
    const x = a(point);
    if (x === undefined) return undefined;
    const y = b(point);
    if (y === undefined) return undefined;
    const value = op(x, y);
    // Overflow to ±Infinity (or NaN from it) is no reading either.
    return value === undefined || !Number.isFinite(value) ? undefined : value;
  };
}
