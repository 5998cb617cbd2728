/** The console's small building blocks: pager, dialog, error text, "not available", thumbnails. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { hasUri, type Paged } from '../api/client.ts';
import { useAsync } from '../lib/hooks.ts';
import { errorWords } from '../api/errors.ts';
import { pictureUrl } from '../api/pictures.ts';
import { t } from '../i18n/index.ts';

export const PAGE_SIZES = [10, 20, 50, 100] as const;

/** Server-side paging: the page and size live in the URL query, the total comes from the server. */
export function Pager(props: { page: number; size: number; total: number; onChange: (page: number, size: number) => void }) {
  const { page, size, total, onChange } = props;
  const pages = Math.max(1, Math.ceil(total / size));
  const [jump, setJump] = useState('');
  return (
    <nav class="pager" aria-label={t('pager.label')}>
      <span class="pager-total">{t('pager.total', { total })}</span>
      <button type="button" disabled={page <= 1} onClick={() => onChange(1, size)} aria-label={t('pager.first')}>«</button>
      <button type="button" disabled={page <= 1} onClick={() => onChange(page - 1, size)} aria-label={t('pager.prev')}>‹</button>
      <span class="pager-pos">{t('pager.pos', { page, pages })}</span>
      <button type="button" disabled={page >= pages} onClick={() => onChange(page + 1, size)} aria-label={t('pager.next')}>›</button>
      <button type="button" disabled={page >= pages} onClick={() => onChange(pages, size)} aria-label={t('pager.last')}>»</button>
      <form class="pager-jump" onSubmit={(e) => {
        e.preventDefault();
        const n = Math.min(pages, Math.max(1, Math.floor(Number(jump)) || 1));
        setJump('');
        onChange(n, size);
      }}>
        <input type="number" min={1} max={pages} value={jump} onInput={(e) => setJump(e.currentTarget.value)} aria-label={t('pager.jump')} placeholder={t('pager.jump')} />
      </form>
      <select value={size} onChange={(e) => onChange(1, Number(e.currentTarget.value))} aria-label={t('pager.size')}>
        {PAGE_SIZES.map((s) => <option value={s}>{t('pager.perPage', { size: s })}</option>)}
      </select>
    </nav>
  );
}

/** A list from the server: head, one row per item ("nothing here" when none), and the pager. */
export function PagedTable<T>(props: {
  data: Paged<T> | undefined; head: ComponentChildren; row: (item: T) => ComponentChildren; cols: number; testId?: string;
  page: number; size: number; onPage: (page: number, size: number) => void;
}) {
  const { data } = props;
  return (
    <>
      <div class="table-wrap">
        <table data-testid={props.testId}>
          <thead><tr>{props.head}</tr></thead>
          <tbody>
            {data?.items.map(props.row)}
            {data && !data.items.length && <tr><td colSpan={props.cols} class="muted">{t('common.empty')}</td></tr>}
          </tbody>
        </table>
      </div>
      {data && <Pager page={props.page} size={props.size} total={data.total_count} onChange={props.onPage} />}
    </>
  );
}

/** A search box of one field (name) for a list page. */
export function NameSearch(props: { value: string; label: string; onSearch: (value: string) => void }) {
  return (
    <form class="filters" onSubmit={(e) => { e.preventDefault(); props.onSearch((e.currentTarget.elements.namedItem('name') as HTMLInputElement).value.trim()); }}>
      <input name="name" type="search" defaultValue={props.value} placeholder={props.label} aria-label={props.label} />
      <button type="submit">{t('common.search')}</button>
    </form>
  );
}

/** A modal dialog (the browser's <dialog>: focus kept inside, Esc closes). */
export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current!;
    if (!d.open) d.showModal();
    const onCancel = (e: Event) => { e.preventDefault(); props.onClose(); };
    d.addEventListener('cancel', onCancel);
    return () => { d.removeEventListener('cancel', onCancel); if (d.open) d.close(); };
  }, []);
  return (
    <dialog ref={ref} class={props.wide ? 'wide' : ''} aria-label={props.title}>
      <header class="dialog-head">
        <h2>{props.title}</h2>
        <button type="button" class="icon" onClick={props.onClose} aria-label={t('common.close')}>×</button>
      </header>
      <div class="dialog-body">{props.children}</div>
    </dialog>
  );
}

/** An error in words (and the server's own message, smaller, for support). */
export function ErrorText(props: { error: unknown; role?: 'alert' | 'status' }) {
  if (!props.error) return null;
  const w = errorWords(props.error);
  return (
    <p class="error" role={props.role ?? 'alert'} data-code={w.code}>
      {w.text}
      {w.detail && <small> ({w.detail})</small>}
    </p>
  );
}

/**
 * A page or part built ahead of its URIs: its children once the server has every one of `uris`,
 * else "not available" naming them (asked once per URI, api/client.ts hasUri). Every URI the
 * console calls exists today; this stays for the next ones.
 */
export function Requires(props: { what: string; uris: `/${string}`[]; children: ComponentChildren }) {
  const ok = useAsync(() => Promise.all(props.uris.map(hasUri)).then((a) => a.every(Boolean)), [props.uris.join()]);
  if (ok.data === undefined) return <Loading />;
  return ok.data ? <>{props.children}</> : <NotAvailable what={props.what} uris={props.uris} />;
}

/** A page or part whose URIs this server does not have. */
export function NotAvailable(props: { what: string; uris: string[] }) {
  return (
    <div class="not-available" role="status" data-testid="not-available">
      <strong>{t('na.title')}</strong>
      <p>{t('na.text', { what: props.what })}</p>
      <p class="muted">{t('na.uris')} <code>{props.uris.join(', ')}</code></p>
    </div>
  );
}

/** A picture by pic_url, loaded through /DownloadPersonPicture. */
export function Thumb(props: { picUrl: string; alt: string; size?: number }) {
  const [src, setSrc] = useState<string | undefined>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    setSrc(undefined);
    setFailed(false);
    if (!props.picUrl) return;
    let live = true;
    pictureUrl(props.picUrl).then((u) => live && setSrc(u), () => live && setFailed(true));
    return () => { live = false; };
  }, [props.picUrl]);
  const size = props.size ?? 48;
  if (!props.picUrl || failed) return <span class="thumb empty" style={{ width: size, height: size }} aria-label={props.alt}>{failed ? '!' : ''}</span>;
  return src
    ? <img class="thumb" src={src} alt={props.alt} width={size} height={size} loading="lazy" />
    : <span class="thumb loading" style={{ width: size, height: size }} aria-busy="true" />;
}

/** A labelled form field. */
export function Field(props: { label: string; children: ComponentChildren; hint?: string; wide?: boolean }) {
  return (
    <label class={`field${props.wide ? ' wide' : ''}`}>
      <span class="label">{props.label}</span>
      {props.children}
      {props.hint && <span class="hint">{props.hint}</span>}
    </label>
  );
}

/** Online/offline, running/stopped: a dot and a word. */
export function StateBadge(props: { on: boolean; onText: string; offText: string }) {
  return <span class={`badge ${props.on ? 'on' : 'off'}`}>{props.on ? props.onText : props.offText}</span>;
}

export function Loading() {
  return <p class="muted" aria-busy="true">{t('common.loading')}</p>;
}

/** Runs an export (the caller saves the file); busy while the server builds it. */
export function ExportButton(props: { onExport: () => Promise<unknown>; label?: string; disabled?: boolean }) {
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try { await props.onExport(); } finally { setBusy(false); }
  };
  return (
    <button type="button" data-testid="export" disabled={busy || props.disabled} aria-busy={busy} onClick={run}>
      {busy ? t('export.busy') : props.label ?? t('export.csv')}
    </button>
  );
}
