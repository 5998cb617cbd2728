/**
 * Two stream nodes on a real nats-server share two RTSP cameras of two tasks: faces reach the FACES
 * stream per task, camera states are reported, a crashed node's camera moves to the other node, and
 * a camera no task wants any more is stopped. Real RTSP, ffmpeg, face engine and object store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectNatsBus, createMemoryBus, Streams, Subjects, type Bus, type CameraStateMessage, type TasksDesiredMessage,
} from '../../core/bus/index.ts';
import { createFaceEngine, type FaceEngine } from '../../core/face/index.ts';
import { LocalObjectStore } from '../../core/storage/index.ts';
import { startNatsServer, type NatsServer } from '../../infra/services/nats.ts';
import { startRtspServer, type RtspServer } from '../../infra/services/rtsp.ts';
import { makeTestVideo } from '../../infra/services/video.ts';
import { StreamNode } from '../../stream-node/node.ts';
import { until, threePeople as photo } from './helpers.ts';


let dir: string;
let rtsp: RtspServer;
let nats: NatsServer;
let engine: FaceEngine;
const buses: Bus[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facewatch-node-'));
  const [clip, n] = await Promise.all([
    makeTestVideo({ foreground: photo, out: join(dir, 'clip.h264'), width: 1280, height: 720, seconds: 6, gop: 12, foregroundWidth: 1000, speed: 10, noise: 0, bitrate: '3M' }),
    startNatsServer(),
  ]);
  nats = n;
  rtsp = await startRtspServer({ streams: [{ path: 'door', source: clip }, { path: 'hall', source: clip }] });
  engine = createFaceEngine({ threads: 1 });
});

afterAll(async () => {
  for (const b of buses) await b.close();
  await engine?.close();
  await Promise.all([rtsp?.stop(), nats?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const connect = async (name: string) => { const b = await connectNatsBus({ servers: nats.url, name }); buses.push(b); return b; };


describe('stream nodes', () => {
  it('share the cameras of the desired tasks, send faces per task, report states, and fail over', async () => {
    const api = await connect('api');
    await api.ensureStream(Streams.FACES);
    const faces = new Set<string>();
    const sub = await api.consume({ stream: Streams.FACES, durable: 'node-test' }, (m) => { faces.add(m.subject); });
    const states: CameraStateMessage[] = [];
    const stateSub = api.subscribe<CameraStateMessage>(Subjects.cameraStateAll, (s) => { states.push(s); });

    const store = new LocalObjectStore(join(dir, 'objects'));
    const nodes = await Promise.all(['A', 'B'].map(async (name) => {
      const node = new StreamNode({ node: name, capacity: 2, bus: await connect(name), engine, store, leaseTtlMs: 1500, detectWidth: 1280, tracker: { publishPeriodMs: 60_000 } });
      await node.start();
      return node;
    }));
    // What the API sends: the newest desired state, again every half second.
    let desired: TasksDesiredMessage = {
      version: 1,
      tasks: [
        { task_id: 1, interval: 1000, cameras: [{ camera_id: 1, rtsp: rtsp.urlFor('door'), camera_list: 1 }, { camera_id: 2, rtsp: rtsp.urlFor('hall'), camera_list: 1 }] },
        { task_id: 2, interval: 1000, cameras: [{ camera_id: 2, rtsp: rtsp.urlFor('hall'), camera_list: 2 }] },
      ],
    };
    const resend = setInterval(() => api.emit(Subjects.tasksDesired, desired), 500);
    const cams = () => nodes.flatMap((n) => n.cameras).sort();
    try {
      await until(() => cams().join() === '1,2', 'both cameras to be taken', 15_000);
      await until(() => [1, 2].every((id) => states.some((s) => s.camera_id === id && s.state === 'online')), 'both cameras online', 20_000);
      await until(() => faces.has('faces.1.1') && faces.has('faces.1.2') && faces.has('faces.2.2'), 'faces for each task and camera', 40_000);
      expect(states.find((s) => s.camera_id === 2)?.task_ids.sort()).toEqual([1, 2]);

      // the node reading camera 1 dies; the other one takes camera 1 after the lease TTL
      const owner = nodes.find((n) => n.cameras.includes(1))!;
      const other = nodes.find((n) => n !== owner)!;
      await owner.stop({ crash: true });
      await until(() => other.cameras.includes(1), 'camera 1 to move to the other node', 15_000);
      const since = Date.now();
      await until(() => states.some((s) => s.camera_id === 1 && s.state === 'online' && s.node !== (owner === nodes[0] ? 'A' : 'B') && s.time >= since - 5000), 'camera 1 online on the other node', 20_000);

      // no task wants camera 2 any more: it is stopped
      desired = { version: 2, tasks: [{ ...desired.tasks[0], cameras: [desired.tasks[0].cameras[0]] }] };
      await until(() => !other.cameras.includes(2) && !owner.cameras.includes(2), 'camera 2 to stop', 10_000);
      expect(other.cameras).toEqual([1]);
    } finally {
      clearInterval(resend);
      for (const n of nodes) await n.stop();
      await sub.stop();
      await stateSub.stop();
    }
  });

  it('embedded: the same node on the in-process bus sends faces to the in-process FACES stream', async () => {
    const bus = createMemoryBus();
    try {
      await bus.ensureStream(Streams.FACES);
      const faces: string[] = [];
      await bus.consume({ stream: Streams.FACES, durable: 'matcher' }, (m) => { faces.push(m.subject); });
      const node = new StreamNode({ node: 'embedded', capacity: 16, bus, engine, store: new LocalObjectStore(join(dir, 'embedded')), detectWidth: 1280 });
      await node.start();
      try {
        node.apply({ version: 1, tasks: [{ task_id: 4, interval: 1000, cameras: [{ camera_id: 3, rtsp: rtsp.urlFor('door'), camera_list: 1 }] }] });
        await until(() => node.cameras.includes(3), 'the camera to be taken', 10_000);
        await until(() => faces.length >= 3, 'three faces', 30_000);
        expect(new Set(faces)).toEqual(new Set(['faces.4.3']));
      } finally {
        await node.stop();
      }
    } finally {
      await bus.close();
    }
  });
});
