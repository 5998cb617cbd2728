/**
 * The request services: the business rules handlers call, built over the process's resources
 * (resources.ts). Each service is built on first use, with what it needs, so a function deployed
 * alone builds the few its URI calls (and opens the store, the bus or the face engine only if they
 * do). Handlers see only these, never the database, store or bus. Background work (matcher, camera
 * state, the desired-state clock) lives in workers/, started by the API host, never by a handler.
 */
import { probeImage, similarity } from '../../core/face/index.ts';
import { createOnvifService } from '../../core/onvif/index.ts';
import { grabJpeg } from '../../core/snapshot/index.ts';
import { defaultTimeZone } from '../../core/time.ts';
import { createAccountsService, type AccountsService } from './accounts.ts';
import { createCamerasService, type CamerasService } from './cameras.ts';
import { createDesiredState, type DesiredState } from './desiredState.ts';
import { createLibrariesService, type LibrariesService } from './libraries.ts';
import { createPersonsService, type PersonsService } from './persons.ts';
import { createPicturesService, type PicturesService } from './pictures.ts';
import { createRecordsService, type RecordsService } from './records.ts';
import type { Resources } from './resources.ts';
import { createSnapshotService } from './snapshots.ts';
import { createSystemConfigService, type SystemConfigService } from './systemConfig.ts';
import { createTasksService, type TasksService } from './tasks.ts';

export type { ParsedEnv, Resources } from './resources.ts';
export { databaseConfig, openResources } from './resources.ts';

export type ApiConfig = {
  maxBodyBytes: number;
  maxUploadBytes: number;
  maxImagePixels: number;
  timeZone: string;
  /** VALIDATE_RESPONSES: answers are checked against their URI's description (functions/lib/define.ts) */
  validateResponses: boolean;
};

/** What handlers reach through the context (functions/lib/define.ts). */
export type Services = {
  config: ApiConfig;
  log: Resources['log'];
  accounts: AccountsService;
  pictures: PicturesService;
  systemConfig: SystemConfigService;
  /** the desired state sent to the stream nodes on every change (workers/task-control.ts re-sends it) */
  desiredState: DesiredState;
  libraries: LibrariesService;
  persons: PersonsService;
  cameras: CamerasService;
  tasks: TasksService;
  records: RecordsService;
  onvif: ReturnType<typeof createOnvifService>;
  snapshots: ReturnType<typeof createSnapshotService>;
};

/** An object whose properties are built by their builder on first read, then kept. */
function lazily<T extends object>(builders: { [K in keyof T]: () => T[K] }): T {
  const out = {} as T;
  for (const key of Object.keys(builders) as (keyof T)[]) {
    Object.defineProperty(out, key, {
      enumerable: true,
      configurable: true,
      get() {
        const value = builders[key]();
        Object.defineProperty(out, key, { value, enumerable: true });
        return value;
      },
    });
  }
  return out;
}

export function createServices(r: Resources): Services {
  const { env, log, repos } = r;
  const timeZone = env.TIME_ZONE ?? defaultTimeZone();
  const limits = { maxBytes: env.MAX_UPLOAD_BYTES, maxPixels: env.MAX_IMAGE_PIXELS };
  const config: ApiConfig = {
    maxBodyBytes: env.MAX_BODY_BYTES, maxUploadBytes: env.MAX_UPLOAD_BYTES, maxImagePixels: env.MAX_IMAGE_PIXELS, timeZone, validateResponses: env.VALIDATE_RESPONSES,
  };

  const s: Omit<Services, 'config' | 'log'> = lazily<Omit<Services, 'config' | 'log'>>({
    accounts: () => createAccountsService(repos.accounts, {
      idleMinutes: env.SESSION_IDLE_MINUTES, maxFailures: env.LOGIN_MAX_FAILURES, lockSeconds: env.LOGIN_LOCK_SECONDS, sessionCacheMs: env.SESSION_CACHE_MS,
    }, log, r.bus),
    pictures: () => createPicturesService({ repo: repos.pictures, store: r.store, probeImage, log, timeZone, limits }),
    systemConfig: () => createSystemConfigService({ repo: repos.systemConfig, store: r.store, envStorage: r.envStorage, log }),
    desiredState: () => createDesiredState({ tasks: repos.tasks, cameras: repos.cameras, bus: r.bus, log, timeZone, staleMs: env.CAMERA_STATE_STALE_MS }),
    libraries: () => createLibrariesService({ repo: repos.libraries, pictures: s.pictures, timeZone }),
    persons: () => createPersonsService({ repo: repos.persons, libraries: repos.libraries, pictures: s.pictures, face: r.face, similarity, timeZone }),
    cameras: () => createCamerasService({ repo: repos.cameras, timeZone, changed: () => s.desiredState.changed() }),
    tasks: () => createTasksService({ repo: repos.tasks, cameras: repos.cameras, libraries: repos.libraries, timeZone, changed: () => s.desiredState.changed() }),
    records: () => createRecordsService({ repo: repos.records, pictures: s.pictures, timeZone }),
    onvif: () => createOnvifService({ allowedRanges: env.ONVIF_ALLOWED_RANGES, discoveryMs: env.ONVIF_DISCOVERY_MS, timeoutMs: env.ONVIF_TIMEOUT_MS, discoveryTargets: env.ONVIF_DISCOVERY_TARGETS }),
    snapshots: () => createSnapshotService({
      cameras: repos.cameras, policy: s.onvif.policy, grab: grabJpeg, timeoutMs: env.SNAPSHOT_TIMEOUT_MS, concurrency: env.SNAPSHOT_CONCURRENCY, log,
    }),
  });
  return Object.assign(s, { config, log });
}
