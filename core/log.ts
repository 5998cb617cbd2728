import pino from 'pino';

/** The process logger; children carry request id / camera / task context. */
export type Logger = pino.Logger;

export function createLogger(level = 'info', name = 'facewatch'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}
