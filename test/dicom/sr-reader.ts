/**
 * Reads a Structured Report back with dicom-parser (a reader independent of dcmjs, which
 * wrote it) into plain objects: the attributes the spec names and the content tree.
 */
import * as dicomParserModule from 'dicom-parser';
import type { DataSet } from 'dicom-parser';

const dicomParser = ((dicomParserModule as unknown as { default?: typeof dicomParserModule }).default ?? dicomParserModule) as typeof dicomParserModule;

export interface CodeRead { value: string; scheme: string; meaning: string }
export interface ContentRead {
  relationship?: string;
  valueType: string;
  concept: CodeRead;
  text?: string;
  /** NUM: the value as stored (DS) and its unit code. */
  numeric?: string;
  unit?: CodeRead;
  continuity?: string;
  children: ContentRead[];
}

export interface SrRead {
  bytes: Uint8Array;
  ds: DataSet;
  /** Attribute text by keyword-like tag key (xGGGGEEEE), decoded as UTF-8. */
  str(tag: string): string | undefined;
  vr(tag: string): string | undefined;
  root: ContentRead;
  evidence: { study: string; series: { uid: string; sops: { cls: string; instance: string }[] }[] }[];
}

const utf8 = new TextDecoder('utf-8');

function strOf(ds: DataSet, tag: string): string | undefined {
  const el = ds.elements[tag];
  if (!el) return undefined;
  return utf8.decode(ds.byteArray.subarray(el.dataOffset, el.dataOffset + el.length)).replace(/[\0 ]+$/, '');
}

function codeOf(ds: DataSet | undefined, tag: string): CodeRead {
  const it = ds?.elements[tag]?.items?.[0]?.dataSet;
  if (!it) throw new Error(`no code in ${tag}`);
  return { value: strOf(it, 'x00080100')!, scheme: strOf(it, 'x00080102')!, meaning: strOf(it, 'x00080104')! };
}

function contentOf(ds: DataSet): ContentRead {
  const out: ContentRead = {
    relationship: strOf(ds, 'x0040a010'),
    valueType: strOf(ds, 'x0040a040')!,
    concept: codeOf(ds, 'x0040a043'),
    continuity: strOf(ds, 'x0040a050'),
    children: (ds.elements.x0040a730?.items ?? []).map((i) => contentOf(i.dataSet!)),
  };
  if (out.valueType === 'TEXT') out.text = strOf(ds, 'x0040a160');
  if (out.valueType === 'NUM') {
    const mv = ds.elements.x0040a300?.items?.[0]?.dataSet;
    out.numeric = mv && strOf(mv, 'x0040a30a');
    out.unit = codeOf(mv, 'x004008ea');
  }
  return out;
}

export function readSr(bytes: Uint8Array): SrRead {
  const ds = dicomParser.parseDicom(bytes);
  const evidence = (ds.elements.x0040a375?.items ?? []).map((st) => ({
    study: strOf(st.dataSet!, 'x0020000d')!,
    series: (st.dataSet!.elements.x00081115?.items ?? []).map((se) => ({
      uid: strOf(se.dataSet!, 'x0020000e')!,
      sops: (se.dataSet!.elements.x00081199?.items ?? []).map((sop) => ({ cls: strOf(sop.dataSet!, 'x00081150')!, instance: strOf(sop.dataSet!, 'x00081155')! })),
    })),
  }));
  return { bytes, ds, str: (t) => strOf(ds, t), vr: (t) => ds.elements[t]?.vr, root: contentOf(ds), evidence };
}
