/**
 * The DICOM attributes a stereo set is read from (PS3.3; spec dicom.md section 1),
 * as keys xGGGGEEEE (lower case) with their number and keyword for messages.
 */
export const TAGS = {
  MediaStorageSOPClassUID: 'x00020002',
  MediaStorageSOPInstanceUID: 'x00020003',
  TransferSyntaxUID: 'x00020010',
  SpecificCharacterSet: 'x00080005',
  ImageType: 'x00080008',
  // Identity: copied into the second opinion's Structured Report (dicom.md section 4).
  SOPClassUID: 'x00080016',
  SOPInstanceUID: 'x00080018',
  StudyDate: 'x00080020',
  StudyTime: 'x00080030',
  AccessionNumber: 'x00080050',
  ReferringPhysicianName: 'x00080090',
  PatientName: 'x00100010',
  PatientID: 'x00100020',
  PatientBirthDate: 'x00100030',
  PatientSex: 'x00100040',
  StudyInstanceUID: 'x0020000d',
  SeriesInstanceUID: 'x0020000e',
  StudyID: 'x00200010',
  DistanceSourceToDetector: 'x00181110',
  DistanceSourceToPatient: 'x00181111',
  ImagerPixelSpacing: 'x00181164',
  BodyPartThickness: 'x001811a0',
  PositionerPrimaryAngle: 'x00181510',
  BiopsyTargetSequence: 'x00182041',
  TargetUID: 'x00182042',
  LocalizingCursorPosition: 'x00182043',
  CalculatedTargetPosition: 'x00182044',
  TargetLabel: 'x00182045',
  PixelSpacing: 'x00280030',
  PixelData: 'x7fe00010',
  // Breast Tomosynthesis Image: multi-frame functional groups.
  NumberOfFrames: 'x00280008',
  SharedFunctionalGroupsSequence: 'x52009229',
  PerFrameFunctionalGroupsSequence: 'x52009230',
  PlanePositionSequence: 'x00209113',
  ImagePositionPatient: 'x00200032',
  PlaneOrientationSequence: 'x00209116',
  ImageOrientationPatient: 'x00200037',
  PixelMeasuresSequence: 'x00289110',
  SliceThickness: 'x00180050',
  // Enhanced multi-frame projections (Breast Projection X-Ray, PS3.3 C.8.x functional group macros).
  PositionerPositionSequence: 'x00189405',
  XRayGeometrySequence: 'x00189476',
  ReferencedFrameNumber: 'x00081160',
} as const;

export type Keyword = keyof typeof TAGS;

/** "(0018,1110) DistanceSourceToDetector" */
export function tagName(keyword: Keyword): string {
  return `${tagNumber(TAGS[keyword])} ${keyword}`;
}

/** "x00181110" -> "(0018,1110)" */
export function tagNumber(key: string): string {
  const h = key.slice(1).toUpperCase();
  return `(${h.slice(0, 4)},${h.slice(4)})`;
}

/** The keyword of a key xGGGGEEEE, when it is one this module reads. */
export function keywordOf(key: string): Keyword | undefined {
  return (Object.keys(TAGS) as Keyword[]).find((k) => TAGS[k] === key);
}

export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** Transfer syntaxes whose header is not explicit or implicit VR little endian. */
export const UNSUPPORTED_TRANSFER_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
};
