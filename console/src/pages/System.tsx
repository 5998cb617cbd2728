/**
 * System configuration (admins): the object store (/GetSystemConfig + /UpdateSystemConfig
 * StorageServer; the server checks a new store answers before it switches) and, with issue 13, the
 * alarm webhook (AlarmWebhook + /QueryWebhookStatus): "not available" until the server has them.
 */
import { useState } from 'preact/hooks';
import { ApiError, call, hasUri } from '../api/client.ts';
import { ErrorText, Field, Loading, NotAvailable } from '../components/ui.tsx';
import { t } from '../i18n/index.ts';
import { useAsync } from '../lib/hooks.ts';

type Storage = { type?: string; ip?: string; port?: number; bucket?: string; access_key?: string; secret_key?: string; tls?: boolean; region?: string; force_path_style?: boolean };

async function loadStorage(signal: AbortSignal): Promise<Storage> {
  try {
    const r = await call<{ info: { config: string } }>('/GetSystemConfig', { name: 'StorageServer' }, signal);
    return JSON.parse(r.info.config) as Storage;
  } catch (e) {
    if (e instanceof ApiError && e.code === 3008) return {};
    throw e;
  }
}

export function System() {
  const storage = useAsync(loadStorage, []);
  const webhook = useAsync(() => hasUri('/QueryWebhookStatus'), []);
  return (
    <section aria-labelledby="system-title">
      <h1 id="system-title">{t('nav.system')}</h1>
      <div class="panel">
        <h2>{t('system.storage')}</h2>
        <ErrorText error={storage.error} />
        {storage.loading && !storage.data ? <Loading /> : storage.data && <StorageForm current={storage.data} onSaved={storage.reload} />}
      </div>
      <div class="panel" data-testid="webhook">
        <h2>{t('system.webhook')}</h2>
        {webhook.data === false ? <NotAvailable what={t('system.webhook')} uris={['/QueryWebhookStatus', 'UpdateSystemConfig AlarmWebhook']} /> : webhook.data && <p class="muted">{t('na.phase2')}</p>}
      </div>
    </section>
  );
}

function StorageForm(props: { current: Storage; onSaved: () => void }) {
  const c = props.current;
  const local = !c.ip;
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const config: Storage = {
      ip: String(f.get('ip')).trim(), port: Number(f.get('port')), bucket: String(f.get('bucket')).trim(),
      access_key: String(f.get('access_key')), secret_key: String(f.get('secret_key')),
      tls: f.get('tls') === 'on', force_path_style: f.get('force_path_style') === 'on',
      ...(String(f.get('region')).trim() ? { region: String(f.get('region')).trim() } : {}),
    };
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      await call('/UpdateSystemConfig', { name: 'StorageServer', config: JSON.stringify(config) });
      setSaved(true);
      props.onSaved();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  return (
    <>
      <p data-testid="storage-current">{local ? t('system.storageLocal') : t('system.storageS3', { ip: c.ip ?? '', port: c.port ?? '', bucket: c.bucket ?? '' })}</p>
      <form class="form" onSubmit={submit}>
        <Field label={t('system.ip')}><input name="ip" required defaultValue={c.ip} placeholder="10.0.0.5" /></Field>
        <Field label={t('system.port')}><input name="port" type="number" min={1} max={65535} required defaultValue={String(c.port ?? 9000)} /></Field>
        <Field label={t('system.bucket')}><input name="bucket" required defaultValue={c.bucket ?? 'facewatch'} /></Field>
        <Field label={t('system.region')}><input name="region" defaultValue={c.region} placeholder="us-east-1" /></Field>
        <Field label={t('system.accessKey')}><input name="access_key" required defaultValue={c.access_key} autoComplete="off" /></Field>
        <Field label={t('system.secretKey')} hint={t('system.secretHint')}><input name="secret_key" type="password" required defaultValue={c.secret_key} autoComplete="new-password" /></Field>
        <label class="check"><input name="tls" type="checkbox" defaultChecked={!!c.tls} />{t('system.tls')}</label>
        <label class="check"><input name="force_path_style" type="checkbox" defaultChecked={c.force_path_style ?? true} />{t('system.pathStyle')}</label>
        <p class="hint wide">{t('system.storageHint')}</p>
        <ErrorText error={error} />
        {saved && <p class="notice" role="status">{t('common.saved')}</p>}
        <div class="form-actions"><button class="primary" type="submit" disabled={busy}>{busy ? t('common.wait') : t('common.save')}</button></div>
      </form>
    </>
  );
}
