/** An error as words for the user: the code's text in the current language, and the server's msg. */
import { isKey, t } from '../i18n/index.ts';
import { neededRole } from '../lib/roles.ts';
import { ApiError } from './client.ts';

export type ErrorWords = { text: string; detail: string; code: number };

/** A problem the page finds itself before asking the server (passwords differ, no photo ...): shown as it is. */
export class Problem extends Error {}

export function errorWords(e: unknown): ErrorWords {
  if (e instanceof Problem) return { text: e.message, detail: '', code: 0 };
  if (e instanceof ApiError) {
    const key = `err.${e.code}`;
    const role = e.code === 1008 ? neededRole(e.message) : undefined;
    // PERMISSION_DENIED names the role that is missing ("needs the operator role")
    const text = role ? t('err.1008.role', { role: t(`role.${role}`) }) : isKey(key) ? t(key) : t('err.other', { code: e.code });
    return { text, detail: e.message && e.message !== text ? e.message : '', code: e.code };
  }
  return { text: t('err.-1'), detail: e instanceof Error ? e.message : String(e), code: -1 };
}

/** The photo codes of enrolment and upload (no face, two faces, too small, too blurry ...). */
export const PHOTO_CODES = new Set([2005, 2006, 2007, 2008, 2009, 2010, 2011, 2012]);
