/**
 * Live wall: captures as they arrive (GET /Events `capture`), newest first: the face crop beside the
 * enrolled photo, name, similarity, camera, task and time; blacklist hits highlighted. It starts with
 * the newest records of /QueryTaskCaptureRecord (the wall is not empty when opened), then adds the
 * live ones. A dropped connection resumes where it stopped (api/live.ts); when the server no longer
 * had what was missed (`gap`), the wall reads the records again. Filters: task and result; Pause
 * holds new captures back (counted) until resumed.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { query } from '../api/client.ts';
import { live, useLive } from '../api/live.ts';
import type { CaptureRecord } from '../api/types.ts';
import { choiceFromParam, choiceParam, Picker, taskSource } from '../components/Picker.tsx';
import { ErrorText, Thumb } from '../components/ui.tsx';
import { t } from '../i18n/index.ts';
import { useAsync } from '../lib/hooks.ts';
import { listParams } from '../lib/router.ts';
import { useValue } from '../lib/signal.ts';
import { isBlacklistHit, mergeCaptures, WALL_KINDS, wallQuery, wallShows, type WallKind } from '../lib/wall.ts';

type Card = CaptureRecord & { live?: boolean };
const MAX = 60;
const FIRST = 24;

export function LiveWall() {
  const { params, set } = listParams('/live');
  const task = choiceFromParam(params.task);
  const kind: WallKind = (WALL_KINDS as readonly string[]).includes(params.kind ?? '') ? (params.kind as WallKind) : 'all';
  const filter = { taskId: task[0]?.id, kind };
  const filterKey = `${filter.taskId ?? ''}:${kind}`;
  const [cards, setCards] = useState<Card[]>([]);
  const [paused, setPaused] = useState(false);
  const held = useRef<Card[]>([]);
  const [heldCount, setHeldCount] = useState(0);

  const first = useAsync(async (signal) => {
    const p = await query<CaptureRecord>('/QueryTaskCaptureRecord', { page_no: 1, page_size: FIRST, ...(filter.taskId ? { task_id: filter.taskId } : {}), ...wallQuery(kind) }, signal);
    return p.items.filter((r) => wallShows(r, filter));
  }, [filterKey]);
  // a new filter starts a new wall; the first read joins what arrived live meanwhile
  useEffect(() => { setCards([]); held.current = []; setHeldCount(0); }, [filterKey]);
  useEffect(() => { if (first.data) setCards((c) => mergeCaptures(c, first.data!, MAX)); }, [first.data]);

  useLive('capture', (r: CaptureRecord) => {
    if (!wallShows(r, filter)) return;
    const card = { ...r, live: true };
    if (paused) {
      held.current.push(card);
      setHeldCount(held.current.length);
    } else {
      setCards((c) => mergeCaptures(c, [card], MAX));
    }
  });
  useLive('gap', () => first.reload());

  const resume = () => {
    setCards((c) => mergeCaptures(c, held.current, MAX));
    held.current = [];
    setHeldCount(0);
    setPaused(false);
  };

  return (
    <section aria-labelledby="live-title">
      <div class="page-head">
        <h1 id="live-title">{t('nav.live')}</h1>
        <div class="head-actions">
          <LiveStatus />
          {paused
            ? <button type="button" class="primary" onClick={resume}>{t('live.resume', { n: heldCount })}</button>
            : <button type="button" onClick={() => setPaused(true)}>{t('live.pause')}</button>}
        </div>
      </div>
      <div class="filters">
        <Picker label={t('records.task')} source={taskSource} value={task} single onChange={(c) => set({ task: choiceParam(c) })} />
        <select value={kind} onChange={(e) => set({ kind: e.currentTarget.value === 'all' ? '' : e.currentTarget.value })} aria-label={t('live.kind')}>
          {WALL_KINDS.map((k) => <option value={k}>{t(`live.kind.${k}`)}</option>)}
        </select>
      </div>
      <ErrorText error={first.error} />
      {!cards.length && !first.loading && <p class="muted">{t('live.empty')}</p>}
      <ul class="wall" data-testid="wall" aria-live="polite">
        {cards.map((r) => <CaptureCard r={r} key={r.record_id} />)}
      </ul>
    </section>
  );
}

function CaptureCard({ r }: { r: Card }) {
  const black = isBlacklistHit(r);
  const name = r.classify === 1 ? r.person_name : t('classify.0');
  return (
    <li class={`capture${black ? ' black' : ''}${r.classify === 0 ? ' stranger' : ''}`} data-record-id={r.record_id} data-source={r.live ? 'live' : 'query'}>
      <div class="faces">
        <Thumb picUrl={r.capture_url} alt={t('records.capture')} size={96} />
        {r.pic_url ? <Thumb picUrl={r.pic_url} alt={t('records.enrolled')} size={96} /> : <span class="thumb empty" style={{ width: 96, height: 96 }}>?</span>}
      </div>
      <div class="who">
        <strong>{name}</strong>
        {black && <span class="badge warn">{t('category.1')}</span>}
      </div>
      <div class="small">{r.classify === 1 ? `${r.lib_name} · ` : ''}{t('live.similarity', { s: (r.similarity * 100).toFixed(1) })}</div>
      <div class="small muted">{r.camera_name} · {r.task_name}</div>
      <time class="small muted">{r.capture_time}</time>
    </li>
  );
}

/** The connection's state in words (open, reconnecting ...). */
export function LiveStatus() {
  const status = useValue(live.status);
  return <span class={`badge live-${status}`} data-testid="live-status" data-state={status} role="status">{t(`live.status.${status}`)}</span>;
}
