import type { z } from 'zod';

export class RequestError extends Error {
  readonly code = 'REQUEST_INVALID';

  constructor(readonly errors: readonly { path: string; message: string }[]) {
    super(errors.map((e) => `${e.path || '(body)'}: ${e.message}`).join('; '));
    this.name = 'RequestError';
  }
}

/** Parse a request part (body, query) with its schema; a 400 naming every bad field otherwise. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new RequestError(result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  return result.data;
}
