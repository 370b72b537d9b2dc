import type { ArmTemplate, Json } from './armTemplate';

/**
 * Evaluates the few ARM template expressions whose value is known before deployment:
 * string literals, `variables('x')`, `parameters('x')` (its default value) and `format(...)` of those.
 * Anything else (reference(), resourceId()...) resolves to `undefined`.
 */
export function evaluate(value: Json, template: ArmTemplate): Json {
  if (Array.isArray(value)) return value.map((item) => evaluate(item, template));
  if (typeof value !== 'string') return value;
  if (!value.startsWith('[') || value.startsWith('[[')) return value;
  try {
    const parser = new Parser(value.slice(1, -1), template);
    const result = parser.expression();
    return parser.atEnd() ? result : undefined;
  } catch {
    return undefined;
  }
}

class Parser {
  private position = 0;
  constructor(
    private readonly text: string,
    private readonly template: ArmTemplate,
  ) {}

  atEnd(): boolean {
    this.skipSpace();
    return this.position === this.text.length;
  }

  expression(): Json {
    this.skipSpace();
    if (this.text[this.position] === "'") return this.stringLiteral();
    const name = this.identifier();
    this.expect('(');
    const args: Json[] = [];
    this.skipSpace();
    if (this.text[this.position] !== ')') {
      args.push(this.expression());
      this.skipSpace();
      while (this.text[this.position] === ',') {
        this.position++;
        args.push(this.expression());
        this.skipSpace();
      }
    }
    this.expect(')');
    return this.call(name, args);
  }

  private call(name: string, args: Json[]): Json {
    switch (name) {
      case 'variables':
        return evaluate(this.template.variables?.[args[0]], this.template);
      case 'parameters':
        return evaluate(this.template.parameters?.[args[0]]?.defaultValue, this.template);
      case 'format':
        if (args.some((arg) => arg === undefined)) throw new Error('unknown argument');
        return String(args[0]).replace(/\{(\d+)\}/g, (_match, index: string) =>
          String(args[Number(index) + 1]),
        );
      default:
        throw new Error(`not evaluated before deployment: ${name}()`);
    }
  }

  private stringLiteral(): string {
    let result = '';
    this.position++;
    while (this.position < this.text.length) {
      const char = this.text[this.position++];
      if (char === "'") {
        if (this.text[this.position] !== "'") return result;
        this.position++;
      }
      result += char;
    }
    throw new Error('unterminated string');
  }

  private identifier(): string {
    const match = /^[A-Za-z_][\w.]*/.exec(this.text.slice(this.position));
    if (!match) throw new Error(`identifier expected at ${this.position}`);
    this.position += match[0].length;
    return match[0];
  }

  private expect(char: string): void {
    this.skipSpace();
    if (this.text[this.position] !== char) throw new Error(`${char} expected at ${this.position}`);
    this.position++;
  }

  private skipSpace(): void {
    while (this.text[this.position] === ' ') this.position++;
  }
}
