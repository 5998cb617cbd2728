/**
 * The console against the server it is served by: a page is shown to the roles the server lets call
 * the URI it reads (functions/*.ts declare the least role), and every code of the error table has
 * words in both of the console's languages (the console shows codes in words, never bare numbers).
 * Here rather than in test/console because it reads the server's tables (the console's tsconfig
 * covers test/console).
 */
import { describe, expect, it } from 'vitest';
import { ErrorTable } from '../../core/errors.ts';
import { en } from '../../console/src/i18n/en.ts';
import { zh } from '../../console/src/i18n/zh-CN.ts';
import { PAGES } from '../../console/src/lib/pages.ts';
import { functions } from '../../functions/index.ts';

const roleOfUri = (uri: string) => functions.find((f) => f.uri === uri)?.role;

describe('the console and the server agree', () => {
  it('each page is shown exactly to the roles the server lets read it', () => {
    const reads: Record<string, string> = {
      overview: '/QueryAlarmList', live: '/QueryTaskCaptureRecord', alarms: '/QueryAlarmList', libraries: '/QueryLibraryList', persons: '/QueryPersonList',
      import: '/AddPerson', cameras: '/QueryCameraList', tasks: '/QueryTaskList', records: '/QueryTaskCaptureRecord', reports: '/QueryRollCall',
      users: '/QueryUserList', system: '/GetSystemConfig',
    };
    for (const p of PAGES) expect(p.role, p.id).toBe(roleOfUri(reads[p.id]));
  });

  it('every code of the error table has words in Chinese and English', () => {
    const missing = Object.values(ErrorTable).map((e) => e.code).filter((c) => c !== 0 && (!(`err.${c}` in zh) || !(`err.${c}` in en)));
    expect(missing).toEqual([]);
  });
});
