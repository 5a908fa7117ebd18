import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../layout';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  environment?: Record<string, string | number>;
  command?: string | string[];
  depends_on?: string[] | Record<string, unknown>;
}

/** docker/compose.yaml, with YAML merge keys applied and `${VAR…}` filled from `variables`. */
export function readCompose(variables: Record<string, string> = {}): { services: Record<string, ComposeService> } {
  const text = readFileSync(path.join(repoRoot(), 'docker', 'compose.yaml'), 'utf8').replace(
    /\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}/g,
    (_all, name: string) => variables[name] ?? `<unset ${name}>`,
  );
  return parse(text, { merge: true }) as { services: Record<string, ComposeService> };
}

/** The environment a service gets in docker/compose.yaml, as strings (what the process would see). */
export function composeEnvironment(service: string, variables: Record<string, string> = {}): Record<string, string> {
  const definition = readCompose(variables).services[service];
  if (!definition) throw new Error(`docker/compose.yaml has no service "${service}"`);
  return Object.fromEntries(Object.entries(definition.environment ?? {}).map(([k, v]) => [k, String(v)]));
}
