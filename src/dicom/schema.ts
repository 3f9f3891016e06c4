/** The unit profile (dicom.md section 2) as JSON Schema, with the ranges of profile.ts. */
import { enumOf, length, obj, ref, str, type JsonSchema, type SchemaDocument } from '../core/schema-kit.js';
import { TARGETING_DEFS } from '../targeting/schema.js';

export const UNIT_PROFILE_DEFS: Record<string, JsonSchema> = {
  pixelSpacing: TARGETING_DEFS.pixelSpacing,
  pixel: TARGETING_DEFS.pixel,
  device: TARGETING_DEFS.device,
  lateralSetup: TARGETING_DEFS.lateralSetup,
  needle: TARGETING_DEFS.needle,
  profile: obj({
    id: str(),
    rotationAxisHeight: length({ min: -2000, max: 2000 }, 'z of the tube\'s rotation axis (targeting.md section 2)'),
    angleSign: enumOf([1, -1], 'turns Positioner Primary Angle (0018,1510) into the frame\'s angle (positive: source on the +x side)'),
    detector: obj({
      origin: ref('pixel'),
      colAxis: enumOf(['+x', '-x'], 'default "+x"'),
      rowAxis: enumOf(['+y', '-y'], 'default "+y"'),
    }, ['origin'], 'origin: the Localizing Cursor Position (column, row) under the frame\'s origin'),
    sourceToDetector: length({ min: 100, max: 2000 }, 'overrides (0018,1110)'),
    sourceToSupport: length({ min: 50, max: 2000 }, 'overrides (0018,1111)'),
    pixelSpacing: ref('pixelSpacing'),
    imageSigma: length({ min: 0, max: 10 }, 'passed to every targeting request'),
    maxRayGap: length({ above: 0, max: 100 }, 'passed to every targeting request'),
    needle: ref('needle'),
    consoleTolerance: length({ min: 0, max: 100 }, 'largest |console - ours| on any axis before the error console_disagrees (default 0.1)'),
  }, ['rotationAxisHeight', 'angleSign', 'detector']),
};

export const UNIT_PROFILE_SCHEMA: SchemaDocument = {
  name: 'unit-profile',
  title: 'stereotax unit profile (stereotax dicom --unit)',
  description: 'What DICOM does not carry about a stereotactic unit (dicom.md section 2). Checked by the engine only: the needle rules of targeting-request; the geometry built with the headers must pass the targeting checks; unit strings converted and held to the same ranges.',
  root: ref('profile'),
  defs: UNIT_PROFILE_DEFS,
};
