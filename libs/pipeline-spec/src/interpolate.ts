/** The environment `${VAR}` references are resolved from. */
export type Env = Readonly<Record<string, string | undefined>>;

export interface InterpolationProblem {
  /** the text in the scalar the problem is about (to place it) */
  token: string;
  message: string;
  hint?: string;
}

export interface Interpolated {
  value: string;
  vars: string[];
  problems: InterpolationProblem[];
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}?/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Resolves `${VAR}` and `${VAR:-default}` (the default is used when VAR is unset or empty);
 * `$${` writes a literal `${`. For a secret field the whole value must be one `${VAR}` with no
 * default: the reference is checked against the environment but kept as written, so the secret
 * itself never enters the definition.
 */
export function interpolate(text: string, env: Env, options: { secret?: boolean } = {}): Interpolated {
  const vars: string[] = [];
  const problems: InterpolationProblem[] = [];
  if (options.secret) {
    const match = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(text);
    if (match === null) {
      problems.push({
        token: text.slice(0, 2),
        message: text.includes('${') ? 'a secret must be exactly one `${VAR}` reference, without a default' : 'a secret must not be written in the file',
        hint: 'write `${VAR}` and set VAR in the environment',
      });
      return { value: '', vars, problems };
    }
    const name = match[1] as string;
    vars.push(name);
    if (env[name] === undefined || env[name] === '') {
      problems.push({ token: text, message: `environment variable \`${name}\` is not set`, hint: `set ${name} in the environment` });
    }
    return { value: text, vars, problems };
  }
  if (!text.includes('${')) return { value: text, vars, problems };
  const value = text.replace(REFERENCE, (whole: string, body: string | undefined) => {
    if (whole === '$${') return '${';
    if (!whole.endsWith('}')) {
      problems.push({ token: whole, message: 'unterminated `${`', hint: 'write `${VAR}` or `${VAR:-default}`; `$${` writes a literal `${`' });
      return whole;
    }
    const raw = body ?? '';
    const split = raw.indexOf(':-');
    const name = split === -1 ? raw : raw.slice(0, split);
    const fallback = split === -1 ? undefined : raw.slice(split + 2);
    if (!NAME.test(name)) {
      problems.push({ token: whole, message: `\`${whole.slice(0, 40)}\` is not a valid variable reference`, hint: 'write `${VAR}` or `${VAR:-default}` with VAR made of letters, digits and `_`' });
      return whole;
    }
    vars.push(name);
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    problems.push({ token: whole, message: `environment variable \`${name}\` is not set`, hint: `set ${name}, or write \`\${${name}:-default}\`` });
    return '';
  });
  return { value, vars, problems };
}
