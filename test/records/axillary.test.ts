// Targeted axillary dissection: the localization plan's checks at, inside and outside
// each limit (detection depth, node radius, distance from the clip, dwell), and the
// reconciliation at surgery against the facts it cites.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { axillary, decayedActivity, type AxillaryResult } from '../../src/index.js';
import { runCli } from '../helpers/fake-io.js';
import { refusedWith } from '../helpers/refusal.js';

const facts = readFileSync(new URL('../fixtures/domain-facts.md', import.meta.url), 'utf8');
const seed = readFileSync(new URL('../fixtures/seeds/acr-practice-parameter-preoperative-localization.txt', import.meta.url), 'utf8');
const codes = (r: AxillaryResult) => r.findings.map((f) => f.code);
const plan = (p: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  axillary({ laterality: 'left', plan: { clip: [0, 0, 0], device: 'magnetic-seed', position: [3, 4, 0], depthFromSkin: 25, ...p }, ...extra });
const reconcile = (q: Record<string, unknown>) => axillary({
  laterality: 'right',
  reconcile: { clipRetrieved: true, devices: [{ device: 'magnetic-seed', retrieved: true }], sentinelNodes: [{ label: 'SLN1', containsClip: true }], specimenImaged: true, ...q },
});

describe('[API-040] plan', () => {
  it('distance from the clip, in the node or not', () => {
    const r = plan({ node: { center: [0, 0, 0], radius: 5 } });
    expect(r.plan).toMatchObject({ distanceFromClip: 5, distanceFromNodeCenter: 5, deviceInNode: true, detectionDepthLimit: 40 });
    expect(codes(r)).toEqual(['clip_to_device']);
    expect(codes(plan({ node: { center: [0, 0, 0], radius: 4.999 } }))).toContain('device_outside_node');
    expect(plan({ node: { center: [0, 0, 0] } }).plan!.deviceInNode).toBeNull();
  });

  it('depth against the catalog\'s detection limit: at the limit passes, beyond is an error', () => {
    expect(codes(plan({ depthFromSkin: 40 }))).not.toContain('device_beyond_detection_limit');
    const deep = plan({ depthFromSkin: 40.001 });
    expect(deep.findings.find((f) => f.code === 'device_beyond_detection_limit')).toMatchObject({ severity: 'error', limit: 40 });
    expect(codes(plan({ device: 'rfid-tag-pencil', depthFromSkin: 30.5 }))).toContain('device_beyond_detection_limit');
    expect(codes(plan({ device: 'hook-wire', depthFromSkin: 90 }))).not.toContain('device_beyond_detection_limit');
  });

  it('your protocol\'s distance from the clip: equal passes, beyond is an error', () => {
    expect(codes(plan({ maxDistanceFromClip: 5 }))).not.toContain('device_far_from_clip');
    expect(codes(plan({ maxDistanceFromClip: 4.999 }))).toContain('device_far_from_clip');
  });

  it('dates: wire on the day, RFID within 30 days, I-125 activity on the day of surgery', () => {
    expect(codes(plan({ device: 'hook-wire', placementDate: '2026-11-23', surgeryDate: '2026-11-23' }))).not.toContain('wire_not_same_day');
    expect(codes(plan({ device: 'hook-wire', placementDate: '2026-11-22', surgeryDate: '2026-11-23' }))).toContain('wire_not_same_day');
    expect(codes(plan({ device: 'rfid-tag', placementDate: '2026-10-24', surgeryDate: '2026-11-23' }))).not.toContain('dwell_too_long');
    expect(codes(plan({ device: 'rfid-tag', placementDate: '2026-10-23', surgeryDate: '2026-11-23' }))).toContain('dwell_too_long');
    const seedPlan = plan({ device: 'i125-seed', placementDate: '2026-11-01', surgeryDate: '2026-11-23', assay: { activityMBq: 3.7, date: '2026-10-31' } });
    expect(seedPlan.plan!.activityOnSurgeryDayMBq).toBeCloseTo(3.7 * 2 ** (-23 / 59.4), 12);
    expect(seedPlan.plan!.activityOnSurgeryDayMBq).toBe(decayedActivity(3.7, 23, 59.4));
  });

  it('MRI guidance checks the device against the catalog', () => {
    expect(codes(plan({ guidance: 'mri', device: 'i125-seed' }))).toContain('device_not_mri_compatible');
    expect(codes(plan({ guidance: 'mri' }))).toContain('device_mri_unknown');
    expect(codes(plan({ guidance: 'mri', device: 'hook-wire' }))).not.toContain('device_mri_unknown');
  });
});

describe('[API-040] reconciliation', () => {
  it('everything retrieved and imaged, clipped node among the sentinel nodes: complete, FNR 6.8 %', () => {
    const r = reconcile({});
    expect(r.reconcile).toMatchObject({ complete: true, clipInSentinelNode: true, sentinelNodeCount: 1, devicesRetrieved: 1, devicesPlaced: 1 });
    expect(r.reconcile!.falseNegativeContext).toMatchObject({ percent: 6.8 });
    expect(codes(r)).toEqual(['clipped_node_is_sentinel']);
  });

  it('clipped node not a sentinel node: FNR 19.0 % alone, TAD below 5 %', () => {
    const r = reconcile({ sentinelNodes: [{ label: 'SLN1' }, { label: 'SLN2', containsDevice: false }] });
    expect(r.reconcile!.falseNegativeContext).toMatchObject({ percent: 19 });
    expect(r.findings[0].message).toMatch(/below 5 %/);
  });

  it('the rates and facts are those of the sources', () => {
    expect(facts).toMatch(/false-negative rate 6\.8 % when the clipped node was\s+among the sentinel nodes, 19\.0 % otherwise/);
    expect(seed).toMatch(/false-negative rate for axillary staging below 5%/);
    expect(seed).toMatch(/A lost radioactive seed is a\s+reportable medical event/);
  });

  it('missing clip, lost device (a lost I-125 seed is reportable), no imaging, no sentinel node', () => {
    const r = axillary({ laterality: 'left', reconcile: { clipRetrieved: false, devices: [{ device: 'i125-seed', retrieved: false }, { device: 'magnetic-seed', retrieved: true }], sentinelNodes: [], specimenImaged: false } });
    expect(codes(r)).toEqual(['clip_not_retrieved', 'device_not_retrieved', 'specimen_not_imaged', 'no_sentinel_node']);
    expect(r.findings[1]).toMatchObject({ path: 'reconcile.devices[0].retrieved', severity: 'error' });
    expect(r.findings[1].message).toMatch(/reportable/);
    expect(r.reconcile).toMatchObject({ complete: false, devicesRetrieved: 1, devicesPlaced: 2, falseNegativeContext: null });
    expect(codes(reconcile({ clipOnSpecimenImage: false }))).toContain('clip_not_seen_on_specimen_image');
  });

  it('plan and reconciliation together; exit codes through the CLI', async () => {
    const both = { laterality: 'left', plan: { clip: [0, 0, 0], device: 'magnetic-seed', position: [1, 0, 0], depthFromSkin: 20 },
      reconcile: { clipRetrieved: true, devices: [{ device: 'magnetic-seed', retrieved: true }], sentinelNodes: [{ containsClip: true }], specimenImaged: true } };
    const ok = await runCli(['axillary', '-'], JSON.stringify(both));
    expect(ok.code).toBe(0);
    const out = JSON.parse(ok.out);
    expect(out.plan.distanceFromClip).toBe(1);
    expect(out.reconcile.complete).toBe(true);
    const lost = await runCli(['axillary', '-'], JSON.stringify({ ...both, reconcile: { ...both.reconcile, clipRetrieved: false, sentinelNodes: [] } }));
    expect(lost.code).toBe(3);
    const text = await runCli(['axillary', '-', '--text'], JSON.stringify(both));
    expect(text.out).toContain('complete');
  });

  it('bad input names the field', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ laterality: 'left' }, 'plan'],
      [{ laterality: 'up', plan: {} }, 'laterality'],
      [{ laterality: 'left', plan: { clip: [0, 0, 0], device: 'x', position: [0, 0, 0], depthFromSkin: 1 } }, 'plan.device'],
      [{ laterality: 'left', plan: { clip: [0, 0], device: 'hook-wire', position: [0, 0, 0], depthFromSkin: 1 } }, 'plan.clip'],
      [{ laterality: 'left', plan: { clip: [0, 0, 0], device: 'hook-wire', position: [0, 0, 0], depthFromSkin: -1 } }, 'plan.depthFromSkin'],
      [{ laterality: 'left', plan: { clip: [0, 0, 0], device: 'hook-wire', position: [0, 0, 0], depthFromSkin: 1, placementDate: '2026-11-23' } }, 'plan.surgeryDate'],
      [{ laterality: 'left', plan: { clip: [0, 0, 0], device: 'hook-wire', position: [0, 0, 0], depthFromSkin: 1, placementDate: '2026-11-23', surgeryDate: '2026-11-20' } }, 'plan.surgeryDate'],
      [{ laterality: 'left', plan: { clip: [0, 0, 0], device: 'hook-wire', position: [0, 0, 0], depthFromSkin: 1, assay: { activityMBq: 3, date: '2026-11-01' } } }, 'plan.assay'],
      [{ laterality: 'left', reconcile: { clipRetrieved: false, devices: [], sentinelNodes: [{ containsClip: true }], specimenImaged: true } }, 'reconcile.clipRetrieved'],
      [{ laterality: 'left', reconcile: { clipRetrieved: true, devices: [], sentinelNodes: [], specimenImaged: false, clipOnSpecimenImage: true } }, 'reconcile.clipOnSpecimenImage'],
    ];
    for (const [q, path] of bad) {
      refusedWith(() => axillary(q), undefined, path, path);
    }
  });
});
