/** Every repository over one drizzle instance. Repositories are the only code that imports drizzle. */
import type { Orm } from '../client.ts';
import { createAccountsRepo } from './accounts.ts';
import { createAlarmsRepo } from './alarms.ts';
import { createAttendanceRepo } from './attendance.ts';
import { createEventsRepo } from './events.ts';
import { createReportsRepo } from './reports.ts';
import { createWebhookRepo } from './webhook.ts';
import { createCamerasRepo } from './cameras.ts';
import { createCountCache } from './count-cache.ts';
import { createHealthRepo } from './health.ts';
import { createLibrariesRepo } from './libraries.ts';
import { createPersonsRepo } from './persons.ts';
import { createPicturesRepo } from './pictures.ts';
import { createRecordsRepo } from './records.ts';
import { createSystemConfigRepo } from './systemConfig.ts';
import { createTasksRepo } from './tasks.ts';

export function createRepositories(orm: Orm) {
  const counts = createCountCache(orm);
  return {
    accounts: createAccountsRepo(orm),
    pictures: createPicturesRepo(orm),
    libraries: createLibrariesRepo(orm),
    persons: createPersonsRepo(orm, counts),
    cameras: createCamerasRepo(orm),
    tasks: createTasksRepo(orm),
    records: createRecordsRepo(orm, counts),
    systemConfig: createSystemConfigRepo(orm),
    health: createHealthRepo(orm),
    alarms: createAlarmsRepo(orm, counts),
    events: createEventsRepo(orm),
    attendance: createAttendanceRepo(orm),
    reports: createReportsRepo(orm),
    webhook: createWebhookRepo(orm),
  };
}
export type Repositories = ReturnType<typeof createRepositories>;
