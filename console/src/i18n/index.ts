/**
 * zh-CN (the customer's language) and English. The choice is remembered in localStorage; the first
 * visit follows the browser (Chinese unless it asks for another language first). Keys are the
 * zh-CN dictionary's; the English one must have the same keys (checked by tsc).
 */
import { signal, useValue } from '../lib/signal.ts';
import { en } from './en.ts';
import { zh, type Key } from './zh-CN.ts';

export type { Key };
export type Lang = 'zh-CN' | 'en';
export const LANGS: { lang: Lang; label: string }[] = [{ lang: 'zh-CN', label: '中文' }, { lang: 'en', label: 'English' }];
const KEY = 'fw.lang';
const dictionaries: Record<Lang, Record<Key, string>> = { 'zh-CN': zh, en };

function initial(): Lang {
  const saved = localStorage.getItem(KEY);
  if (saved === 'zh-CN' || saved === 'en') return saved;
  const first = (navigator.languages?.[0] ?? navigator.language ?? 'zh-CN').toLowerCase();
  return first.startsWith('en') ? 'en' : 'zh-CN';
}

export const lang = signal<Lang>(initial());
document.documentElement.lang = lang.value;

export function setLang(l: Lang): void {
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l;
  lang.value = l;
}

/** The text of `key` in the current language, with {name} placeholders filled. */
export function t(key: Key, vars?: Record<string, string | number>): string {
  const text = dictionaries[lang.value][key] ?? key;
  return vars ? text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : text;
}

/** In a component: re-render when the language changes. */
export const useLang = (): Lang => useValue(lang);

export const isKey = (k: string): k is Key => k in zh;
