/**
 * System configuration (admins): the object store (StorageServer: the local directory, or an
 * S3-compatible server the host checks before it switches) and the alarm webhook (AlarmWebhook: url,
 * secret, events, enabled) with how its deliveries go (/QueryWebhookStatus, read every 5 s). Secrets
 * read back as "******"; sending that back keeps the stored one (docs/api.md "System configuration").
 */
import { useState } from 'preact/hooks';
import { ApiError, call } from '../api/client.ts';
import type { WebhookStatus } from '../api/types.ts';
import { ErrorText, Field, Loading } from '../components/ui.tsx';
import { t } from '../i18n/index.ts';
import { useAsync, usePolling } from '../lib/hooks.ts';

type Storage = { type?: string; ip?: string; port?: number; bucket?: string; access_key?: string; secret_key?: string; tls?: boolean; region?: string; force_path_style?: boolean };
type Webhook = { url?: string; secret?: string; events?: string[]; enabled?: boolean };
const WEBHOOK_EVENTS = ['alarm', 'capture', 'camera'] as const;

/** A stored config, or `{}` when there is none yet (CONFIG_NOT_FOUND). */
async function loadConfig<T>(name: string, signal: AbortSignal): Promise<T> {
  try {
    const r = await call<{ info: { config: string } }>('/GetSystemConfig', { name }, signal);
    return JSON.parse(r.info.config) as T;
  } catch (e) {
    if (e instanceof ApiError && e.code === 3008) return {} as T;
    throw e;
  }
}

export function System() {
  const storage = useAsync((signal) => loadConfig<Storage>('StorageServer', signal), []);
  const webhook = useAsync((signal) => loadConfig<Webhook>('AlarmWebhook', signal), []);
  return (
    <section aria-labelledby="system-title">
      <h1 id="system-title">{t('nav.system')}</h1>
      <div class="panel" data-testid="storage">
        <h2>{t('system.storage')}</h2>
        <ErrorText error={storage.error} />
        {!storage.data ? (!storage.error && <Loading />) : <StorageForm current={storage.data} onSaved={storage.reload} />}
      </div>
      <div class="panel" data-testid="webhook">
        <h2>{t('system.webhook')}</h2>
        <ErrorText error={webhook.error} />
        {!webhook.data ? (!webhook.error && <Loading />) : <WebhookForm current={webhook.data} onSaved={webhook.reload} />}
        <WebhookState />
      </div>
    </section>
  );
}

/** Saving one config: busy, the error in words, "saved". */
function useSave(onSaved: () => void) {
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const save = async (name: string, config: object) => {
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      await call('/UpdateSystemConfig', { name, config: JSON.stringify(config) });
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  const footer = (
    <>
      <ErrorText error={error} />
      {saved && <p class="notice" role="status">{t('common.saved')}</p>}
      <div class="form-actions"><button class="primary" type="submit" disabled={busy}>{busy ? t('common.wait') : t('common.save')}</button></div>
    </>
  );
  return { save, footer };
}

function StorageForm(props: { current: Storage; onSaved: () => void }) {
  const c = props.current;
  const [kind, setKind] = useState<'local' | 's3'>(c.ip ? 's3' : 'local');
  const { save, footer } = useSave(props.onSaved);
  const submit = (e: Event) => {
    e.preventDefault();
    if (kind === 'local') return save('StorageServer', { type: 'local' });
    const f = new FormData(e.currentTarget as HTMLFormElement);
    return save('StorageServer', {
      ip: String(f.get('ip')).trim(), port: Number(f.get('port')), bucket: String(f.get('bucket')).trim(),
      access_key: String(f.get('access_key')), secret_key: String(f.get('secret_key')),
      tls: f.get('tls') === 'on', force_path_style: f.get('force_path_style') === 'on',
      ...(String(f.get('region')).trim() ? { region: String(f.get('region')).trim() } : {}),
    });
  };
  return (
    <>
      <p data-testid="storage-current">{c.ip ? t('system.storageS3', { ip: c.ip ?? '', port: c.port ?? '', bucket: c.bucket ?? '' }) : t('system.storageLocal')}</p>
      <form class="form" onSubmit={submit}>
        <div class="wide radios" role="radiogroup" aria-label={t('system.storageKind')}>
          <label class="check"><input type="radio" name="kind" checked={kind === 'local'} onChange={() => setKind('local')} />{t('system.kindLocal')}</label>
          <label class="check"><input type="radio" name="kind" checked={kind === 's3'} onChange={() => setKind('s3')} />{t('system.kindS3')}</label>
        </div>
        {kind === 's3' ? (
          <>
            <Field label={t('system.ip')}><input name="ip" required defaultValue={c.ip} placeholder="10.0.0.5" /></Field>
            <Field label={t('system.port')}><input name="port" type="number" min={1} max={65535} required defaultValue={String(c.port ?? 9000)} /></Field>
            <Field label={t('system.bucket')}><input name="bucket" required defaultValue={c.bucket ?? 'facewatch'} /></Field>
            <Field label={t('system.region')}><input name="region" defaultValue={c.region} placeholder="us-east-1" /></Field>
            <Field label={t('system.accessKey')}><input name="access_key" required defaultValue={c.access_key} autoComplete="off" /></Field>
            <Field label={t('system.secretKey')} hint={t('system.secretHint')}><input name="secret_key" type="password" required defaultValue={c.secret_key} autoComplete="new-password" /></Field>
            <label class="check"><input name="tls" type="checkbox" defaultChecked={!!c.tls} />{t('system.tls')}</label>
            <label class="check"><input name="force_path_style" type="checkbox" defaultChecked={c.force_path_style ?? true} />{t('system.pathStyle')}</label>
            <p class="hint wide">{t('system.storageHint')}</p>
          </>
        ) : <p class="hint wide">{t('system.localHint')}</p>}
        {footer}
      </form>
    </>
  );
}

function WebhookForm(props: { current: Webhook; onSaved: () => void }) {
  const c = props.current;
  const events = new Set(c.events ?? ['alarm']);
  const { save, footer } = useSave(props.onSaved);
  const submit = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    return save('AlarmWebhook', {
      url: String(f.get('url')).trim(), secret: String(f.get('secret')), events: f.getAll('events').map(String), enabled: f.get('enabled') === 'on',
    });
  };
  return (
    <form class="form" onSubmit={submit} data-testid="webhook-form">
      <Field label={t('system.webhookUrl')} wide><input name="url" type="url" required defaultValue={c.url} placeholder="https://receiver.example/facewatch" /></Field>
      <Field label={t('system.webhookSecret')} hint={c.secret ? t('system.secretHint') : t('system.webhookSecretHint')}>
        <input name="secret" type="password" required minLength={c.secret ? 1 : 8} maxLength={256} defaultValue={c.secret} autoComplete="new-password" />
      </Field>
      <fieldset class="field">
        <legend class="label">{t('system.webhookEvents')}</legend>
        {WEBHOOK_EVENTS.map((ev) => <label class="check"><input type="checkbox" name="events" value={ev} defaultChecked={events.has(ev)} />{t(`system.event.${ev}`)}</label>)}
      </fieldset>
      <label class="check"><input name="enabled" type="checkbox" defaultChecked={c.enabled ?? true} />{t('system.webhookEnabled')}</label>
      <p class="hint wide">{t('system.webhookHint')}</p>
      {footer}
    </form>
  );
}

/** How deliveries go: pending, delivered, dropped, the last success and the last error. */
function WebhookState() {
  const status = useAsync((signal) => call<{ info: WebhookStatus }>('/QueryWebhookStatus', {}, signal).then((r) => r.info), []);
  usePolling(status.reload, 5000);
  const s = status.data;
  if (!s) return <ErrorText error={status.error} />;
  return (
    <dl class="facts" data-testid="webhook-status">
      <dt>{t('system.webhookState')}</dt><dd>{s.enabled ? t('system.enabled') : t('system.disabled')}</dd>
      <dt>{t('system.pending')}</dt><dd>{s.pending}{s.oldest_pending_time && <span class="muted small"> ({t('system.since', { time: s.oldest_pending_time })})</span>}</dd>
      <dt>{t('system.delivered')}</dt><dd>{s.delivered}</dd>
      <dt>{t('system.dropped')}</dt><dd>{s.dropped}</dd>
      <dt>{t('system.lastSuccess')}</dt><dd>{s.last_success_time || '—'}</dd>
      <dt>{t('system.lastError')}</dt><dd>{s.last_error ? <span class="error">{s.last_error} <span class="muted small">{s.last_error_time}</span></span> : '—'}</dd>
    </dl>
  );
}
