/**
 * A value that components re-render on (session, language, route): `signal(v)`, `.value` to read and
 * set, `useValue(sig)` in a component. Small enough not to need a state library.
 */
import { useEffect, useState } from 'preact/hooks';

export type Signal<T> = { value: T; subscribe(fn: (v: T) => void): () => void };

export function signal<T>(initial: T): Signal<T> {
  let current = initial;
  const subscribers = new Set<(v: T) => void>();
  return {
    get value() { return current; },
    set value(v: T) {
      if (Object.is(v, current)) return;
      current = v;
      for (const fn of [...subscribers]) fn(v);
    },
    subscribe(fn) {
      subscribers.add(fn);
      return () => { subscribers.delete(fn); };
    },
  };
}

export function useValue<T>(sig: Signal<T>): T {
  const [, setTick] = useState(0);
  useEffect(() => sig.subscribe(() => setTick((n) => n + 1)), [sig]);
  return sig.value;
}
