/**
 * The API description (functions/lib/openapi.ts) as an integrator gets it: a valid OpenAPI 3.1
 * document (checked with a maintained validator), holding every URI of the customer's document with
 * the fields it names, every URI we added, who may call each and its error codes; examples that
 * match the schemas; and docs/api-reference.md equal to what the URI table generates.
 * The answers themselves are checked against the same description in every test of the suite
 * (VALIDATE_RESPONSES, vitest.config.ts); test/functions/uri-walk.test.ts walks every URI over HTTP.
 */
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { ErrorTable } from '../../core/errors.ts';
import { functions, groups, streams } from '../../functions/index.ts';
import { jsonSchema, openApiDocument, requestSchema, type JsonSchema } from '../../functions/lib/openapi.ts';
import { apiReference, REFERENCE_PATH } from '../../functions/lib/reference.ts';

/**
 * The customer's document (api-spec.zh.txt, which a clone of this repository does not have), read
 * into a list: each URI, every request field it names (besides session), those it marks required,
 * and the answer fields it marks required (nested ones as paths).
 */
const CUSTOMER_DOCUMENT: Record<string, { request: string[]; required: string[]; answer: string[] }> = {
  '/Login': { request: ['username', 'password'], required: ['username', 'password'], answer: ['user_id'] },
  '/RegisterUser': { request: ['name', 'password', 'remark'], required: ['name', 'password'], answer: [] },
  '/UpdateUser': { request: ['user_id', 'name', 'old_password', 'password', 'remark'], required: ['user_id'], answer: [] },
  '/DeleteUser': { request: ['user_id'], required: ['user_id'], answer: [] },
  '/UploadPersonPicture': { request: ['file'], required: ['file'], answer: [] },
  '/DownloadPersonPicture': { request: ['pic_url'], required: ['pic_url'], answer: [] },
  '/DeletePicture': { request: ['pic_url'], required: ['pic_url'], answer: [] },
  '/AddLibrary': { request: ['name', 'type', 'remark'], required: ['name', 'type'], answer: [] },
  '/DeleteLibrary': { request: ['lib_id'], required: ['lib_id'], answer: [] },
  '/QueryLibraryList': {
    request: ['page_no', 'page_size', 'type', 'name'], required: ['page_no', 'page_size'],
    answer: ['info.page_no', 'info.page_size', 'info.total_count', 'info.items', ...['lib_id', 'name', 'type', 'person_count', 'remark', 'create_time'].map((f) => `info.items[].${f}`)],
  },
  '/AddPerson': {
    request: ['lib_id', 'name', 'sex', 'pic_url', 'card_no', 'phone', 'category', 'remark'], required: ['lib_id', 'name', 'pic_url'], answer: [],
  },
  '/DeletePerson': { request: ['lib_id', 'person_id'], required: ['lib_id', 'person_id'], answer: [] },
  '/UpdatePerson': {
    request: ['lib_id', 'person_id', 'name', 'sex', 'pic_url', 'card_no', 'phone', 'category', 'remark'], required: ['lib_id', 'person_id'], answer: [],
  },
  '/QueryPersonList': {
    request: ['page_no', 'page_size', 'name', 'card_no', 'category', 'phone'], required: ['page_no', 'page_size'],
    answer: ['info.page_no', 'info.page_size', 'info.total_count', 'info.items',
      ...['lib_id', 'lib_name', 'person_id', 'name', 'pinyin', 'sex', 'card_no', 'phone', 'category', 'pic_url', 'remark', 'create_time'].map((f) => `info.items[].${f}`)],
  },
  '/AddCamera': { request: ['name', 'rtsp', 'type', 'remark'], required: ['name', 'rtsp'], answer: [] },
  '/DeleteCamera': { request: ['camera_id'], required: ['camera_id'], answer: [] },
  '/UpdateCamera': { request: ['camera_id', 'name', 'rtsp', 'type', 'remark'], required: ['camera_id'], answer: [] },
  '/QueryCameraList': {
    request: ['page_no', 'page_size', 'name', 'type'], required: ['page_no', 'page_size'],
    answer: ['info.page_no', 'info.page_size', 'info.total_count', 'info.items', ...['camera_id', 'name', 'rtsp', 'type', 'online', 'remark', 'create_time'].map((f) => `info.items[].${f}`)],
  },
  '/SearchCamera': { request: [], required: [], answer: ['info.total_count', 'info.items', 'info.items[].ip', 'info.items[].manufacturer'] },
  '/QueryCameraRtsp': { request: ['ip', 'user', 'password'], required: ['ip'], answer: ['info.rtsp'] },
  '/AddTask': {
    request: ['name', 'type', 'camera_list1', 'camera_list2', 'lib_list', 'interval', 'threshold', 'plan', 'remark'],
    required: ['name', 'camera_list1', 'lib_list', 'interval', 'threshold'], answer: [],
  },
  '/DeleteTask': { request: ['task_id'], required: ['task_id'], answer: [] },
  '/UpdateTask': {
    request: ['task_id', 'name', 'type', 'camera_list1', 'camera_list2', 'lib_list', 'interval', 'threshold', 'plan', 'remark'],
    required: ['task_id', 'camera_list1', 'lib_list'], answer: [],
  },
  '/QueryTaskList': {
    request: ['page_no', 'page_size', 'name', 'type', 'state'], required: ['page_no', 'page_size'],
    answer: ['info.page_no', 'info.page_size', 'info.total_count', 'info.items',
      ...['task_id', 'name', 'type', 'camera_list1', 'camera_list2', 'lib_list', 'interval', 'threshold', 'state', 'plan', 'create_time'].map((f) => `info.items[].${f}`),
      ...['camera_list1', 'camera_list2'].flatMap((l) => ['camera_id', 'name', 'state'].map((f) => `info.items[].${l}[].${f}`)),
      'info.items[].lib_list[].lib_id', 'info.items[].lib_list[].name'],
  },
  '/StartTask': { request: ['task_id'], required: ['task_id'], answer: [] },
  '/StopTask': { request: ['task_id'], required: ['task_id'], answer: [] },
  '/Compare1V1': { request: ['first_pic', 'second_pic'], required: ['first_pic', 'second_pic'], answer: ['similarity'] },
  '/UpdateSystemConfig': { request: ['name', 'config', 'remark'], required: ['name', 'config'], answer: [] },
  // the document also lists `config` as a request field: a copy-paste slip (reading a config sends none)
  '/GetSystemConfig': { request: ['name'], required: ['name'], answer: ['info', 'info.name', 'info.config'] },
  '/QueryTaskCaptureRecord': {
    request: ['page_no', 'page_size', 'task_id', 'camera_id', 'lib_id', 'person_name', 'card_no', 'classify', 'similarity'], required: ['page_no', 'page_size'],
    answer: ['info.page_no', 'info.page_size', 'info.total_count', 'info.items',
      ...['record_id', 'task_id', 'task_name', 'camera_id', 'camera_name', 'lib_id', 'lib_name', 'person_id', 'person_name', 'sex', 'category', 'card_no',
        'classify', 'similarity', 'pic_url', 'capture_url', 'capture_time', 'create_time'].map((f) => `info.items[].${f}`)],
  },
  '/DeleteTaskCaptureRecord': { request: ['record_id'], required: ['record_id'], answer: [] },
};

/**
 * Where we knowingly differ from the document's "required" column, and why (docs/api.md): these
 * fields are accepted but may be left out.
 */
const OPTIONAL_HERE: Record<string, string[]> = {
  '/AddLibrary': ['type'], // defaults to 0, as the English reading of the document says
  '/UpdateTask': ['camera_list1', 'lib_list'], // "" or absent = unchanged: the document's own example sends them empty
};

/** URIs beyond the customer's document (other issues add theirs here: the test makes them say so). */
const ADDED: string[] = [
  '/GetCameraSnapshot', '/QueryUserList',
  // issue 13: alarms, reports, exports, the webhook's status
  '/QueryAlarmList', '/AckAlarm', '/DeleteAlarm', '/QueryRollCall', '/QueryAttendance', '/QueryAttendanceSummary',
  '/ExportCaptureRecord', '/ExportRollCall', '/ExportAttendance', '/QueryWebhookStatus',
];

/** every field of a JSON schema as a path, with whether it (and its parents) are required */
function fields(s: JsonSchema, prefix = '', required = true, out = new Map<string, boolean>()): Map<string, boolean> {
  const props = (s.properties ?? {}) as Record<string, JsonSchema>;
  const req = new Set((s.required as string[]) ?? []);
  for (const [name, p] of Object.entries(props)) {
    const path = `${prefix}${name}`;
    const r = required && req.has(name);
    out.set(path, r);
    if (p.type === 'object') fields(p, `${path}.`, r, out);
    const items = p.items as JsonSchema | undefined;
    if (p.type === 'array' && items?.type === 'object') fields(items, `${path}[].`, r, out);
  }
  return out;
}

const doc = openApiDocument(groups, streams);
const byUri = new Map(functions.map((f) => [f.uri, f]));

describe('GET /openapi.json (the document)', () => {
  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('holds every URI of the customer document and every added one, nothing else', () => {
    const posts = Object.entries(doc.paths).filter(([, v]) => 'post' in (v as object)).map(([p]) => p).sort();
    expect(posts).toEqual([...Object.keys(CUSTOMER_DOCUMENT), ...ADDED].sort());
    expect(functions.map((f) => f.uri).sort()).toEqual(posts);
  });

  it.each(Object.entries(CUSTOMER_DOCUMENT))('%s has every field the document names, required where it says so', (uri, want) => {
    const fn = byUri.get(uri)!;
    const req = fields(requestSchema(fn));
    for (const f of want.request) expect(req.has(f), `${uri} request field ${f}`).toBe(true);
    for (const f of want.required) expect(req.get(f) || OPTIONAL_HERE[uri]?.includes(f), `${uri} requires ${f}`).toBe(true);
    const answer = fields(jsonSchema(fn.output, 'output'));
    for (const f of want.answer) expect(answer.get(f), `${uri} answers ${f}`).toBe(true);
  });

  it('says who may call each URI: a session for all but /Login, with its session codes; the roles are the agreed ones', () => {
    for (const fn of functions) {
      const op = (doc.paths[fn.uri] as { post: { security: unknown[]; 'x-facewatch-role': string } }).post;
      expect(op['x-facewatch-role']).toBe(fn.role);
      // a role above viewer can be refused to a lower one
      expect(fn.errors.includes('PERMISSION_DENIED')).toBe(fn.role === 'operator' || fn.role === 'admin' || fn.uri === '/UpdateUser');
      if (fn.role === 'none') {
        expect(op.security).toEqual([]);
        expect(fn.errors).not.toContain('SESSION_MISSING');
      } else {
        expect(op.security).toEqual([{ session: [] }, { bearer: [] }]);
        expect(fn.errors).toEqual(expect.arrayContaining(['SESSION_MISSING', 'SESSION_INVALID', 'SESSION_EXPIRED']));
      }
    }
    expect(functions.filter((f) => f.role === 'none').map((f) => f.uri)).toEqual(['/Login']);
    // the webhook's status names its receiver: admins only, like the config it reports on
    const admin = ['/DeleteUser', '/GetSystemConfig', '/QueryUserList', '/QueryWebhookStatus', '/RegisterUser', '/UpdateSystemConfig'];
    expect(functions.filter((f) => f.role === 'admin').map((f) => f.uri).sort()).toEqual(admin);
    expect(functions.filter((f) => f.role === 'viewer').map((f) => f.uri).sort()).toEqual([
      '/Compare1V1', '/DownloadPersonPicture', '/UpdateUser',
      ...functions.map((f) => f.uri).filter((u) => (u.startsWith('/Query') || u.startsWith('/Export')) && u !== '/QueryCameraRtsp' && !admin.includes(u)),
    ].sort());
  });

  it('lists each URI\'s error codes from the one table, and every code a URI declares exists', () => {
    for (const fn of functions) {
      const op = (doc.paths[fn.uri] as { post: { 'x-facewatch-errors': { code: number; name: string }[] } }).post;
      expect(op['x-facewatch-errors'].map((e) => e.code).sort()).toEqual(fn.errors.map((n) => ErrorTable[n].code).sort());
      expect(fn.errors).toEqual(expect.arrayContaining(['MALFORMED_JSON', 'BODY_TOO_LARGE', 'INTERNAL', 'DB_UNAVAILABLE']));
    }
  });
});

describe('GET /Events (the event stream)', () => {
  const op = (doc.paths['/Events'] as { get: { parameters: { name: string; in: string }[]; responses: { 200: { content: Record<string, unknown> } };
    'x-facewatch-role': string; 'x-facewatch-errors': { name: string }[]; security: unknown[] } }).get;

  it('is described as a Server-Sent Events stream: its query, the events it sends, who may open it and its codes', () => {
    expect(Object.keys(op.responses[200].content)).toEqual(['text/event-stream', 'application/json']);
    expect(op.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['query:last_event_id', 'query:types', 'header:Last-Event-ID']);
    expect(op['x-facewatch-role']).toBe('viewer');
    expect(op['x-facewatch-errors'].map((e) => e.name)).toEqual(expect.arrayContaining(['SESSION_MISSING', 'INVALID_FIELD', 'EVENT_STREAMS_BUSY']));
    expect(op.security).toEqual(expect.arrayContaining([{ session: [] }, { sessionQuery: [] }]));
    expect(Object.keys(streams[0].events)).toEqual(['capture', 'alarm', 'camera', 'gap', 'error']);
  });
});

describe('examples', () => {
  it.each(functions.map((f) => [f.uri, f] as const))('%s: the example request and answer match the schemas', (_uri, fn) => {
    if (fn.body !== 'multipart') {
      const r = fn.input.safeParse(fn.example.input);
      expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
    }
    const o = fn.output.safeParse(fn.example.output ?? {});
    expect(o.success, JSON.stringify(o.error?.issues)).toBe(true);
  });
});

describe(REFERENCE_PATH, () => {
  it('is what the URI table generates (npm run docs:api writes it)', () => {
    const committed = readFileSync(new URL(`../../${REFERENCE_PATH}`, import.meta.url), 'utf8');
    expect(committed === apiReference(groups, streams), `${REFERENCE_PATH} is stale: run npm run docs:api`).toBe(true);
  });

  it('README and docs/api.md point to it, not to ../shared', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const api = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    expect(readme).toContain(REFERENCE_PATH);
    expect(readme).not.toContain('../shared');
    expect(api).not.toContain('../shared');
  });
});
