/**
 * Test pictures made from the face-api demo photos (a dev dependency): single faces cropped with a
 * margin, the same face re-encoded smaller and brighter, a group photo, a tiny face, a blurred face,
 * a blank image. Built with sharp once per test file.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp, { type Sharp } from 'sharp';

const demoDir = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
const sample = (i: number) => readFileSync(join(demoDir, `sample${i}.jpg`));

type Box = [x: number, y: number, w: number, h: number];
async function crop(i: number, [x, y, w, h]: Box, margin = 0.6): Promise<Sharp> {
  const meta = await sharp(sample(i)).metadata();
  const left = Math.max(0, Math.round(x - w * margin));
  const top = Math.max(0, Math.round(y - h * margin));
  const width = Math.min(meta.width! - left, Math.round(w * (1 + 2 * margin)));
  const height = Math.min(meta.height! - top, Math.round(h * (1 + 2 * margin)));
  return sharp(sample(i)).extract({ left, top, width, height });
}

// face boxes found by the detector in the demo photos
const ALICE: [number, Box] = [6, [1166, 319, 218, 280]];
const BOB: [number, Box] = [1, [1463, 227, 226, 207]];
const CAROL: [number, Box] = [4, [1253, 161, 186, 243]];
/** two more people, unlike alice, bob and carol (similarity under 0.45 to each): strangers in scenes */
const DAN: [number, Box] = [3, [585, 331, 206, 274]];
const ERIN: [number, Box] = [6, [1460, 275, 227, 287]];
/** a face turned away: detected, but its pose is too poor to enrol */
const PROFILE: [number, Box] = [2, [363, 140, 179, 283]];

export type Fixtures = Awaited<ReturnType<typeof makeFixtures>>;

export async function makeFixtures() {
  const jpeg = (s: Sharp) => s.jpeg({ quality: 90 }).toBuffer();
  return {
    alice: await jpeg(await crop(...ALICE)),
    /** the same face, smaller, brighter, recompressed: should match alice */
    alice2: await (await crop(ALICE[0], ALICE[1], 0.4)).resize(300).modulate({ brightness: 1.15 }).jpeg({ quality: 70 }).toBuffer(),
    bob: await jpeg(await crop(...BOB)),
    bobPng: await (await crop(...BOB)).png().toBuffer(),
    carol: await jpeg(await crop(...CAROL)),
    dan: await jpeg(await crop(...DAN)),
    erin: await jpeg(await crop(...ERIN)),
    profile: await jpeg(await crop(...PROFILE)),
    group: sample(6),
    tiny: await jpeg((await crop(...ALICE)).resize(60)),
    blurred: await jpeg((await crop(...ALICE)).blur(8)),
    blank: await sharp({ create: { width: 300, height: 300, channels: 3, background: '#808080' } }).png().toBuffer(),
    /** alice with EXIF orientation 6 (rotate 90° on display) */
    aliceExif: await (await crop(...ALICE)).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 90 }).toBuffer(),
  };
}
