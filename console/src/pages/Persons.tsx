/**
 * The persons of one library: search (name or pinyin, card number, phone, whitelist/blacklist),
 * server paging, add/edit with a photo dropped or chosen (shown before saving; a refused photo says
 * why in words: no face, two faces, too small, too blurry ...), delete.
 */
import { useEffect, useState } from 'preact/hooks';
import { call, query, upload } from '../api/client.ts';
import { errorWords, PHOTO_CODES, Problem } from '../api/errors.ts';
import { forgetPicture } from '../api/pictures.ts';
import { can } from '../api/session.ts';
import type { Library, Person } from '../api/types.ts';
import { DropZone } from '../components/DropZone.tsx';
import { Dialog, ErrorText, Field, PagedTable, Thumb } from '../components/ui.tsx';
import { useAction } from '../lib/actions.ts';
import { t } from '../i18n/index.ts';
import { useAsync } from '../lib/hooks.ts';
import { href, listParams } from '../lib/router.ts';

export function Persons(props: { libId: number }) {
  const { libId } = props;
  const { params, page, size, set } = listParams(`/libraries/${libId}`);
  const filters = { name: params.name ?? '', card_no: params.card ?? '', phone: params.phone ?? '', category: params.category ?? '' };
  const lib = useAsync(async (signal) => {
    // QueryLibraryList has no id filter: the library's name comes with its persons when there are any
    const p = await query<Person>('/QueryPersonList', { page_no: 1, page_size: 1, lib_id: libId }, signal);
    return p.items[0]?.lib_name ?? (await findLibrary(libId, signal))?.name ?? `#${libId}`;
  }, [libId]);
  const list = useAsync((signal) => query<Person>('/QueryPersonList', {
    page_no: page, page_size: size, lib_id: libId,
    ...(filters.name ? { name: filters.name } : {}), ...(filters.card_no ? { card_no: filters.card_no } : {}),
    ...(filters.phone ? { phone: filters.phone } : {}), ...(filters.category !== '' ? { category: Number(filters.category) } : {}),
  }, signal), [libId, page, size, filters.name, filters.card_no, filters.phone, filters.category]);
  const [editing, setEditing] = useState<Person | 'new' | null>(null);
  const action = useAction(list.reload);
  const edit = can('operator');
  const remove = (p: Person) => action.run(async () => {
    await call('/DeletePerson', { lib_id: libId, person_id: p.person_id });
    forgetPicture(p.pic_url);
  }, t('persons.confirmDelete', { name: p.name }));

  return (
    <section aria-labelledby="persons-title">
      <p class="crumbs"><a href={href('/libraries')}>{t('nav.libraries')}</a> ›</p>
      <div class="page-head">
        <h1 id="persons-title">{lib.data ?? '…'}</h1>
        {edit && (
          <div class="head-actions">
            <a class="button" href={href('/import', { lib: libId })}>{t('nav.import')}</a>
            <button class="primary" type="button" onClick={() => setEditing('new')}>{t('persons.add')}</button>
          </div>
        )}
      </div>
      <form class="filters" onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget as HTMLFormElement);
        set({ name: String(f.get('name')).trim(), card: String(f.get('card')).trim(), phone: String(f.get('phone')).trim(), category: String(f.get('category')) });
      }}>
        <input name="name" type="search" defaultValue={filters.name} placeholder={t('persons.searchName')} aria-label={t('persons.searchName')} />
        <input name="card" type="search" defaultValue={filters.card_no} placeholder={t('persons.card')} aria-label={t('persons.card')} />
        <input name="phone" type="search" defaultValue={filters.phone} placeholder={t('persons.phone')} aria-label={t('persons.phone')} />
        <select name="category" defaultValue={filters.category} aria-label={t('persons.category')}>
          <option value="">{t('persons.anyCategory')}</option>
          <option value="0">{t('category.0')}</option>
          <option value="1">{t('category.1')}</option>
        </select>
        <button type="submit">{t('common.search')}</button>
      </form>
      <ErrorText error={action.error ?? list.error} />
      <PagedTable
        testId="persons" data={list.data} cols={10} page={page} size={size} onPage={(p, s) => set({ page: p, size: s })}
        head={<>
          <th>{t('persons.photo')}</th><th>{t('common.name')}</th><th>{t('persons.pinyin')}</th><th>{t('persons.sex')}</th><th>{t('persons.card')}</th>
          <th>{t('persons.phone')}</th><th>{t('persons.category')}</th><th>{t('common.remark')}</th><th>{t('common.created')}</th><th><span class="sr-only">{t('common.actions')}</span></th>
        </>}
        row={(p) => (
          <tr>
            <td><Thumb picUrl={p.pic_url} alt={p.name} /></td>
            <td>{p.name}</td>
            <td class="muted">{p.pinyin}</td>
            <td>{t(`sex.${p.sex as 0 | 1 | 2}`)}</td>
            <td>{p.card_no}</td>
            <td>{p.phone}</td>
            <td>{p.category === 1 ? <span class="badge warn">{t('category.1')}</span> : t('category.0')}</td>
            <td>{p.remark}</td>
            <td class="nowrap">{p.create_time}</td>
            <td class="actions">
              {edit && <button type="button" onClick={() => setEditing(p)}>{t('common.edit')}</button>}
              {edit && <button type="button" class="danger" onClick={() => remove(p)}>{t('common.delete')}</button>}
            </td>
          </tr>
        )}
      />
      {editing && <PersonForm libId={libId} person={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} onDone={() => { setEditing(null); list.reload(); }} />}
    </section>
  );
}

async function findLibrary(libId: number, signal: AbortSignal): Promise<Library | undefined> {
  for (let page = 1; page <= 10; page++) {
    const p = await query<Library>('/QueryLibraryList', { page_no: page, page_size: 1000 }, signal);
    const found = p.items.find((l) => l.lib_id === libId);
    if (found || page * 1000 >= p.total_count) return found;
  }
  return undefined;
}

function PersonForm(props: { libId: number; person?: Person; onClose: () => void; onDone: () => void }) {
  const p = props.person;
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState('');
  const [photoError, setPhotoError] = useState<unknown>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!file) return setPreview('');
    const u = URL.createObjectURL(file);
    setPreview(u);
    return () => URL.revokeObjectURL(u);
  }, [file]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setPhotoError(undefined);
    if (!p && !file) return setPhotoError(new Problem(t('persons.photoRequired')));
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const fields = {
      name: String(f.get('name')), sex: Number(f.get('sex')), card_no: String(f.get('card_no')), phone: String(f.get('phone')),
      category: Number(f.get('category')), remark: String(f.get('remark')),
    };
    setBusy(true);
    try {
      let picUrl: string | undefined;
      if (file) {
        try {
          picUrl = (await upload(file, file.name)).pic_url;
        } catch (err) {
          throw Object.assign(err as Error, { photo: true });
        }
      }
      if (p) await call('/UpdatePerson', { lib_id: props.libId, person_id: p.person_id, ...fields, ...(picUrl ? { pic_url: picUrl } : {}) });
      else await call('/AddPerson', { lib_id: props.libId, ...fields, pic_url: picUrl });
      if (p && picUrl) forgetPicture(p.pic_url);
      props.onDone();
    } catch (err) {
      const code = errorWords(err).code;
      if ((err as { photo?: boolean }).photo || PHOTO_CODES.has(code)) setPhotoError(err);
      else setError(err);
      setBusy(false);
    }
  };

  return (
    <Dialog title={p ? t('persons.edit', { name: p.name }) : t('persons.add')} onClose={props.onClose} wide>
      <form class="form person-form" onSubmit={submit}>
        <div class="photo-side">
          <DropZone accept="image/jpeg,image/png,image/bmp,image/webp" label={t('persons.dropPhoto')} onFiles={([f]) => { setFile(f); setPhotoError(undefined); }} testId="photo-drop">
            {preview ? <img class="photo" src={preview} alt={t('persons.photo')} data-testid="photo-preview" />
              : p ? <Thumb picUrl={p.pic_url} alt={p.name} size={200} />
              : <span>{t('persons.dropPhoto')}</span>}
          </DropZone>
          <p class="hint">{t('persons.photoHint')}</p>
          <ErrorText error={photoError} />
        </div>
        <div class="fields">
          <Field label={t('common.name')}><input name="name" required maxLength={128} defaultValue={p?.name} autoFocus /></Field>
          <Field label={t('persons.sex')}>
            <select name="sex" defaultValue={String(p?.sex ?? 0)}>
              <option value="0">{t('sex.0')}</option><option value="1">{t('sex.1')}</option><option value="2">{t('sex.2')}</option>
            </select>
          </Field>
          <Field label={t('persons.card')}><input name="card_no" maxLength={64} defaultValue={p?.card_no} /></Field>
          <Field label={t('persons.phone')}><input name="phone" maxLength={32} defaultValue={p?.phone} /></Field>
          <Field label={t('persons.category')}>
            <select name="category" defaultValue={String(p?.category ?? 0)}>
              <option value="0">{t('category.0')}</option><option value="1">{t('category.1')}</option>
            </select>
          </Field>
          <Field label={t('common.remark')} wide><input name="remark" maxLength={1024} defaultValue={p?.remark} /></Field>
          <ErrorText error={error} />
          <div class="form-actions">
            <button type="button" onClick={props.onClose}>{t('common.cancel')}</button>
            <button class="primary" type="submit" disabled={busy}>{busy ? t('common.wait') : t('common.save')}</button>
          </div>
        </div>
      </form>
    </Dialog>
  );
}
