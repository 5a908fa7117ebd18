import { pipelineJsonSchema } from './json-schema';

type Schema = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  required?: string[];
  minimum?: number;
  maximum?: number;
  const?: unknown;
};

function typeOf(s: Schema): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(' | ');
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return [...new Set(alternatives.map(typeOf))].join(' or ');
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'values'}`;
  if (s.type === 'object' && !s.properties) return 'map';
  const type = Array.isArray(s.type) ? s.type.join(' or ') : s.type ?? 'any';
  const range = s.minimum !== undefined || s.maximum !== undefined ? ` ${s.minimum ?? ''}…${s.maximum ?? ''}` : '';
  return `${type}${range}`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');

/** Objects nested in a field (directly, in a list `[]`, in a map `.<name>`, or among alternatives) that deserve their own table. */
function nestedObjects(s: Schema, suffix = ''): { schema: Schema; suffix: string }[] {
  if (s.properties) return [{ schema: s, suffix }];
  return [
    ...(s.items ? nestedObjects(s.items, `${suffix}[]`) : []),
    ...(typeof s.additionalProperties === 'object' ? nestedObjects(s.additionalProperties, `${suffix}.<name>`) : []),
    ...[...(s.anyOf ?? []), ...(s.oneOf ?? [])].flatMap((alt) => nestedObjects(alt, suffix)),
  ];
}

function section(title: string, s: Schema, depth: number, out: string[]): void {
  out.push(`${'#'.repeat(Math.min(depth, 6))} \`${title}\``, '');
  if (s.description) out.push(s.description, '');
  const props = Object.entries(s.properties ?? {});
  if (props.length === 0) return;
  out.push('| field | type | required | default | description |', '| --- | --- | --- | --- | --- |');
  for (const [name, p] of props) {
    const required = s.required?.includes(name) ? 'yes' : '';
    const fallback = p.default === undefined || (typeof p.default === 'object' && p.default !== null) ? '' : `\`${JSON.stringify(p.default)}\``;
    out.push(`| \`${name}\` | ${cell(typeOf(p))} | ${required} | ${fallback} | ${cell(p.description ?? '')} |`);
  }
  out.push('');
  for (const [name, p] of props) {
    const children = nestedObjects(p);
    children.forEach((child, i) => section(`${title}.${name}${child.suffix}${children.length > 1 ? ` (form ${i + 1})` : ''}`, child.schema, depth + 1, out));
  }
}

/** The definition format reference (Markdown), generated from the JSON Schema — docs/definition-reference.md. */
export function renderReference(): string {
  const schema = pipelineJsonSchema() as Schema;
  const out = [
    '# Pipeline definition reference',
    '',
    '<!-- Generated from the JSON Schema by libs/pipeline-spec (renderReference); `UPDATE_DOCS=1 npx jest -c libs/pipeline-spec/jest.config.js reference` rewrites it. -->',
    '',
    'The decisions behind the format (timestamp offsets, sink inputs, `partition_by: [date]`, connections, secrets) are explained in `libs/pipeline-spec/README.md`. Editors can validate and complete definitions with the JSON Schema in `libs/pipeline-spec/pipeline-definition.schema.json`.',
    '',
  ];
  for (const [name, s] of Object.entries(schema.properties ?? {})) {
    const objects = nestedObjects(s);
    if (objects.length === 0) section(name, s, 2, out);
    objects.forEach((o, i) =>
      section(`${name}${o.suffix}${objects.length > 1 ? ` (form ${i + 1})` : ''}`, { ...o.schema, description: o.schema.description ?? s.description }, 2, out),
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}
