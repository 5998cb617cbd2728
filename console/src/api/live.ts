/**
 * The tab's live stream (lib/live.ts) wired to the browser: EventSource, a fetch probe of /Events,
 * and the login page when the session ended. Started by the app frame while someone is logged in.
 */
import { useEffect, useRef } from 'preact/hooks';
import { LiveStream, type LiveType, type Listener, type ProbeResult } from '../lib/live.ts';
import { sessionLost } from './client.ts';

async function probe(url: string): Promise<ProbeResult> {
  const ctl = new AbortController();
  try {
    const res = await fetch(url, { signal: ctl.signal, cache: 'no-store' });
    if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) return { stream: true };
    const body = (await res.json()) as { code?: unknown };
    return typeof body.code === 'number' ? { code: body.code } : { down: true };
  } catch {
    return { down: true };
  } finally {
    ctl.abort();
  }
}

export const live = new LiveStream({
  create: (url) => new EventSource(url),
  probe,
  sessionLost,
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
});

/** In a component: `fn` for each live event of `type` while mounted. */
export function useLive(type: LiveType, fn: Listener): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => live.on(type, (data, id) => ref.current(data, id)), [type]);
}
