/**
 * In the frame's header, on every page: the alarms that arrived live since the alarm page was last
 * shown (a link there), the chime on each new person or camera-offline alarm, and the mute switch
 * (remembered). A camera coming back (type 4) is good news: counted, not chimed.
 */
import { useEffect, useState } from 'preact/hooks';
import { useLive } from '../api/live.ts';
import type { Alarm } from '../api/types.ts';
import { t } from '../i18n/index.ts';
import { href, route } from '../lib/router.ts';
import { useValue } from '../lib/signal.ts';
import { chime, chimes, muted, setMuted } from '../lib/sound.ts';

/** Line icons drawn here (no icon font or emoji: a site's machines may have neither). */
const Icon = (props: { d: string[] }) => (
  <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
    {props.d.map((d) => <path d={d} />)}
  </svg>
);
const WARNING = ['M12 3 2 20h20L12 3z', 'M12 9v5', 'M12 17v.5'];
const BELL = ['M6 9a6 6 0 0 1 12 0c0 6 2.5 8 2.5 8h-17S6 15 6 9', 'M10 20.5a2.2 2.2 0 0 0 4 0'];
const BELL_OFF = [...BELL, 'M3 3l18 18'];

export function AlarmBell() {
  const [count, setCount] = useState(0);
  const r = useValue(route);
  const isMuted = useValue(muted);
  const played = useValue(chimes);
  const onAlarms = r.path === '/alarms';
  useEffect(() => { if (onAlarms) setCount(0); }, [onAlarms]);
  useLive('alarm', (a: Alarm) => {
    if (!onAlarms) setCount((n) => n + 1);
    if (a.type !== 4) chime();
  });
  return (
    <span class="bell">
      <a href={href('/alarms')} class={`button${count ? ' bell-new' : ''}`} data-testid="alarm-bell" data-count={count}
        aria-label={t('bell.label', { n: count })}>
        <Icon d={WARNING} />{count > 0 && <span class="bell-count">{count}</span>}
      </a>
      <button type="button" aria-pressed={isMuted} data-testid="mute" data-chimes={played} onClick={() => setMuted(!isMuted)}
        title={t('bell.mute')} aria-label={t('bell.mute')}>
        <Icon d={isMuted ? BELL_OFF : BELL} />
      </button>
    </span>
  );
}
