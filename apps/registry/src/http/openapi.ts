import { z } from 'zod';
import { createBody } from '../auth/tokens.controller';
import { actionBody, deployBody } from '../deployments/deployments.controller';

const json = (schema: z.ZodType) => ({ 'application/json': { schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) } });
const problem = { description: 'problem+json', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
const errors = { '400': problem, '401': problem, '403': problem, '404': problem, '409': problem, '422': problem };
const definitionBody = {
  required: true,
  content: {
    'application/yaml': { schema: { type: 'string', description: 'the pipeline definition (YAML), as `matih validate` reads it' } },
    'application/json': { schema: { type: 'object', description: 'the pipeline definition as JSON' } },
  },
};
const ok = (description: string) => ({ '200': { description } });
const page = { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 } };
const cursor = { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'nextCursor of the previous page' };
const path = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

/** The registry's REST API as an OpenAPI 3.1 document (served at /openapi.json). */
export function openApiDocument(release: string) {
  return {
    openapi: '3.1.0',
    info: { title: 'MATIH Pipelines registry', version: release, description: 'Pipeline definitions, deployments and their audit log.' },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Problem: {
          type: 'object',
          properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, code: { type: 'string' }, instance: { type: 'string' } },
          required: ['type', 'title', 'status', 'detail'],
        },
      },
    },
    paths: {
      '/v1/pipelines': {
        get: { summary: 'List pipelines', parameters: [page, cursor, { name: 'owner', in: 'query', schema: { type: 'string' } }], responses: { ...ok('a page of pipelines'), ...errors } },
        post: {
          summary: 'Register a pipeline version (editors of the owning team, admins)',
          requestBody: definitionBody,
          responses: { '201': { description: 'registered' }, '200': { description: 'the same content was registered before' }, ...errors },
        },
      },
      '/v1/pipelines/validate': { post: { summary: 'Validate a definition without saving it', requestBody: definitionBody, responses: { ...ok('valid: the normalized definition'), ...errors } } },
      '/v1/pipelines/{name}': { get: { summary: 'A pipeline and its versions', parameters: [path('name')], responses: { ...ok('the pipeline'), ...errors } } },
      '/v1/pipelines/{name}/versions/{version}': {
        get: { summary: 'One immutable version', parameters: [path('name'), path('version')], responses: { ...ok('the version'), ...errors } },
      },
      '/v1/pipelines/{name}/versions/{version}/plan': {
        get: {
          summary: 'Preview the compiled plan of a version (for Flink, its SQL script)',
          parameters: [path('name'), path('version'), { name: 'target', in: 'query', schema: { enum: ['flink', 'microbatch'] } }],
          responses: { ...ok('the plan'), ...errors },
        },
      },
      '/v1/pipelines/{name}/audit': { get: { summary: 'Every event about a pipeline', parameters: [path('name'), page, cursor], responses: { ...ok('events'), ...errors } } },
      '/v1/deployments': {
        get: { summary: 'List deployments', parameters: [page, cursor, { name: 'pipeline', in: 'query', schema: { type: 'string' } }, { name: 'state', in: 'query', schema: { type: 'string' } }], responses: { ...ok('a page of deployments'), ...errors } },
        post: { summary: 'Deploy a pipeline version', requestBody: { required: true, content: json(deployBody) }, responses: { '202': { description: 'requested' }, ...errors } },
      },
      '/v1/deployments/{id}': { get: { summary: 'A deployment', parameters: [path('id')], responses: { ...ok('the deployment'), ...errors } } },
      '/v1/deployments/{id}/{action}': {
        post: {
          summary: 'stop (with a savepoint by default), pause, resume, upgrade or rollback',
          parameters: [path('id'), { name: 'action', in: 'path', required: true, schema: { enum: ['stop', 'pause', 'resume', 'upgrade', 'rollback'] } }],
          requestBody: { content: json(actionBody) },
          responses: { '202': { description: 'requested' }, ...errors },
        },
      },
      '/v1/deployments/{id}/audit': { get: { summary: "A deployment's events", parameters: [path('id')], responses: { ...ok('events'), ...errors } } },
      '/v1/audit': {
        get: {
          summary: 'The audit log, filtered',
          parameters: ['pipeline', 'owner', 'type', 'since', 'until', 'after'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })).concat([page]),
          responses: { ...ok('events'), ...errors },
        },
      },
      '/v1/tokens': { post: { summary: 'Create an API token (admins)', requestBody: { required: true, content: json(createBody) }, responses: { '201': { description: 'the token, shown once' }, ...errors } } },
      '/health': { get: { summary: 'Health', security: [], responses: ok('healthy') } },
    },
  };
}
