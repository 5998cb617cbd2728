/**
 * A form in a dialog: fields, the error of the last attempt in words, Cancel and Save. `onSubmit`
 * gets the form's values; what it throws is shown (a Problem as it is, an ApiError in words).
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { Dialog, ErrorText } from './ui.tsx';

export function FormDialog(props: {
  title: string; onClose: () => void; onSubmit: (form: FormData) => Promise<void>; children: ComponentChildren; wide?: boolean; testId?: string;
}) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      await props.onSubmit(new FormData(e.currentTarget as HTMLFormElement));
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  return (
    <Dialog title={props.title} onClose={props.onClose} wide={props.wide}>
      <form class="form" onSubmit={submit} data-testid={props.testId}>
        {props.children}
        <ErrorText error={error} />
        <div class="form-actions">
          <button type="button" onClick={props.onClose}>{t('common.cancel')}</button>
          <button class="primary" type="submit" disabled={busy}>{busy ? t('common.wait') : t('common.save')}</button>
        </div>
      </form>
    </Dialog>
  );
}
