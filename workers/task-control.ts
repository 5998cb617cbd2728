/**
 * Task control: sends the desired state (functions/services/desiredState.ts) every period, so stream
 * nodes that start, restart or missed a message converge within a period, plans are re-evaluated
 * (a task starts and idles with its windows), unreported cameras are closed and cameras offline too
 * long raise their alarm. Request handlers send it at once on every change; this is the clock.
 */
import type { DesiredState } from '../functions/services/desiredState.ts';

export function createTaskControl(deps: { desiredState: DesiredState; periodMs: number }) {
  let timer: NodeJS.Timeout | undefined;
  return {
    start(): void {
      if (timer) return;
      timer = setInterval(() => { void deps.desiredState.send(); }, deps.periodMs);
      timer.unref();
      void deps.desiredState.send();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await deps.desiredState.stop();
    },
  };
}
export type TaskControl = ReturnType<typeof createTaskControl>;
