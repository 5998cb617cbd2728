/**
 * Files by drag-and-drop or by the file chooser (the zone is a button: Enter or Space opens it, so
 * the keyboard reaches it too).
 */
import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';

export function DropZone(props: {
  accept: string; multiple?: boolean; label: string; onFiles: (files: File[]) => void; children?: ComponentChildren; testId?: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const take = (list: FileList | null | undefined) => {
    const files = list ? [...list] : [];
    if (files.length) props.onFiles(props.multiple ? files : files.slice(0, 1));
  };
  return (
    <div
      class={`dropzone${over ? ' over' : ''}`}
      role="button"
      tabIndex={0}
      aria-label={props.label}
      data-testid={props.testId}
      onClick={() => input.current?.click()}
      onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); input.current?.click(); } }}
      onDragOver={(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => { e.preventDefault(); setOver(false); take(e.dataTransfer?.files); }}
    >
      {props.children ?? <span>{props.label}</span>}
      <input
        ref={input}
        type="file"
        accept={props.accept}
        multiple={props.multiple}
        hidden
        onChange={(e) => { take(e.currentTarget.files); e.currentTarget.value = ''; }}
      />
    </div>
  );
}
