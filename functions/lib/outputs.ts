/**
 * Building blocks of the URIs' output schemas: what a successful answer carries beside code and msg.
 * Outputs are strict (no field beyond those declared): with VALIDATE_RESPONSES on (the test suite)
 * every answer is checked against them, so an answer that drifts from the description fails the
 * test that produced it (functions/lib/define.ts).
 */
import { z } from 'zod';

/** an answer with no field beyond code and msg */
export const none = z.strictObject({});
export const out = z.strictObject;

/** a serial or 64-bit id as a JSON number */
export const idOut = z.number().int().positive();
/** 0 where the thing does not apply (a stranger's person_id, ...) */
export const idOrZero = z.number().int().nonnegative();
/** "yyyy-mm-dd hh:mm:ss" in TIME_ZONE, or "" when unknown */
export const timeOut = z.string().regex(/^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})?$/).meta({ example: '2026-11-23 09:30:00' });
/**
 * One of a few numbers: an enum in the description and checked when answers are, while the handler
 * may return a plain number (the database's type).
 */
export const oneOfOut = (values: readonly number[]) =>
  z.number().int().refine((v) => values.includes(v), `must be one of ${values.join(', ')}`).meta({ enum: [...values] });
/** 0 / 1 */
export const flag = oneOfOut([0, 1]);

/** A paged query's answer: info {page_no, page_size, total_count, items} (and `extra` fields of the info object). */
export const paged = <T extends z.ZodType, E extends z.ZodRawShape = {}>(item: T, extra?: E) => out({
  info: out({
    ...(extra ?? ({} as E)),
    page_no: z.number().int().positive(),
    page_size: z.number().int().positive(),
    total_count: z.number().int().nonnegative().describe('all matches, not just this page'),
    items: z.array(item),
  }),
});

/** An export's answer: the file as base64. */
export const exportOut = out({ data: z.string().describe('base64 of a UTF-8 CSV with a BOM and an English header row').meta({ contentEncoding: 'base64' }) });
