/**
 * The alarm sound: a short two-tone chime made with WebAudio (no sound file to download or serve),
 * and the mute switch, remembered in localStorage. Browsers let a page start audio only after the
 * user has interacted with it, so the AudioContext is created (or resumed) on the first click or key
 * press; an alarm before that is shown but silent.
 */
import { signal } from './signal.ts';

const KEY = 'fw.mute';
export const muted = signal<boolean>(localStorage.getItem(KEY) === '1');
/** chimes played in this tab (shown on the switch as data-chimes) */
export const chimes = signal(0);

export function setMuted(m: boolean): void {
  localStorage.setItem(KEY, m ? '1' : '0');
  muted.value = m;
}

let ctx: AudioContext | undefined;
function audio(): AudioContext | undefined {
  try {
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
    return ctx;
  } catch {
    return undefined; // no audio device or API: alarms stay visible
  }
}
const unlock = () => { audio(); };
addEventListener('pointerdown', unlock, { once: true, capture: true });
addEventListener('keydown', unlock, { once: true, capture: true });

/** Plays the alarm chime unless muted. */
export function chime(): void {
  if (muted.value) return;
  const a = audio();
  if (!a) return;
  const start = a.currentTime + 0.01;
  [880, 660].forEach((freq, i) => {
    const osc = a.createOscillator();
    const gain = a.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    const t0 = start + i * 0.22;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.25, t0 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.2);
    osc.connect(gain).connect(a.destination);
    osc.start(t0);
    osc.stop(t0 + 0.21);
  });
  chimes.value += 1;
}
