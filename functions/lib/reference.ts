/**
 * docs/api-reference.md, generated from the same description as GET /openapi.json
 * (functions/lib/openapi.ts): `npm run docs:api` writes it, test/functions/api-description.test.ts
 * fails when the committed file differs from what the URI table gives.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ErrorTable } from '../../core/errors.ts';
import { repoPath } from '../../core/paths.ts';
import type { ApiFunction } from './define.ts';
import { errorsOf, jsonSchema, openApiDocument, requestSchema, STREAMS_TAG, type Group, type JsonSchema } from './openapi.ts';
import type { ApiStream } from './stream.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function typeOf(s: JsonSchema): string {
  if (s.contentMediaType) return 'file';
  if (Array.isArray(s.anyOf)) return (s.anyOf as JsonSchema[]).map(typeOf).join(' or ');
  if (s.type === 'array') return `array of ${typeOf((s.items as JsonSchema) ?? {})}`;
  if (s.const !== undefined) return JSON.stringify(s.const);
  return String(s.type ?? 'any');
}

function rulesOf(s: JsonSchema): string {
  const r: string[] = [];
  if (Array.isArray(s.enum)) r.push(`one of ${(s.enum as unknown[]).join(', ')}`);
  const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : undefined);
  if (min !== undefined && min !== -MAX_SAFE) r.push(typeof min === 'string' ? min : `>= ${min}`);
  if (s.maximum !== undefined && s.maximum !== MAX_SAFE) r.push(`<= ${s.maximum}`);
  if (s.minLength !== undefined && s.minLength !== 0) r.push(s.minLength === 1 ? 'not empty' : `at least ${s.minLength} characters`);
  if (s.maxLength !== undefined) r.push(`at most ${s.maxLength} characters`);
  if (s.pattern) r.push(`matches \`${s.pattern}\``);
  if (s.format) r.push(String(s.format));
  if (s.contentEncoding) r.push(String(s.contentEncoding));
  if (s.description) r.push(String(s.description));
  return r.join('; ').replace(/\|/g, '\\|');
}

/** one table row per field, nested ones as `info.items[].name` */
function rows(s: JsonSchema, prefix = '', required = true): string[] {
  const props = (s.properties ?? {}) as Record<string, JsonSchema>;
  const req = new Set((s.required as string[]) ?? []);
  const out: string[] = [];
  for (const [name, p] of Object.entries(props)) {
    const path = `${prefix}${name}`;
    out.push(`| \`${path}\` | ${typeOf(p)} | ${required && req.has(name) ? 'yes' : ''} | ${rulesOf(p)} |`);
    if (p.type === 'object') out.push(...rows(p, `${path}.`, required && req.has(name)));
    const items = p.items as JsonSchema | undefined;
    if (p.type === 'array' && items?.type === 'object') out.push(...rows(items, `${path}[].`, required && req.has(name)));
  }
  return out;
}

const table = (r: string[]) => (r.length ? ['| field | type | required | rules |', '| --- | --- | --- | --- |', ...r].join('\n') : '(none)');
const json = (v: unknown) => ['```json', JSON.stringify(v, null, 2), '```'].join('\n');

function section(fn: ApiFunction): string {
  const req = requestSchema(fn);
  const exampleRequest = fn.role === 'none' || fn.body === 'multipart' ? fn.example.input : { session: '<session>', ...fn.example.input };
  const who = { none: 'no session', viewer: 'viewer, operator or admin', operator: 'operator or admin', admin: 'admin' }[fn.role as 'none'];
  return [
    `### POST ${fn.uri}`,
    fn.summary,
    fn.description ?? '',
    `Who may call it: ${who}. Body: \`${fn.body === 'multipart' ? 'multipart/form-data' : 'application/json'}\`.`,
    '**Request**',
    table(rows(req)),
    '**Answer** (beside `code` and `msg`)',
    table(rows(jsonSchema(fn.output, 'output'))),
    `**Error codes:** ${errorsOf(fn).map((e) => `${e.code} \`${e.name}\``).join(', ')}`,
    '**Example**',
    fn.body === 'multipart' ? '`file`: the picture, as a form part; `session`: a form field or a header.' : json(exampleRequest),
    json({ code: 0, msg: '', ...(fn.example.output ?? {}) }),
  ].filter((x) => x !== '').join('\n\n');
}

function streamSection(st: ApiStream): string {
  const who = { none: 'no session', viewer: 'viewer, operator or admin', operator: 'operator or admin', admin: 'admin' }[st.role as 'none'];
  return [
    `### GET ${st.uri}`,
    st.summary,
    st.description,
    `Who may call it: ${who}. Answer: \`text/event-stream\` (or, refused before it starts, JSON \`{code, msg}\`).`,
    '**Query parameters**',
    table(rows(jsonSchema(st.input, 'input'))),
    '**Events**',
    ['| event | what | data, e.g. |', '| --- | --- | --- |', ...Object.entries(st.events).map(([t, e]) => `| \`${t}\` | ${e.description} | \`${JSON.stringify(e.example).replace(/\|/g, '\\|')}\` |`)].join('\n'),
    `**Error codes:** ${[...st.errors].map((n) => ({ n, ...ErrorTable[n] })).sort((a, b) => a.code - b.code).map((e) => `${e.code} \`${e.n}\``).join(', ')}`,
  ].join('\n\n');
}

export function apiReference(groups: readonly Group[], streams: readonly ApiStream[] = []): string {
  const doc = openApiDocument(groups, streams);
  const parts = [
    '# API reference',
    '<!-- Generated from the URI table (functions/index.ts) by `npm run docs:api`; test/functions/api-description.test.ts keeps it in sync. Do not edit by hand. -->',
    'The same description is served by the API host, machine-readable at `GET /openapi.json` (OpenAPI 3.1) and readable at `GET /docs`. '
      + 'Why things are as they are where the customer\'s document is silent: [api.md](api.md); every error code: [error-codes.md](error-codes.md).',
    doc.info.description,
    '## Contents',
    [
      ...groups.map((g) => `- ${g.title}: ${g.functions.map((f) => `[${f.uri}](#post-${f.uri.slice(1).toLowerCase()})`).join(', ')}`),
      ...(streams.length ? [`- ${STREAMS_TAG.description}: ${streams.map((st) => `[GET ${st.uri}](#get-${st.uri.slice(1).toLowerCase()})`).join(', ')}`] : []),
      `- Operations (GET): ${Object.keys(doc.paths)
        .filter((p) => !groups.some((g) => g.functions.some((f) => f.uri === p)) && !streams.some((st) => st.uri === p)).map((p) => `\`${p}\``).join(', ')}`,
    ].join('\n'),
  ];
  for (const g of groups) parts.push(`## ${g.title}`, ...g.functions.map(section));
  if (streams.length) parts.push(`## ${STREAMS_TAG.description}`, ...streams.map(streamSection));
  return `${parts.join('\n\n')}\n`;
}

export const REFERENCE_PATH = 'docs/api-reference.md';

const isMain = !!process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const { groups, streams } = await import('../index.ts');
  writeFileSync(repoPath(REFERENCE_PATH), apiReference(groups, streams));
  process.stdout.write(`wrote ${REFERENCE_PATH}\n`);
}
