/**
 * The API's description, generated from the URI table (functions/index.ts): an OpenAPI 3.1 document
 * (GET /openapi.json, rendered at GET /docs) and the English reference docs/api-reference.md
 * (functions/lib/reference.ts). Each URI's request and response schemas come from its zod input and
 * output (z.toJSONSchema), with who may call it, every error code it can answer and an example, so
 * the description cannot drift from what the handlers accept; the answers are checked against it
 * in the test suite (VALIDATE_RESPONSES, functions/lib/define.ts).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ErrorTable, type ErrorName } from '../../core/errors.ts';
import { repoPath } from '../../core/paths.ts';
import type { ApiFunction } from './define.ts';
import type { ApiStream } from './stream.ts';

export type JsonSchema = { [k: string]: unknown };
export type Group = { tag: string; title: string; functions: readonly ApiFunction[] };

const VERSION = (JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string }).version;

/** zod → JSON Schema 2020-12 (OpenAPI 3.1's dialect), without the $schema key. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

const ROLE_TEXT = {
  none: 'no session (the only URI without one)',
  viewer: 'a session of any account (viewer, operator or admin)',
  operator: 'a session of an operator or admin',
  admin: 'a session of an admin',
} as const;

export const sessionField: JsonSchema = {
  type: 'string',
  description: 'the session /Login gave; may also be sent as the `X-Session` or `Authorization: Bearer` header',
};

/** The request body schema as a client sends it: the input plus `session` for URIs that need one. */
export function requestSchema(fn: ApiFunction): JsonSchema {
  if (fn.body === 'multipart') {
    return {
      type: 'object',
      properties: {
        file: { type: 'string', contentMediaType: 'application/octet-stream', description: 'the picture: JPEG, PNG, BMP or WebP' },
        session: sessionField,
      },
      required: ['file'],
    };
  }
  const s = jsonSchema(fn.input, 'input');
  if (fn.role === 'none') return s;
  return { ...s, properties: { session: sessionField, ...(s.properties as object) } };
}

/** A successful answer: code 0, msg "", and the output's fields. */
export function successSchema(fn: ApiFunction): JsonSchema {
  const out = jsonSchema(fn.output, 'output');
  return {
    title: 'success',
    type: 'object',
    properties: { code: { const: 0 }, msg: { const: '' }, ...(out.properties as object) },
    required: ['code', 'msg', ...((out.required as string[]) ?? [])],
    additionalProperties: false,
  };
}

/** the URI's error codes, by number */
export const errorsOf = (fn: ApiFunction) => fn.errors.map((name: ErrorName) => ({ name, ...ErrorTable[name] })).sort((a, b) => a.code - b.code);

/** A failed answer: one of the URI's error codes and an English msg naming the field or thing at fault. */
export function errorSchema(fn: ApiFunction): JsonSchema {
  return {
    title: 'error',
    type: 'object',
    properties: {
      code: { type: 'integer', enum: errorsOf(fn).map((e) => e.code), description: 'see the error codes of this URI (docs/error-codes.md)' },
      msg: { type: 'string', description: 'English; for bad input it starts with the field path, e.g. `page_size: must be <= 1000`' },
    },
    required: ['code', 'msg'],
    additionalProperties: false,
  };
}

const errorTable = (fn: ApiFunction) =>
  ['| code | name | meaning |', '| --- | --- | --- |', ...errorsOf(fn).map((e) => `| ${e.code} | \`${e.name}\` | ${e.msg} |`)].join('\n');

/** the operation's description: rules, who may call it, its error codes */
function operationText(fn: ApiFunction): string {
  return [fn.description, `**Who may call it:** ${ROLE_TEXT[fn.role]}.`, `**Error codes** (besides \`code\` 0):\n\n${errorTable(fn)}`]
    .filter(Boolean).join('\n\n');
}

function operation(fn: ApiFunction, tag: string) {
  const exampleRequest = fn.role === 'none' || fn.body === 'multipart' ? fn.example.input : { session: 'mXk2pQ9v0rS3tL8wY1zA4bC7dE6fG5hJ2kN0pQ3rS6t', ...fn.example.input };
  return {
    operationId: fn.uri.slice(1),
    tags: [tag],
    summary: fn.summary,
    description: operationText(fn),
    'x-facewatch-role': fn.role,
    'x-facewatch-errors': errorsOf(fn),
    security: fn.role === 'none' ? [] : [{ session: [] }, { bearer: [] }],
    requestBody: {
      required: true,
      content: {
        [fn.body === 'multipart' ? 'multipart/form-data' : 'application/json']: {
          schema: requestSchema(fn),
          ...(fn.body === 'multipart' ? {} : { example: exampleRequest }),
        },
      },
    },
    responses: {
      200: {
        description: 'Always HTTP 200: `code` 0 is success, any other code an error from the table above.',
        headers: { 'X-Request-Id': { description: 'the id this call is logged under', schema: { type: 'string' } } },
        content: {
          'application/json': {
            schema: { oneOf: [successSchema(fn), errorSchema(fn)] },
            examples: {
              success: { value: { code: 0, msg: '', ...(fn.example.output ?? {}) } },
              error: { value: { code: ErrorTable[fn.errors.at(-1)!].code, msg: ErrorTable[fn.errors.at(-1)!].msg } },
            },
          },
        },
      },
    },
  };
}

const INTRO = `The HTTP API of facewatch: face-recognition video analytics (libraries of enrolled persons,
RTSP cameras, recognition tasks, capture records).

- Every URI is \`POST /<Uri>\` with a JSON body (\`/UploadPersonPicture\`: \`multipart/form-data\`), and
  answers HTTP 200 with \`{code, msg, ...}\`: \`code\` 0 is success; any other code comes from one table
  (docs/error-codes.md), with an English \`msg\` that names the field or thing at fault.
- One exception: \`GET /Events\`, the live events as a Server-Sent Events stream.
- Every URI but \`/Login\` needs the session \`/Login\` gave: body (or form) field \`session\`, header
  \`X-Session\` or \`Authorization: Bearer <session>\`; and the account's role must be at least the URI's.
- Passwords travel as the lowercase hex MD5 of the password.
- Paged queries: \`page_no\` from 1, \`page_size\` 1..1000; answers \`info {page_no, page_size, total_count, items}\`.
- Times: \`yyyy-mm-dd hh:mm:ss\` in the server's TIME_ZONE. Ids are JSON numbers.
- Types are strict (a number field refuses \`"1"\`); unknown fields are ignored.

Decisions where the customer's document is silent: docs/api.md.`;

/** Operations endpoints the host serves beside the URIs (GET; not part of the customer's document). */
const OPERATIONS: Record<string, { summary: string; description: string; type: string }> = {
  '/healthz': { summary: 'The process is alive.', description: 'Always 200 `{"status":"ok"}` while the process serves HTTP.', type: 'application/json' },
  '/readyz': {
    summary: 'The database, the object store and the bus answer.',
    description: '200 `{"status":"ready","checks":{...}}` when each answers within 2 s; 503 `{"status":"unavailable","failing":["database"],"checks":{...}}` naming each part that does not.',
    type: 'application/json',
  },
  '/metrics': { summary: 'Metrics in the Prometheus text format.', description: 'See docs/architecture.md (Operations) for the list.', type: 'text/plain' },
  '/openapi.json': { summary: 'This document.', description: 'OpenAPI 3.1, generated from the URI table.', type: 'application/json' },
  '/docs': { summary: 'This document as a readable page.', description: 'Swagger UI, served from the host (works offline).', type: 'text/html' },
};

/** The tag of the GET event streams in the document. */
export const STREAMS_TAG = { name: 'events', description: 'Live events (GET, Server-Sent Events)' };

const streamErrorsOf = (st: ApiStream) => st.errors.map((name: ErrorName) => ({ name, ...ErrorTable[name] })).sort((a, b) => a.code - b.code);

/** A GET event stream: its query parameters, `text/event-stream` with the events it sends, or a JSON refusal. */
function streamOperation(st: ApiStream) {
  const query = jsonSchema(st.input, 'input');
  const props = (query.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((query.required as string[]) ?? []);
  const errors = streamErrorsOf(st);
  const eventList = Object.entries(st.events).map(([type, e]) => `- \`${type}\`: ${e.description}, e.g. \`${JSON.stringify(e.example)}\``).join('\n');
  return {
    operationId: st.uri.slice(1),
    tags: [STREAMS_TAG.name],
    summary: st.summary,
    description: [
      st.description,
      `**Events** (\`event:\` line; \`data:\` one JSON object):\n\n${eventList}`,
      `**Who may call it:** ${ROLE_TEXT[st.role]}.`,
      `**Error codes** (a JSON answer before the stream starts, or an \`error\` event):\n\n${
        ['| code | name | meaning |', '| --- | --- | --- |', ...errors.map((e) => `| ${e.code} | \`${e.name}\` | ${e.msg} |`)].join('\n')}`,
    ].join('\n\n'),
    'x-facewatch-role': st.role,
    'x-facewatch-errors': errors,
    security: st.role === 'none' ? [] : [{ session: [] }, { bearer: [] }, { sessionQuery: [] }],
    parameters: [
      ...Object.entries(props).map(([name, schema]) => ({ name, in: 'query', required: required.has(name), schema, description: schema.description })),
      { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string', pattern: '^\\d{1,15}$' }, description: 'resume after this event id (what an EventSource sends when it reconnects)' },
    ],
    responses: {
      200: {
        description: 'The event stream, or (before it starts) a refusal as JSON `{code, msg}`.',
        headers: { 'X-Request-Id': { description: 'the id this call is logged under', schema: { type: 'string' } } },
        content: {
          'text/event-stream': {
            schema: { type: 'string', description: 'Server-Sent Events: `id`, `event` and `data` lines per event' },
            example: Object.entries(st.events).slice(0, 1).map(([type, e]) => `retry: 3000\n\nid: 4712\nevent: ${type}\ndata: ${JSON.stringify(e.example)}\n\n`).join(''),
          },
          'application/json': {
            schema: {
              title: 'error', type: 'object', additionalProperties: false, required: ['code', 'msg'],
              properties: { code: { type: 'integer', enum: errors.map((e) => e.code) }, msg: { type: 'string' } },
            },
            example: { code: ErrorTable.SESSION_MISSING.code, msg: ErrorTable.SESSION_MISSING.msg },
          },
        },
      },
    },
  };
}

export function openApiDocument(groups: readonly Group[], streams: readonly ApiStream[] = []) {
  const paths: Record<string, unknown> = {};
  for (const g of groups) for (const fn of g.functions) paths[fn.uri] = { post: operation(fn, g.tag) };
  for (const st of streams) paths[st.uri] = { get: streamOperation(st) };
  for (const [path, o] of Object.entries(OPERATIONS)) {
    paths[path] = {
      get: {
        operationId: path.slice(1).replace(/\W/g, '_'), tags: ['operations'], summary: o.summary, description: o.description, security: [],
        responses: { 200: { description: o.summary, content: { [o.type]: { schema: o.type === 'application/json' ? { type: 'object' } : { type: 'string' } } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'facewatch API', version: VERSION, description: INTRO },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [
      ...groups.map((g) => ({ name: g.tag, description: g.title })), ...(streams.length ? [STREAMS_TAG] : []),
      { name: 'operations', description: 'Health, readiness, metrics and this description (GET)' },
    ],
    paths,
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'header', name: 'X-Session', description: 'the session /Login gave (or the body field `session`)' },
        bearer: { type: 'http', scheme: 'bearer', description: 'the session /Login gave' },
        sessionQuery: { type: 'apiKey', in: 'query', name: 'session', description: 'the session /Login gave (GET /Events only: an EventSource cannot send headers)' },
      },
    },
  };
}
export type OpenApiDocument = ReturnType<typeof openApiDocument>;
