/** Small hooks the pages share: loading data, debouncing input, polling while the page is shown. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export type Async<T> = { data: T | undefined; error: unknown; loading: boolean; reload: () => void };

/**
 * Runs `load` when `deps` change (an earlier run still going is aborted and its answer ignored) and
 * on reload(). The previous data stay shown while the next load runs, so paging does not flicker.
 */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    loadRef.current(ctl.signal).then(
      (data) => { if (!ctl.signal.aborted) setState({ data, error: undefined, loading: false }); },
      (error) => { if (!ctl.signal.aborted) setState((s) => ({ data: s.data, error, loading: false })); },
    );
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

/** `value`, once it has not changed for `ms`. */
export function useDebounced<T>(value: T, ms = 300): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

/** Calls `fn` every `ms` while the tab is visible (live states: cameras online, streams open). */
export function usePolling(fn: () => void, ms: number): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const id = setInterval(() => { if (document.visibilityState === 'visible') ref.current(); }, ms);
    return () => clearInterval(id);
  }, [ms]);
}
