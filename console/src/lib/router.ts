/**
 * Hash routes (`#/cameras`, `#/libraries/3?page=2`): the host serves only `/` and `/assets/*`, so
 * every API path (POST /<Uri>, GET /Events, /openapi.json, /healthz ...) stays the API's, and a
 * reload of any page needs no server-side fallback.
 */
import { signal } from './signal.ts';

export type Route = { path: string; query: URLSearchParams };

function parse(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path, q = ''] = raw.split('?', 2);
  return { path: path.startsWith('/') ? path : `/${path}`, query: new URLSearchParams(q) };
}

export const route = signal<Route>(parse(location.hash));
addEventListener('hashchange', () => { route.value = parse(location.hash); });

/** The hash for a path and query, e.g. href('/records', {page: 2}) → "#/records?page=2". */
export function href(path: string, query: Record<string, string | number | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

export function navigate(to: string, replace = false): void {
  const target = to.startsWith('#') ? to : `#${to}`;
  if (replace) history.replaceState(null, '', target);
  else history.pushState(null, '', target);
  route.value = parse(target);
}

/** The current place (path and query) as a string, to come back to after a login. */
export const here = (): string => location.hash.replace(/^#/, '') || '/';

/** Matches "/libraries/:id" against a path; null when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const s = path.split('/');
  if (p.length !== s.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) out[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return out;
}

/**
 * A list page's filters and paging, kept in the URL query (so reload, back and a return after login
 * show the same page): `params` as strings, `set(patch)` to change some (page back to 1 unless given).
 */
export function listParams(path: string, defaults: Record<string, string> = {}) {
  const q = route.value.query;
  const params: Record<string, string> = { ...defaults };
  q.forEach((v, k) => { params[k] = v; });
  const page = Math.max(1, Number(params.page) || 1);
  const size = Math.min(100, Math.max(1, Number(params.size) || 20));
  const set = (patch: Record<string, string | number | undefined>) => {
    const next: Record<string, string | number | undefined> = { ...params, page: 1, ...patch };
    navigate(href(path, next), true);
  };
  return { params, page, size, set };
}
