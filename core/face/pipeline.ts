import ort from 'onnxruntime-node';
import { AppError } from '../errors.ts';
import { alignFace } from './align.ts';
import { DETECTOR_ALIGN, DETECTOR_SIZE, decodeProposals, detectorShape, detectorTensor, nms, regionShape, toOriginal, type DetectorOutputs } from './detect.ts';
import { embedAligned } from './embed.ts';
import type { Sessions } from './models.ts';
import { combine, laplacianVariance, qualityParts, type QualityParts } from './quality.ts';
import { fitSize, fitWithin, regionWithin } from './resize.ts';
import { faceSignature } from './signature.ts';
import { SpareBuffers } from '../spare-buffers.ts';
import type { Box, DetectedFace, EmbeddedFace, Landmarks, Rgb } from './types.ts';

/**
 * The synchronous-compute half of the engine: everything here blocks its thread (onnxruntime-node
 * runs sessions on the calling thread), so it is only ever called inside the inference worker.
 */

/** Detector confidence below which a candidate is dropped. */
export const DETECT_THRESHOLD = 0.6;

export type ScoredFace = DetectedFace & { parts: QualityParts; signature: Float32Array };

/**
 * Detect on a copy downscaled to fit 640x640 (speed), padded only up to its own aspect rounded to 32 px
 * (a 16:9 frame runs at 640x384), and report everything in full-resolution pixels. With `region`, only
 * that part of the image is detected, at the same scale (a face is the same size to the detector), on
 * an input of the part's own size: the stream node's motion regions. Quality and signature are taken
 * from the whole image either way.
 */
export async function detectFaces(s: Sessions, img: Rgb, threshold = DETECT_THRESHOLD, region?: Box): Promise<ScoredFace[]> {
  const part = region ? await regionWithin(img, region, DETECTOR_SIZE, DETECTOR_ALIGN) : { ...(await fitWithin(img, DETECTOR_SIZE)), offset: undefined };
  if (!part) return [];
  const { img: small, scale, offset } = part;
  const fit = fitSize(img, DETECTOR_SIZE);
  const whole = detectorShape(fit.width, fit.height);
  const shape = region ? regionShape(small.width, small.height) : whole;
  // A region's input is never larger than the whole image's, and its size changes from frame to
  // frame: it takes the front of a buffer of the whole image's size, so one length is kept.
  const buffer = spareInputs.take(3 * whole.width * whole.height);
  const input = new ort.Tensor('float32', detectorTensor(small, shape, buffer.subarray(0, 3 * shape.width * shape.height)), [1, 3, shape.height, shape.width]);
  let out: DetectorOutputs;
  try {
    out = (await s.detector.run({ [s.detector.inputNames[0]]: input })) as unknown as DetectorOutputs;
  } finally {
    spareInputs.give(buffer);
  }
  return nms(decodeProposals(out, threshold))
    .map((d) => toOriginal(d, scale, img.width, img.height, offset))
    .filter((d) => d.box.width >= 1 && d.box.height >= 1)
    .map((d) => {
      // Sharpness is measured on the aligned crop so it is comparable across face sizes and rolls;
      // the same crop gives the tracker its cheap appearance signature.
      const aligned = alignFace(img, d.landmarks);
      const parts = qualityParts(d.box, d.score, d.landmarks, laplacianVariance(aligned));
      return { ...d, quality: combine(parts), parts, signature: faceSignature(aligned) };
    });
}

/**
 * Detector input tensors, kept between runs (core/spare-buffers.ts). Taken for one run and given
 * back after it: requests interleave in the worker while they await sharp.
 */
const spareInputs = new SpareBuffers((n) => new Float32Array(n), { perLength: 2, lengths: 1 });

export async function embedFace(s: Sessions, img: Rgb, landmarks: Landmarks): Promise<Float32Array> {
  return embedAligned(s.embedder, ort.Tensor, alignFace(img, landmarks));
}

export type EnrolRules = {
  /** Shortest box side in pixels an enrolment face must have. */
  minFaceSize: number;
  /** A second face at least this fraction of the largest face's size makes the photo ambiguous. */
  secondFaceRatio: number;
  minSharpness: number;
  /** Floor for detector confidence x pose. */
  minPoseScore: number;
};

export const ENROL_RULES: EnrolRules = { minFaceSize: 40, secondFaceRatio: 0.6, minSharpness: 0.25, minPoseScore: 0.3 };

/**
 * 1:1 comparison asks "are these the same person?" of whatever photo it is given: it still needs one
 * unambiguous face, but a small, soft or turned face gives a (lower-confidence) score rather than a
 * refusal — the quality gate exists to keep bad photos out of libraries, not out of comparisons.
 */
export const COMPARE_RULES: EnrolRules = { minFaceSize: 0, secondFaceRatio: 0.6, minSharpness: 0, minPoseScore: 0 };

const side = (f: DetectedFace) => Math.sqrt(f.box.width * f.box.height);

/** The one face an enrolment photo is about, or the reason there is none. */
export function pickEnrolFace(faces: ScoredFace[], rules: EnrolRules = ENROL_RULES): ScoredFace {
  if (faces.length === 0) throw new AppError('NO_FACE');
  const sorted = [...faces].sort((a, b) => side(b) - side(a));
  const main = sorted[0];
  const rival = sorted.slice(1).find((f) => side(f) >= rules.secondFaceRatio * side(main) && f.score >= 0.8);
  if (rival) throw new AppError('MULTIPLE_FACES', `found ${sorted.length} faces; a second face is ${Math.round((100 * side(rival)) / side(main))}% the size of the largest`);
  const minSide = Math.min(main.box.width, main.box.height);
  if (minSide < rules.minFaceSize) throw new AppError('FACE_TOO_SMALL', `face is ${Math.round(minSide)} px; at least ${rules.minFaceSize} px is needed`);
  if (main.parts.sharpness < rules.minSharpness) throw new AppError('FACE_TOO_BLURRY', `face sharpness ${main.parts.sharpness.toFixed(2)} is below ${rules.minSharpness}`);
  if (main.parts.pose * main.parts.score < rules.minPoseScore) throw new AppError('FACE_POOR_QUALITY', `pose ${main.parts.pose.toFixed(2)} x confidence ${main.parts.score.toFixed(2)} is below ${rules.minPoseScore}`);
  return main;
}

export function publicFace(f: ScoredFace): DetectedFace {
  return { box: f.box, score: f.score, landmarks: f.landmarks, quality: f.quality };
}

export async function enrolFace(s: Sessions, img: Rgb, rules: EnrolRules = ENROL_RULES): Promise<EmbeddedFace> {
  const face = pickEnrolFace(await detectFaces(s, img), rules);
  return { ...publicFace(face), embedding: await embedFace(s, img, face.landmarks) };
}

export async function analyzeFaces(s: Sessions, img: Rgb, minQuality = 0): Promise<EmbeddedFace[]> {
  const faces = (await detectFaces(s, img)).filter((f) => f.quality >= minQuality);
  const out: EmbeddedFace[] = [];
  for (const f of faces) out.push({ ...publicFace(f), embedding: await embedFace(s, img, f.landmarks) });
  return out;
}
