/** The registry's REST API as the CLI uses it. */

export interface Problem {
  readonly status: number;
  readonly title?: string;
  readonly detail?: string;
  readonly code?: string;
  readonly diagnostics?: readonly { file: string; line: number; col: number; path: string; message: string; hint?: string; severity: string }[];
  readonly errors?: readonly { path: string; message: string }[];
}

/** The registry answered with an error (problem+json). */
export class RegistryApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = 'RegistryApiError';
  }
}

/** The registry could not be reached at all. */
export class RegistryUnreachable extends Error {
  constructor(url: string, cause: string) {
    super(`the registry at ${url} did not answer (${cause}); is it running? (npm start, or set MATIH_REGISTRY_URL)`);
    this.name = 'RegistryUnreachable';
  }
}

export interface RegistryOptions {
  readonly url: string;
  readonly token: string | undefined;
}

export class RegistryClient {
  constructor(private readonly options: RegistryOptions) {}

  async request<T>(method: string, path: string, body?: { yaml: string } | { json: unknown }): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    let payload: string | undefined;
    if (body && 'yaml' in body) {
      headers['content-type'] = 'application/yaml';
      payload = body.yaml;
    } else if (body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    }
    let response: Response;
    try {
      response = await fetch(`${this.options.url}${path}`, { method, headers, body: payload, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new RegistryUnreachable(this.options.url, (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message);
    }
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : null;
    if (!response.ok) throw new RegistryApiError({ status: response.status, ...(parsed as object) });
    return { status: response.status, body: parsed as T };
  }
}
