/**
 * Cameras: list with the measured online state (refreshed every 5 s), add/edit/delete, ONVIF search
 * (/SearchCamera lists devices; /QueryCameraRtsp with the camera's user and password fills the RTSP
 * address of a new camera), and a live snapshot (/GetCameraSnapshot).
 */
import { useState } from 'preact/hooks';
import { call, hasUri, query } from '../api/client.ts';
import { can } from '../api/session.ts';
import type { Camera } from '../api/types.ts';
import { FormDialog } from '../components/FormDialog.tsx';
import { Dialog, ErrorText, Field, Loading, NameSearch, NotAvailable, PagedTable, StateBadge } from '../components/ui.tsx';
import { t } from '../i18n/index.ts';
import { useAction } from '../lib/actions.ts';
import { useAsync, usePolling } from '../lib/hooks.ts';
import { listParams } from '../lib/router.ts';

/** rtsp://user:secret@host/… → rtsp://user:***@host/… (the list is read over shoulders). */
export const maskRtsp = (url: string): string => url.replace(/^(rtsps?:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');

export function Cameras() {
  const { params, page, size, set } = listParams('/cameras');
  const name = params.name ?? '';
  const list = useAsync((signal) => query<Camera>('/QueryCameraList', { page_no: page, page_size: size, ...(name ? { name } : {}) }, signal), [page, size, name]);
  usePolling(list.reload, 5000);
  const [form, setForm] = useState<{ camera?: Camera; rtsp?: string; name?: string } | null>(null);
  const [searching, setSearching] = useState(false);
  const [snapshot, setSnapshot] = useState<Camera | null>(null);
  const action = useAction(list.reload);
  const edit = can('operator');

  return (
    <section aria-labelledby="cameras-title">
      <div class="page-head">
        <h1 id="cameras-title">{t('nav.cameras')}</h1>
        {edit && (
          <div class="head-actions">
            <button type="button" onClick={() => setSearching(true)}>{t('cameras.search')}</button>
            <button class="primary" type="button" onClick={() => setForm({})}>{t('cameras.add')}</button>
          </div>
        )}
      </div>
      <NameSearch value={name} label={t('cameras.searchName')} onSearch={(v) => set({ name: v })} />
      <ErrorText error={action.error ?? list.error} />
      <PagedTable
        testId="cameras" data={list.data} cols={8} page={page} size={size} onPage={(p, s) => set({ page: p, size: s })}
        head={<><th>ID</th><th>{t('common.name')}</th><th>{t('cameras.state')}</th><th>RTSP</th><th>{t('cameras.type')}</th><th>{t('common.remark')}</th><th>{t('common.created')}</th><th><span class="sr-only">{t('common.actions')}</span></th></>}
        row={(c) => (
          <tr>
            <td>{c.camera_id}</td>
            <td>{c.name}</td>
            <td><StateBadge on={c.online === 1} onText={t('cameras.online')} offText={t('cameras.offline')} /></td>
            <td class="mono">{maskRtsp(c.rtsp)}</td>
            <td>{c.type}</td>
            <td>{c.remark}</td>
            <td class="nowrap">{c.create_time}</td>
            <td class="actions">
              {edit && <button type="button" onClick={() => setSnapshot(c)}>{t('cameras.snapshot')}</button>}
              {edit && <button type="button" onClick={() => setForm({ camera: c })}>{t('common.edit')}</button>}
              {edit && <button type="button" class="danger" onClick={() => action.run(() => call('/DeleteCamera', { camera_id: c.camera_id }), t('cameras.confirmDelete', { name: c.name }))}>{t('common.delete')}</button>}
            </td>
          </tr>
        )}
      />
      {form && <CameraForm {...form} onClose={() => setForm(null)} onDone={() => { setForm(null); list.reload(); }} />}
      {searching && <OnvifSearch onClose={() => setSearching(false)} onFound={(rtsp, name) => { setSearching(false); setForm({ rtsp, name }); }} />}
      {snapshot && <Snapshot camera={snapshot} onClose={() => setSnapshot(null)} />}
    </section>
  );
}

function CameraForm(props: { camera?: Camera; rtsp?: string; name?: string; onClose: () => void; onDone: () => void }) {
  const c = props.camera;
  return (
    <FormDialog title={c ? t('cameras.edit', { name: c.name }) : t('cameras.add')} onClose={props.onClose} onSubmit={async (f) => {
      const body = { name: String(f.get('name')), rtsp: String(f.get('rtsp')).trim(), type: Number(f.get('type') || 0), remark: String(f.get('remark') ?? '') };
      if (c) await call('/UpdateCamera', { camera_id: c.camera_id, ...body });
      else await call('/AddCamera', body);
      props.onDone();
    }}>
      <Field label={t('common.name')}><input name="name" required maxLength={128} defaultValue={c?.name ?? props.name} autoFocus /></Field>
      <Field label={t('cameras.type')}><input name="type" type="number" min={0} max={1000000} defaultValue={String(c?.type ?? 0)} /></Field>
      <Field label={t('cameras.rtsp')} wide hint={t('cameras.rtspHint')}>
        <input name="rtsp" required maxLength={1024} pattern="rtsps?://.+" defaultValue={c?.rtsp ?? props.rtsp} class="mono" placeholder="rtsp://user:password@192.168.1.10:554/stream1" />
      </Field>
      <Field label={t('common.remark')} wide><input name="remark" maxLength={1024} defaultValue={c?.remark} /></Field>
    </FormDialog>
  );
}

type Device = { ip: string; manufacturer: string };

function OnvifSearch(props: { onClose: () => void; onFound: (rtsp: string, name: string) => void }) {
  const found = useAsync((signal) => call<{ info: { total_count: number; items: Device[] } }>('/SearchCamera', {}, signal).then((r) => r.info), []);
  const [chosen, setChosen] = useState<Device | null>(null);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const ask = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const ip = String(f.get('ip')).trim();
    setBusy(true);
    setError(undefined);
    try {
      const user = String(f.get('user') ?? '');
      const r = await call<{ info: { rtsp: string } }>('/QueryCameraRtsp', {
        ip, ...(user ? { user, password: String(f.get('password') ?? '') } : {}), with_credentials: !!user,
      });
      props.onFound(r.info.rtsp, `${chosen?.manufacturer || 'ONVIF'} ${ip}`.trim());
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('cameras.search')} onClose={props.onClose} wide>
      {found.loading && !found.data ? <Loading /> : <ErrorText error={found.error} />}
      {found.data && (
        <>
          <p>{t('cameras.found', { n: found.data.total_count })} <button type="button" class="link" onClick={found.reload}>{t('cameras.searchAgain')}</button></p>
          <ul class="plain devices" data-testid="onvif-devices">
            {found.data.items.map((d) => (
              <li><button type="button" aria-pressed={chosen?.ip === d.ip} onClick={() => setChosen(d)}>{d.ip} <span class="muted">{d.manufacturer}</span></button></li>
            ))}
          </ul>
        </>
      )}
      <form class="form" onSubmit={ask} key={chosen?.ip ?? ''}>
        <Field label={t('cameras.address')} hint={t('cameras.addressHint')}><input name="ip" required defaultValue={chosen?.ip ?? ''} placeholder="192.168.1.64" /></Field>
        <Field label={t('cameras.user')}><input name="user" autoComplete="off" /></Field>
        <Field label={t('cameras.password')}><input name="password" type="password" autoComplete="new-password" /></Field>
        <ErrorText error={error} />
        <div class="form-actions">
          <button class="primary" type="submit" disabled={busy}>{busy ? t('common.wait') : t('cameras.getRtsp')}</button>
        </div>
      </form>
    </Dialog>
  );
}

function Snapshot(props: { camera: Camera; onClose: () => void }) {
  const [n, setN] = useState(0);
  const available = useAsync(() => hasUri('/GetCameraSnapshot'), []);
  const shot = useAsync(
    (signal) => (available.data ? call<{ data: string }>('/GetCameraSnapshot', { camera_id: props.camera.camera_id }, signal).then((r) => r.data) : Promise.resolve(undefined)),
    [available.data, n],
  );
  return (
    <Dialog title={t('cameras.snapshotOf', { name: props.camera.name })} onClose={props.onClose} wide>
      {available.data === false && <NotAvailable what={t('cameras.snapshot')} uris={['/GetCameraSnapshot']} />}
      {shot.loading && <Loading />}
      <ErrorText error={!shot.loading && shot.error} />
      {shot.data && !shot.loading && <img class="snapshot" src={`data:image/jpeg;base64,${shot.data}`} alt={t('cameras.snapshotOf', { name: props.camera.name })} data-testid="snapshot" />}
      <div class="form-actions">
        <button type="button" onClick={() => setN((x) => x + 1)} disabled={shot.loading}>{t('cameras.refresh')}</button>
      </div>
    </Dialog>
  );
}
