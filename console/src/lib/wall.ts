/**
 * The live wall's list: captures from the first query and from the live stream merged into one list,
 * newest first, each record once, at most `max` kept (the oldest fall off). And which captures a
 * wall filter shows. No DOM (test/console/wall.test.ts).
 */
export type WallCapture = {
  record_id: number; task_id: number; classify: number; category: number; capture_time: string;
  /** came from the live stream (not from the first query) */
  live?: boolean;
};

/** all, matched (classify 1), strangers (classify 0), blacklist hits (matched, category 1) */
export type WallKind = 'all' | 'matched' | 'stranger' | 'black';
export const WALL_KINDS: readonly WallKind[] = ['all', 'matched', 'stranger', 'black'];

export const isBlacklistHit = (r: Pick<WallCapture, 'classify' | 'category'>): boolean => r.classify === 1 && r.category === 1;

export function wallShows(r: WallCapture, filter: { taskId?: number; kind: WallKind }): boolean {
  if (filter.taskId && r.task_id !== filter.taskId) return false;
  switch (filter.kind) {
    case 'matched': return r.classify === 1;
    case 'stranger': return r.classify === 0;
    case 'black': return isBlacklistHit(r);
    default: return true;
  }
}

/** The query filters the wall's first read sends for a kind (blacklist hits: matched, then filtered here). */
export const wallQuery = (kind: WallKind): { classify?: number } => (kind === 'stranger' ? { classify: 0 } : kind === 'all' ? {} : { classify: 1 });

/** `current` with `incoming` added: newest capture first (then the newer record), each record once. */
export function mergeCaptures<T extends WallCapture>(current: readonly T[], incoming: readonly T[], max: number): T[] {
  const byId = new Map<number, T>();
  for (const r of current) byId.set(r.record_id, r);
  // a record already shown keeps its place and its origin
  for (const r of incoming) if (!byId.has(r.record_id)) byId.set(r.record_id, r);
  return [...byId.values()]
    .sort((a, b) => (a.capture_time < b.capture_time ? 1 : a.capture_time > b.capture_time ? -1 : b.record_id - a.record_id))
    .slice(0, max);
}
