/**
 * Choosing cameras or libraries for a task (or a filter): the chosen ones as chips, and a search box
 * that asks the server (name substring, 20 at a time), so a site with thousands of cameras works.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { query } from '../api/client.ts';
import { t } from '../i18n/index.ts';
import { useAsync, useDebounced } from '../lib/hooks.ts';

export type Choice = { id: number; name: string };

export const cameraSource = { uri: '/QueryCameraList' as const, id: (x: { camera_id: number }) => x.camera_id };
export const librarySource = { uri: '/QueryLibraryList' as const, id: (x: { lib_id: number }) => x.lib_id };
export const taskSource = { uri: '/QueryTaskList' as const, id: (x: { task_id: number }) => x.task_id };
/** tasks of one type (roll call 1, sign-in 3): the reports' pickers */
export const taskOfType = (type: number) => ({ ...taskSource, filter: { type } });

/** A picked id in the URL query as "id:name", so the chip keeps its name after a reload. */
export const choiceFromParam = (v: string | undefined): Choice[] => {
  const m = v ? /^(\d+):(.*)$/.exec(v) : null;
  return m ? [{ id: Number(m[1]), name: m[2] }] : [];
};
export const choiceParam = (c: Choice[]): string => (c[0] ? `${c[0].id}:${c[0].name}` : '');

type Source = { uri: `/${string}`; id: (x: never) => number; filter?: Record<string, unknown> };

export function Picker(props: {
  label: string; source: Source; value: Choice[]; onChange: (v: Choice[]) => void; single?: boolean; exclude?: number[]; testId?: string;
}) {
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const q = useDebounced(text, 250);
  const found = useAsync(
    (signal) => (open ? query<{ name: string }>(props.source.uri, { page_no: 1, page_size: 20, ...props.source.filter, ...(q ? { name: q } : {}) }, signal) : Promise.resolve(undefined)),
    [open, q, props.source.uri, JSON.stringify(props.source.filter ?? {})],
  );
  const root = useRef<HTMLDivElement>(null);
  // the list closes on a click or focus elsewhere, and on Escape
  useEffect(() => {
    if (!open) return;
    const away = (e: Event) => { if (!root.current?.contains(e.target as Node)) setOpen(false); };
    // Escape closes the list, not the dialog around it
    const escape = (e: KeyboardEvent) => { if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); setOpen(false); } };
    document.addEventListener('pointerdown', away);
    document.addEventListener('focusin', away);
    document.addEventListener('keydown', escape, true);
    return () => {
      document.removeEventListener('pointerdown', away);
      document.removeEventListener('focusin', away);
      document.removeEventListener('keydown', escape, true);
    };
  }, [open]);
  const chosen = new Set(props.value.map((c) => c.id));
  const hidden = new Set(props.exclude ?? []);
  const pick = (c: Choice) => {
    props.onChange(props.single ? [c] : [...props.value.filter((v) => v.id !== c.id), c]);
    setText('');
    if (props.single) setOpen(false);
  };
  return (
    <div class="picker" data-testid={props.testId} ref={root}>
      <div class="chips" aria-label={props.label}>
        {props.value.map((c) => (
          <span class="chip">
            {c.name}
            <button type="button" class="icon" aria-label={t('picker.remove', { name: c.name })} onClick={() => props.onChange(props.value.filter((v) => v.id !== c.id))}>×</button>
          </span>
        ))}
        {!props.value.length && <span class="muted">{t('picker.none')}</span>}
      </div>
      <input
        type="search"
        placeholder={`${props.label}: ${t('picker.search')}`}
        aria-label={`${props.label}: ${t('picker.search')}`}
        value={text}
        onFocus={() => setOpen(true)}
        onInput={(e) => { setText(e.currentTarget.value); setOpen(true); }}
      />
      {open && (
        <ul class="picker-list" role="listbox" aria-label={props.label}>
          {found.data?.items.map((item) => {
            const id = props.source.id(item as never);
            if (hidden.has(id)) return null;
            return (
              <li role="option" aria-selected={chosen.has(id)}>
                <button type="button" disabled={chosen.has(id)} onClick={() => pick({ id, name: item.name })}>{item.name} <span class="muted">#{id}</span></button>
              </li>
            );
          })}
          {found.data && found.data.total_count > found.data.items.length && <li class="muted">{t('picker.more', { n: found.data.total_count - found.data.items.length })}</li>}
          {found.data && !found.data.items.length && <li class="muted">{t('picker.nothing')}</li>}
          <li><button type="button" class="link" onClick={() => setOpen(false)}>{t('common.close')}</button></li>
        </ul>
      )}
    </div>
  );
}
