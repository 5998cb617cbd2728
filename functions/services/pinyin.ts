/** Hanyu Pinyin of a name, toneless, syllables separated by spaces: 张三 → "zhang san"; Latin names unchanged. */
import { pinyin } from 'pinyin-pro';

const HAN = /\p{Script=Han}/u;

export function nameToPinyin(name: string): string {
  if (!HAN.test(name)) return name;
  const parts = pinyin(name, { toneType: 'none', type: 'array', nonZh: 'consecutive', v: false });
  return parts.map((p) => p.trim()).filter(Boolean).join(' ').replace(/\s+/g, ' ');
}
