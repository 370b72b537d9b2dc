/** An application/problem+json answer of the API: `field` names the request field at fault. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly code?: string,
    readonly field?: string,
    readonly errors: { field: string; message: string }[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'ApiProblem';
  }
}

export async function problemOf(response: Response): Promise<ApiProblem> {
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // not JSON: the status says enough
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return new ApiProblem(
    response.status,
    text(body.detail) ?? `The request failed (${response.status}).`,
    text(body.code),
    text(body.field),
    Array.isArray(body.errors) ? (body.errors as { field: string; message: string }[]) : [],
    body,
  );
}

/**
 * A problem's messages by the form field they belong to: `segments.2` belongs to `segments`. What
 * names no field of the form is under `''`, shown above the form.
 */
export function messagesByField(problem: unknown, fields: readonly string[]): Map<string, string[]> {
  const byField = new Map<string, string[]>();
  const add = (field: string, message: string) =>
    byField.set(field, [...(byField.get(field) ?? []), message]);
  if (!(problem instanceof Error)) return byField;
  if (!(problem instanceof ApiProblem)) {
    add('', problem.message);
    return byField;
  }
  const entries =
    problem.errors.length > 0 ? problem.errors : [{ field: problem.field ?? '', message: problem.detail }];
  for (const { field, message } of entries) {
    const owner = fields
      .filter((name) => field === name || field.startsWith(`${name}.`))
      .sort((a, b) => b.length - a.length)[0];
    add(
      owner ?? '',
      owner === undefined && field && !message.includes(field) ? `${field}: ${message}` : message,
    );
  }
  return byField;
}
