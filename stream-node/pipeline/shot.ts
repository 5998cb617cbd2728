/**
 * What a track keeps of its best shot until it is published: the face's neighbourhood, not the
 * frame. A 960x540 frame is 1.5 MB; a track holds its best shot for up to the publish period, and a
 * crowded camera has a track per face, each possibly from another frame. The region kept is the
 * face box grown by `margin` of its size on every side, which covers everything publishing reads:
 * the aligned 112x112 warp (about the box itself) and the JPEG crop (box + 30%).
 */
import type { DetectedFace, RawFrame } from '../../core/face/index.ts';
import type { Frame } from '../ingest/ffmpeg-source.ts';
import { cropFrame, shift } from './tiles.ts';

export const SHOT_MARGIN = 0.6;

export interface Shot {
  /** the region around the face, RGB24 */
  image: RawFrame;
  /** the face in `image`'s pixels */
  face: DetectedFace;
  /** the face's box in the camera's own pixels (what the bus carries) */
  cameraBox: DetectedFace['box'];
}

export function takeShot(frame: Pick<Frame, 'data' | 'width' | 'height' | 'sourceWidth' | 'sourceHeight'>, face: DetectedFace, margin = SHOT_MARGIN): Shot {
  const { x, y, width, height } = face.box;
  const left = Math.min(frame.width - 1, Math.max(0, Math.floor(x - width * margin)));
  const top = Math.min(frame.height - 1, Math.max(0, Math.floor(y - height * margin)));
  const right = Math.min(frame.width, Math.ceil(x + width * (1 + margin)));
  const bottom = Math.min(frame.height, Math.ceil(y + height * (1 + margin)));
  const sx = frame.sourceWidth / frame.width, sy = frame.sourceHeight / frame.height;
  const rect = { x: left, y: top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) };
  return {
    image: cropFrame(frame, rect),
    face: shift(face, -left, -top),
    cameraBox: { x: x * sx, y: y * sy, width: width * sx, height: height * sy },
  };
}
