/** Phantom QA from the images themselves (qa-images.md): browser-safe parts (the codecs come from a provider). */
export { qaFromImages, analyseImages, analyseDecoded, imagesPassed, type QAImagesOptions, type QAImagesResult, type QAImagesAnalysis, type ImageBead, type ImageMark } from './result.js';
export { decodeImage, TRANSFER_SYNTAXES, CODEC_OF, type Codecs, type CodecName, type DecodedFrame, type ImageFile } from './decode.js';
export { detectBeads, refine, noiseSigma, type Brightness, type Detection, type DetectOptions } from './detect.js';
export { correspond, MAX_TILT, type Assignment, type CorrespondResult, type ViewMarks } from './correspond.js';
export { calibrate, MIN_CALIBRATION_BEADS, COPLANAR_SPREAD, type Calibration, type Estimate } from './calibrate.js';
export { checkBeadPhantom, BEAD_DIAMETER, type BeadPhantom } from './phantom.js';
export { runDecoder } from './run-decoder.js';
export { qaImagesText } from './text.js';
