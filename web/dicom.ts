/**
 * "Load a DICOM stereo set": the files' bytes and a unit profile go to the library's
 * DICOM reader (spec dicom.md), which returns one targeting result per Target UID with
 * the console's stored target beside it (the page calls `dicomTargetsWith`). Nothing
 * is read but the headers; nothing leaves the page.
 */

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
