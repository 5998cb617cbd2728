/**
 * JSON from clients, with a nesting bound checked before JSON.parse: deeply nested input is cheap to
 * send and makes every recursive walker after the parser (zod, masking, logging) overflow its stack.
 */
import { AppError } from './errors.ts';

/** Most levels of arrays/objects accepted in a request body or a JSON value inside one. */
export const MAX_JSON_DEPTH = 32;

/** The deepest nesting of `text` (strings skipped), stopping early once past `limit`. */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return max;
}

/**
 * JSON.parse after the depth check; JSON_TOO_DEEP naming `field` beyond `maxDepth`. Syntax errors
 * are the caller's to name (they throw SyntaxError as JSON.parse does).
 */
export function parseJsonBounded(text: string, field: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (jsonDepth(text, maxDepth) > maxDepth) throw new AppError('JSON_TOO_DEEP', `${field}: JSON nested deeper than ${maxDepth} levels`);
  return JSON.parse(text);
}
