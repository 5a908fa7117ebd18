import { FlinkError, FlinkErrorCode, rootCauseMessage, exceptionChain } from './errors';

export interface HttpOptions {
  /** per request */
  readonly timeoutMs?: number;
}

/** JSON over HTTP to a Flink REST endpoint; every failure is a FlinkError with Flink's own message. */
export async function flinkRequest<T>(baseUrl: string, method: string, path: string, body?: unknown, options: HttpOptions = {}): Promise<T> {
  const request = `${method} ${path}`;
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new FlinkError(FlinkErrorCode.Unreachable, `Flink at ${baseUrl} did not answer ${request}: ${cause}`, { request });
  }
  const text = await response.text();
  if (!response.ok) {
    let errors: string[] = [text];
    try {
      const parsed = JSON.parse(text) as { errors?: unknown };
      if (Array.isArray(parsed.errors)) errors = parsed.errors.map(String);
    } catch {
      // not JSON: keep the text
    }
    throw new FlinkError(FlinkErrorCode.Rejected, rootCauseMessage(errors), { status: response.status, request, causes: exceptionChain(errors) });
  }
  return (text === '' ? {} : JSON.parse(text)) as T;
}
