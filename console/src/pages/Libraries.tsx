/** Libraries: list (name search, server paging), add, delete; a library opens its persons. */
import { useState } from 'preact/hooks';
import { call, query } from '../api/client.ts';
import { can } from '../api/session.ts';
import type { Library } from '../api/types.ts';
import { FormDialog } from '../components/FormDialog.tsx';
import { ErrorText, Field, NameSearch, PagedTable } from '../components/ui.tsx';
import { t } from '../i18n/index.ts';
import { useAction } from '../lib/actions.ts';
import { useAsync } from '../lib/hooks.ts';
import { href, listParams } from '../lib/router.ts';

export function Libraries() {
  const { params, page, size, set } = listParams('/libraries');
  const name = params.name ?? '';
  const list = useAsync((signal) => query<Library>('/QueryLibraryList', { page_no: page, page_size: size, ...(name ? { name } : {}) }, signal), [page, size, name]);
  const [adding, setAdding] = useState(false);
  const action = useAction(list.reload);
  const edit = can('operator');

  return (
    <section aria-labelledby="libraries-title">
      <div class="page-head">
        <h1 id="libraries-title">{t('nav.libraries')}</h1>
        {edit && <button class="primary" type="button" onClick={() => setAdding(true)}>{t('libraries.add')}</button>}
      </div>
      <NameSearch value={name} label={t('libraries.searchName')} onSearch={(v) => set({ name: v })} />
      <ErrorText error={action.error ?? list.error} />
      <PagedTable
        data={list.data} cols={7} page={page} size={size} onPage={(p, s) => set({ page: p, size: s })}
        head={<><th>ID</th><th>{t('common.name')}</th><th>{t('libraries.type')}</th><th>{t('libraries.persons')}</th><th>{t('common.remark')}</th><th>{t('common.created')}</th><th><span class="sr-only">{t('common.actions')}</span></th></>}
        row={(lib) => (
          <tr>
            <td>{lib.lib_id}</td>
            <td><a href={href(`/libraries/${lib.lib_id}`)}>{lib.name}</a></td>
            <td>{lib.type}</td>
            <td>{lib.person_count}</td>
            <td>{lib.remark}</td>
            <td class="nowrap">{lib.create_time}</td>
            <td class="actions">
              <a class="button" href={href(`/libraries/${lib.lib_id}`)}>{t('libraries.open')}</a>
              {edit && <button type="button" class="danger" onClick={() => action.run(() => call('/DeleteLibrary', { lib_id: lib.lib_id }), t('libraries.confirmDelete', { name: lib.name, n: lib.person_count }))}>{t('common.delete')}</button>}
            </td>
          </tr>
        )}
      />
      {adding && (
        <FormDialog title={t('libraries.add')} onClose={() => setAdding(false)} onSubmit={async (f) => {
          await call('/AddLibrary', { name: String(f.get('name')), type: Number(f.get('type') || 0), remark: String(f.get('remark') ?? '') });
          setAdding(false);
          list.reload();
        }}>
          <Field label={t('common.name')}><input name="name" required maxLength={128} autoFocus /></Field>
          <Field label={t('libraries.type')} hint={t('libraries.typeHint')}><input name="type" type="number" min={0} max={1000000} defaultValue="0" /></Field>
          <Field label={t('common.remark')} wide><input name="remark" maxLength={1024} /></Field>
        </FormDialog>
      )}
    </section>
  );
}
