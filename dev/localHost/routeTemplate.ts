/**
 * ASP.NET-style route templates as Functions HTTP triggers declare them: `items/{id}`, optional
 * `{id?}`, constrained `{id:int}`, catch-all `{*rest}`. Literal parts match case-insensitively.
 */
export interface CompiledRoute {
  template: string;
  match(path: string): Record<string, string> | undefined;
  /** Higher is more specific; used to prefer `items/new` over `items/{id}`. */
  specificity: number;
}

const CONSTRAINTS: Record<string, string> = {
  int: '-?\\d+',
  long: '-?\\d+',
  bool: '(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])',
  alpha: '[A-Za-z]+',
  guid: '[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}',
  decimal: '-?\\d+(?:\\.\\d+)?',
  double: '-?\\d+(?:\\.\\d+)?',
  float: '-?\\d+(?:\\.\\d+)?',
};

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileRoute(template: string): CompiledRoute {
  const segments = template
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .filter(Boolean);
  const names: string[] = [];
  let pattern = '';
  let specificity = 0;
  for (const segment of segments) {
    const whole = /^\{(\*{1,2})?([A-Za-z_][\w]*)(?::([^}?=]+))?(\?)?(?:=[^}]*)?\}$/.exec(segment);
    if (whole) {
      const [, catchAll, name, constraint, optional] = whole;
      names.push(name);
      const group = `group${names.length - 1}`;
      if (catchAll) {
        pattern += `(?:/(?<${group}>.*))?`;
        specificity -= 2;
      } else {
        const body = constraintPattern(constraint);
        pattern += optional ? `(?:/(?<${group}>${body}))?` : `/(?<${group}>${body})`;
        specificity += optional ? -1 : 1;
      }
      continue;
    }
    // a segment mixing literals and parameters, e.g. `{name}.{ext}`, or a plain literal
    let segmentPattern = '';
    let last = 0;
    for (const param of segment.matchAll(/\{([A-Za-z_][\w]*)(?::([^}?=]+))?\??\}/g)) {
      segmentPattern += escapeRegex(segment.slice(last, param.index));
      names.push(param[1]);
      segmentPattern += `(?<group${names.length - 1}>${constraintPattern(param[2])})`;
      last = (param.index ?? 0) + param[0].length;
    }
    const literal = segment.slice(last);
    segmentPattern += escapeRegex(literal);
    specificity += last === 0 ? 3 : 2;
    pattern += `/${segmentPattern}`;
  }
  const regex = new RegExp(`^${pattern}/?$`, 'i');
  return {
    template,
    specificity,
    match(path: string) {
      const found = regex.exec(path);
      if (!found) return undefined;
      const params: Record<string, string> = {};
      names.forEach((name, index) => {
        const value = found.groups?.[`group${index}`];
        if (value !== undefined) params[name] = decodeURIComponent(value);
      });
      return params;
    },
  };
}

function constraintPattern(constraint: string | undefined): string {
  const known = constraint
    ?.split(':')
    .map((part) => CONSTRAINTS[part.replace(/\(.*\)$/, '').toLowerCase()])
    .find(Boolean);
  return known ?? '[^/]+';
}
