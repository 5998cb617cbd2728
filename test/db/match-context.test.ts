/**
 * tasks.matchContext, read by the matcher for every face message: the task's name, threshold and
 * stranger-alarm flag, the camera's name, and the libraries to search: only those that hold a person
 * (with none, the matcher skips the nearest-person search: everyone is a stranger anyway).
 */
import { describe, expect, it } from 'vitest';
import { EMBEDDING_DIM } from '../../core/constants.ts';
import { pictures } from '../../db/schema.ts';
import { memoryDatabase } from './helpers.ts';

const t = memoryDatabase();

describe('tasks.matchContext', () => {
  it('names, threshold, alarm flag, and the task\'s libraries that hold a person', async () => {
    const [staff, visitors, empty] = [await t.repos.libraries.insert({ name: 'staff', type: 0, remark: '' }),
      await t.repos.libraries.insert({ name: 'visitors', type: 0, remark: '' }), await t.repos.libraries.insert({ name: 'empty', type: 0, remark: '' })];
    const camera = await t.repos.cameras.insert({ name: 'door', rtsp: 'rtsp://10.0.0.9/x', type: 0, remark: '' });
    const task = await t.repos.tasks.insert({ name: 'gate', type: 0, intervalMs: 1000, threshold: 0.75, plan: '', remark: '', alarmStranger: 1 },
      { cameraList1: [camera], cameraList2: [], libList: [staff, visitors, empty] });
    const context = () => t.repos.tasks.matchContext(task, camera);
    expect(await context()).toEqual({ taskName: 'gate', threshold: 0.75, alarmStranger: true, libIds: [], cameraName: 'door' });

    await t.db.orm.insert(pictures).values({ url: '/pictures/2026/01/01/a.jpg', kind: 'person', contentType: 'image/jpeg', bytes: 1, width: 1, height: 1 });
    const person = (libId: number) => t.repos.persons.insert({
      libId, name: 'p', pinyin: '', sex: 0, cardNo: '', phone: '', category: 0, picUrl: '/pictures/2026/01/01/a.jpg', remark: '', embedding: Array(EMBEDDING_DIM).fill(0.1),
    });
    await person(staff);
    expect((await context())?.libIds).toEqual([staff]);
    await person(visitors);
    expect((await context())?.libIds.sort()).toEqual([staff, visitors].sort());

    expect(await t.repos.tasks.matchContext(task, 999_999)).toMatchObject({ taskName: 'gate', cameraName: '' }); // a camera deleted meanwhile
    expect(await t.repos.tasks.matchContext(999_999, camera)).toBeUndefined();
  });
});
