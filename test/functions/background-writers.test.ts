/**
 * The API's background writers ride out a database outage instead of dropping their work: a camera
 * state reported while Postgres is down is written once it is back (no newer report needed), and a
 * desired state asked for during the outage is sent as soon as the database answers, not a period
 * later. Real Postgres protocol server (PGlite with many sessions), stopped for 3 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBus, Subjects, type Bus, type TasksDesiredMessage } from '../../core/bus/index.ts';
import { createLogger } from '../../core/log.ts';
import { openDatabase, type Database } from '../../db/client.ts';
import { createRepositories, type Repositories } from '../../db/repositories/index.ts';
import { startPgliteServer, type PgliteServer } from '../../infra/services/index.ts';
import { createDesiredState } from '../../functions/services/desiredState.ts';
import { createCameraState } from '../../workers/camera-state.ts';
import { until } from '../stream-node/helpers.ts';

let pg: PgliteServer;
let db: Database;
let repos: Repositories;
let bus: Bus;
const log = createLogger('silent');
beforeAll(async () => {
  pg = await startPgliteServer({ sessions: 'many' });
  db = await openDatabase({ kind: 'postgres', url: pg.url, maxConnections: 2 });
  repos = createRepositories(db.orm);
  bus = createMemoryBus();
}, 120_000);
afterAll(async () => {
  await bus?.close();
  await db?.close();
  await pg?.stop();
});

describe('background writers during a database outage', () => {
  it('a camera state reported while the database is down is written when it is back', async () => {
    const camera = await repos.cameras.insert({ name: 'door', rtsp: 'rtsp://127.0.0.1:1/x', type: 0, remark: '' });
    const states = createCameraState({ cameras: repos.cameras, bus, log, timeZone: 'UTC', retry: { initialMs: 100, maxMs: 500 } });
    states.start();
    try {
      const outage = pg.restart({ downMs: 3000 });
      await new Promise((r) => setTimeout(r, 300));
      states.onReport({ camera_id: camera, node: 'n1', state: 'online', task_ids: [], time: Date.now() });
      await new Promise((r) => setTimeout(r, 500));
      expect(states.waiting).toBe(1); // kept, not dropped
      await outage;
      await until(async () => (await repos.cameras.find(camera).catch(() => undefined))?.online === 1, 'the state written after the outage', 15_000);
      expect(states.waiting).toBe(0);
    } finally {
      await states.stop();
    }
  }, 60_000);

  it('a desired state asked for while the database is down is sent as soon as it is back, not a period later', async () => {
    const sent: TasksDesiredMessage[] = [];
    const sub = bus.subscribe<TasksDesiredMessage>(Subjects.tasksDesired, (m) => { sent.push(m); });
    // no task-control clock here: the retry is the desired state's own, not the next period's
    const control = createDesiredState({ tasks: repos.tasks, cameras: repos.cameras, bus, log, timeZone: 'UTC', staleMs: 60_000, offlineAlarmMs: 30_000 });
    try {
      const outage = pg.restart({ downMs: 3000 });
      await new Promise((r) => setTimeout(r, 300));
      control.changed(); // e.g. a StartTask just before the outage
      await outage;
      await until(() => sent.length > 0, 'the desired state after the outage', 15_000);
    } finally {
      await control.stop();
      await sub.stop();
    }
  }, 60_000);
});
