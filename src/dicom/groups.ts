/**
 * Many images at once (a folder a PACS exported, or a DICOMDIR): grouped into stereo
 * sets as a PACS administrator would expect (docs/dicom.md):
 *  - one set per study, series and exposure, the exposure being the kind in Image Type
 *    value 3 (STEREO_SCOUT, STEREO_PLUS and STEREO_MINUS are one STEREO exposure;
 *    PREFIRE_* and POSTFIRE_* are others);
 *  - sets of the same study and exposure that share a Target UID are one set (consoles
 *    store the scout in a series of its own, its marks paired with the stereo views').
 * Bytes in, no file system: the CLI walks folders and reads DICOMDIRs' file IDs.
 */
import { StereotaxError } from '../core/errors.js';
import type { DataSet } from './parse.js';
import { parseHeaders, type DicomFile, type StereoImage } from './read.js';

export interface StereoGroup {
  studyInstanceUid: string | null;
  /** The series of the set's files, in order of first appearance. */
  seriesInstanceUids: (string | null)[];
  /** The kind of exposure: Image Type value 3 up to its last "_" (STEREO, PREFIRE, POSTFIRE, ...), or the whole value; "" when absent. */
  exposure: string;
  /** The images, in the order given. */
  images: StereoImage[];
}

/** STEREO_PLUS -> STEREO, PREFIRE_MINUS -> PREFIRE, LOCALIZER -> LOCALIZER. */
export function exposureOf(role: string | undefined): string {
  if (!role) return '';
  const cut = role.lastIndexOf('_');
  return cut > 0 ? role.slice(0, cut) : role;
}

/** Groups images into stereo sets (see the module's comment); sets in order of their first image. */
export function groupStereoSets(images: readonly StereoImage[]): StereoGroup[] {
  const key = (img: StereoImage) => JSON.stringify([img.identity.studyInstanceUid ?? null, img.identity.seriesInstanceUid ?? null, exposureOf(img.role)]);
  // Union-find over the study/series/exposure groups: joined when they share a Target UID.
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let r = k;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(k, r);
    return r;
  };
  for (const img of images) if (!parent.has(key(img))) parent.set(key(img), key(img));
  const byTarget = new Map<string, string>();
  for (const img of images) {
    const [study, , exposure] = JSON.parse(key(img)) as [string | null, string | null, string];
    for (const t of img.targets ?? []) {
      const tk = JSON.stringify([study, exposure, t.uid]);
      const other = byTarget.get(tk);
      if (other === undefined) byTarget.set(tk, key(img));
      else {
        const a = find(other);
        const b = find(key(img));
        if (a !== b) parent.set(b, a);
      }
    }
  }
  const groups = new Map<string, StereoGroup>();
  for (const img of images) {
    const root = find(key(img));
    let g = groups.get(root);
    if (!g) {
      groups.set(root, (g = { studyInstanceUid: img.identity.studyInstanceUid ?? null, seriesInstanceUids: [], exposure: exposureOf(img.role), images: [] }));
    }
    const series = img.identity.seriesInstanceUid ?? null;
    if (!g.seriesInstanceUids.includes(series)) g.seriesInstanceUids.push(series);
    g.images.push({ ...img, index: g.images.length });
  }
  return [...groups.values()];
}

const TAG = { DirectoryRecordSequence: 'x00041220', ReferencedFileID: 'x00041500' };

/**
 * The files a DICOMDIR (PS3.10 8, PS3.3 F.5) references, as path components relative to
 * the DICOMDIR's folder, in the order of its records. Every record with a Referenced
 * File ID counts (IMAGE records, and the private or newer kinds a PACS writes); records
 * of the same file once. Throws StereotaxError naming the file when it is not a DICOMDIR.
 */
export function dicomDirFiles(f: DicomFile): string[][] {
  const ds: DataSet = parseHeaders(f, 0);
  const seq = ds.elements[TAG.DirectoryRecordSequence];
  if (!seq?.items) {
    throw new StereotaxError([{ code: 'missing_field', path: 'files[0]', expected: 'a DICOMDIR (a Directory Record Sequence (0004,1220))', received: 'nothing',
      message: `${f.name}: (0004,1220) DirectoryRecordSequence missing: not a DICOMDIR` }]);
  }
  const seen = new Set<string>();
  const out: string[][] = [];
  seq.items.forEach((rec, k) => {
    const id = rec.string(TAG.ReferencedFileID);
    if (!id) return;
    const parts = id.split('\\').map((p) => p.trim()).filter(Boolean);
    // File IDs are at most 8 components of uppercase letters, digits and _ (PS3.10 8.5); a component
    // that could leave the folder is refused rather than followed.
    if (!parts.length || parts.some((p) => p === '.' || p === '..' || /[/:]/.test(p))) {
      throw new StereotaxError([{ code: 'invalid_value', path: `files[0].DirectoryRecordSequence[${k}].ReferencedFileID`, expected: 'a relative file ID (components of A-Z, 0-9, _)', received: JSON.stringify(id),
        message: `${f.name}: (0004,1500) ReferencedFileID ${JSON.stringify(id)} of record ${k + 1} is not a relative file ID` }]);
    }
    const key = parts.join('/');
    if (seen.has(key)) return;
    seen.add(key);
    out.push(parts);
  });
  return out;
}
