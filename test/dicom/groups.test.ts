// groupStereoSets on headers alone: study, series and exposure; sets sharing a Target UID joined
// only within one study and exposure.
import { describe, expect, it } from 'vitest';
import { exposureOf, groupStereoSets } from '../../src/dicom/groups.js';
import type { StereoImage } from '../../src/dicom/read.js';

const img = (name: string, study: string | undefined, series: string | undefined, role: string | undefined, uids: string[]): StereoImage => ({
  name, index: 0, transferSyntax: '1.2.840.10008.1.2.1', role, identity: { studyInstanceUid: study, seriesInstanceUid: series },
  targets: uids.map((uid, item) => ({ uid, col: 0, row: 0, item })),
});

describe('grouping views into stereo sets', () => {
  it('exposure: Image Type value 3 up to its last underscore', () => {
    expect(['STEREO_SCOUT', 'STEREO_PLUS', 'PREFIRE_MINUS', 'POST_FIRE_PLUS', 'LOCALIZER', '_X', undefined].map(exposureOf))
      .toEqual(['STEREO', 'STEREO', 'PREFIRE', 'POST_FIRE', 'LOCALIZER', '_X', '']);
  });

  it('a scout in its own series joins the pair it shares a target with; pre-fire, another study and an unshared series stay apart', () => {
    const groups = groupStereoSets([
      img('scout', 'S1', 'A', 'STEREO_SCOUT', ['t1']),
      img('plus', 'S1', 'B', 'STEREO_PLUS', ['t1', 't2']),
      img('minus', 'S1', 'B', 'STEREO_MINUS', ['t2']),
      img('pre+', 'S1', 'B', 'PREFIRE_PLUS', ['t1']),
      img('pre-', 'S1', 'B', 'PREFIRE_MINUS', ['t1']),
      img('other study', 'S2', 'A', 'STEREO_PLUS', ['t1']),
      img('lone series', 'S1', 'C', 'STEREO_PLUS', ['t9']),
      img('no ids', undefined, undefined, undefined, ['t1']),
    ]);
    expect(groups.map((g) => [g.studyInstanceUid, g.seriesInstanceUids, g.exposure, g.images.map((i) => i.name)])).toEqual([
      ['S1', ['A', 'B'], 'STEREO', ['scout', 'plus', 'minus']],
      ['S1', ['B'], 'PREFIRE', ['pre+', 'pre-']],
      ['S2', ['A'], 'STEREO', ['other study']],
      ['S1', ['C'], 'STEREO', ['lone series']],
      [null, [null], '', ['no ids']],
    ]);
    // Each set's images are numbered from 0, the paths of its messages.
    expect(groups[0].images.map((i) => i.index)).toEqual([0, 1, 2]);
  });
});
