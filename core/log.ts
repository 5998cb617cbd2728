import pino from 'pino';
import { redactDeep, redactText } from './redact.ts';

/** The process logger; children carry request id / camera / task context. */
export type Logger = pino.Logger;

/**
 * Every line goes through the one redaction rule (core/redact.ts): credentials in any string field,
 * error messages and stacks included, and in the message, are masked before the line is written.
 */
export function createLogger(level = 'info', name = 'facewatch', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    base: { pid: process.pid },
    // serializers run first (err → {type, message, stack}), then this sees the plain record
    formatters: { log: (record) => redactDeep(record) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
