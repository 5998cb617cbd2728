/**
 * A task's weekly plan: per weekday a text field ("08:00-12:00, 13:30-18:00", the keyboard way) and a
 * 24-hour bar to drag windows on (snapped to 30 min; dragging over a window removes that part).
 * Produces the documented plan JSON (lib/plan.ts), shown below the editor.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, type Key } from '../i18n/index.ts';
import {
  addWindow, copyDay, covers, cutWindow, DAYS, emptyDays, formatDay, parseDay, PlanTextError, snapSpan, toPlanText,
  type Day, type WeekPlan,
} from '../lib/plan.ts';

const DAY_KEYS: Record<Day, Key> = { 1: 'day.1', 2: 'day.2', 3: 'day.3', 4: 'day.4', 5: 'day.5', 6: 'day.6', 7: 'day.7' };

export function PlanEditor(props: { value: WeekPlan; onChange: (p: WeekPlan) => void }) {
  const plan = props.value;
  const text = toPlanText(plan);
  return (
    <div class="plan-editor" data-testid="plan-editor">
      <label class="check">
        <input type="checkbox" checked={plan.alwaysOn} onChange={(e) => props.onChange({ ...plan, alwaysOn: e.currentTarget.checked })} />
        {t('plan.alwaysOn')}
      </label>
      {!plan.alwaysOn && (
        <>
          <div class="plan-tools">
            <button type="button" onClick={() => props.onChange(copyDay(plan, 1, [2, 3, 4, 5]))}>{t('plan.copyMonday')}</button>
            <button type="button" onClick={() => {
              const days = emptyDays();
              for (const d of [1, 2, 3, 4, 5] as Day[]) days[d] = [{ start: 8 * 60, end: 18 * 60 }];
              props.onChange({ alwaysOn: false, days });
            }}>{t('plan.officeHours')}</button>
            <button type="button" onClick={() => props.onChange({ alwaysOn: false, days: emptyDays() })}>{t('plan.clear')}</button>
          </div>
          <div class="plan-ruler" aria-hidden="true"><span />{[0, 3, 6, 9, 12, 15, 18, 21, 24].map((h) => <i style={{ left: `${(h / 24) * 100}%` }}>{h}</i>)}</div>
          {DAYS.map((d) => (
            <DayRow day={d} plan={plan} onChange={props.onChange} />
          ))}
        </>
      )}
      <p class="plan-json">
        {t('plan.result')} <code data-testid="plan-json">{text === null ? '—' : JSON.stringify(text)}</code>
        {text === null && <span class="error" role="alert"> {t('plan.empty')}</span>}
      </p>
    </div>
  );
}

function DayRow(props: { day: Day; plan: WeekPlan; onChange: (p: WeekPlan) => void }) {
  const { day, plan } = props;
  const windows = plan.days[day];
  const [draft, setDraft] = useState(formatDay(windows));
  const [bad, setBad] = useState('');
  const [drag, setDrag] = useState<{ from: number; to: number; cut: boolean } | null>(null);
  const bar = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  // the form around refuses to submit while a day's text is wrong (the browser says why)
  useEffect(() => { input.current?.setCustomValidity(bad ? t('plan.badWindow', { text: bad }) : ''); }, [bad]);
  // the model changed from outside (drag, copy, presets): show it, unless the text says the same
  const shown = formatDay(windows);
  useEffect(() => {
    let same = false;
    try { same = formatDay(parseDay(draft)) === shown; } catch { /* a draft being typed */ }
    if (!same) { setDraft(shown); setBad(''); }
  }, [shown]);

  const set = (next: typeof windows) => props.onChange({ ...plan, days: { ...plan.days, [day]: next } });
  // every keystroke that makes a valid text updates the plan, so a save never misses the last edit
  const commit = (value: string) => {
    try {
      const next = parseDay(value);
      if (formatDay(next) !== formatDay(windows)) set(next);
      setBad('');
    } catch (e) {
      if (e instanceof PlanTextError) setBad(e.message);
      else throw e;
    }
  };
  const minuteAt = (clientX: number) => {
    const r = bar.current!.getBoundingClientRect();
    return Math.round(((clientX - r.left) / r.width) * 24 * 60);
  };
  const span = drag && snapSpan(drag.from, drag.to);
  const label = t(DAY_KEYS[day]);
  return (
    <div class="plan-day">
      <span class="plan-day-name">{label}</span>
      <div
        ref={bar}
        class="plan-bar"
        data-testid={`plan-bar-${day}`}
        onPointerDown={(e) => {
          const m = minuteAt(e.clientX);
          (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
          setDrag({ from: m, to: m, cut: covers(windows, m) });
        }}
        onPointerMove={(e) => { if (drag) setDrag({ ...drag, to: minuteAt(e.clientX) }); }}
        onPointerUp={() => {
          if (!drag || !span) return;
          set(drag.cut ? cutWindow(windows, span) : addWindow(windows, span));
          setDrag(null);
        }}
        onPointerCancel={() => setDrag(null)}
      >
        {windows.map((w) => <span class="plan-win" style={{ left: `${(w.start / 1440) * 100}%`, width: `${((w.end - w.start) / 1440) * 100}%` }} />)}
        {span && <span class={`plan-drag${drag!.cut ? ' cut' : ''}`} style={{ left: `${(span.start / 1440) * 100}%`, width: `${((span.end - span.start) / 1440) * 100}%` }} />}
      </div>
      <input
        ref={input}
        class={bad ? 'invalid' : ''}
        value={draft}
        placeholder="08:00-12:00, 13:30-18:00"
        aria-label={t('plan.dayWindows', { day: label })}
        aria-invalid={!!bad}
        data-testid={`plan-text-${day}`}
        onInput={(e) => { setDraft(e.currentTarget.value); commit(e.currentTarget.value); }}
        onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); commit(e.currentTarget.value); } }}
      />
      {bad && <span class="error plan-day-error" role="alert">{t('plan.badWindow', { text: bad })}</span>}
    </div>
  );
}
