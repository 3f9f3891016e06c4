/**
 * "Load a DICOM stereo set": the files' bytes and a unit profile go to the library's
 * DICOM reader (spec dicom.md), which returns one targeting result per Target UID with
 * the console's stored target beside it. Nothing is read but the headers; nothing
 * leaves the page.
 */
import * as stereotax from 'stereotax';
import type { Engine, TargetingResult, Vec3 } from 'stereotax';

/** One element of the reader's answer (spec dicom.md section 3). */
export type DicomElement =
  | (TargetingResult & { dicom: { targetUid: string; label: string | null; files: string[]; console: Vec3 | null; consoleDifference: Vec3 | null } })
  | { error: { code: string; message: string; path: string; expected: string; received: string }; dicom: { targetUid: string; label: string | null; files: string[] } };

type DicomTargetsWith = (engine: Engine, files: readonly { name: string; bytes: Uint8Array }[], profile: unknown) => DicomElement[];

/** The reader, when this build of the library has it. */
export function dicomReader(): DicomTargetsWith | undefined {
  const f = (stereotax as Record<string, unknown>).dicomTargetsWith;
  return typeof f === 'function' ? (f as DicomTargetsWith) : undefined;
}

/** The unit profile of the spec's example: typical unit, 0.1 mm pixels, the frame's origin at column 1024 of row 0. */
export const EXAMPLE_PROFILE = {
  id: 'prone-table-2',
  rotationAxisHeight: -20,
  angleSign: 1,
  detector: { origin: { col: 1024, row: 0 }, colAxis: '+x', rowAxis: '+y' },
  imageSigma: 0.1,
};

export async function readFiles(list: FileList | null): Promise<{ name: string; bytes: Uint8Array }[]> {
  return Promise.all(Array.from(list ?? []).map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
}
