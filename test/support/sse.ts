/**
 * A Server-Sent Events client for tests (Node 20 has no EventSource): GET with fetch, the stream
 * parsed as the SSE spec says (fields, blank-line dispatch, comments), everything kept in order.
 */
export type SseEvent = { id?: string; event: string; data: string };

export interface SseClient {
  readonly response: Response;
  /** events received so far, in order */
  readonly events: SseEvent[];
  /** Date.now() when each of `events` arrived */
  readonly times: number[];
  /** comment lines received (heartbeats) */
  readonly comments: string[];
  /** the stream ended (server closed it) */
  readonly ended: boolean;
  /** waits until `cond(events)` holds; fails naming `what` after timeoutMs */
  until(cond: (events: SseEvent[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** Opens `url`; when the answer is not an event stream, `response` tells what it was (and events stay empty). */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const events: SseEvent[] = [];
  const times: number[] = [];
  const comments: string[] = [];
  let ended = false;
  const waiters = new Set<() => void>();
  const notify = () => { for (const w of [...waiters]) w(); };
  if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream') && response.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buf = '';
      let cur: { id?: string; event?: string; data: string[] } = { data: [] };
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let nl: number;
          while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + (buf.startsWith('\r\n', nl) ? 2 : 1));
            if (line === '') {
              if (cur.data.length) {
                events.push({ id: cur.id, event: cur.event ?? 'message', data: cur.data.join('\n') });
                times.push(Date.now());
              }
              cur = { data: [] };
              notify();
            } else if (line.startsWith(':')) {
              comments.push(line.slice(1).trim());
              notify();
            } else {
              const i = line.indexOf(':');
              const field = i < 0 ? line : line.slice(0, i);
              const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
              if (field === 'data') cur.data.push(value);
              else if (field === 'event') cur.event = value;
              else if (field === 'id') cur.id = value;
            }
          }
        }
      } catch {
        // aborted by close()
      } finally {
        ended = true;
        notify();
      }
    })();
  } else ended = true;
  return {
    response,
    events,
    times,
    comments,
    get ended() { return ended; },
    until(cond, what, timeoutMs = 15_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (cond(events)) { done(); resolve(); } else if (ended) { done(); reject(new Error(`stream ended before ${what}; got ${JSON.stringify(events).slice(-1500)}`)); }
        };
        const t = setTimeout(() => { done(); reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(events).slice(-1500)}`)); }, timeoutMs);
        const done = () => { clearTimeout(t); waiters.delete(check); };
        waiters.add(check);
        check();
      });
    },
    close() { abort.abort(); },
  };
}
