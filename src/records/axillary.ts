/**
 * Targeted axillary dissection: the localization plan for a clipped, biopsy-proven
 * axillary node (device in the node, its distance from the clip, depth against the
 * device's detection limit, dates), and the reconciliation at surgery (clip, devices
 * and sentinel nodes retrieved, specimen imaged). Facts and sources: axillary.json.
 */
import { Checker, type Path } from '../core/validate.js';
import { field, fields, items, requestObject, snapshot } from './fields.js';
import { AxillaryPlan, AxillaryReconcile, AxillaryRequest as AxillaryRequestSchema } from './schema.js';
import { findingsText, mm, type Finding } from '../core/findings.js';
import type { Catalog, LocalizationDevice } from '../devices/catalog.js';
import { decayedActivity, isoDate } from '../plan/dates.js';
import { distance, requestCatalog, type Laterality, type Point3 } from './common.js';
import facts from './axillary.json' with { type: 'json' };

export const AXILLARY_FACTS = facts;
type AxillaryGuidance = 'ultrasound' | 'tomosynthesis' | 'mammographic' | 'ct' | 'mri';

export interface AxillaryPlanInput {
  clip: Point3;
  node?: { center: Point3; radius?: number };
  device: LocalizationDevice;
  position: Point3;
  depthFromSkin: number;
  guidance: AxillaryGuidance;
  dates?: { placementDay: number; surgeryDay: number };
  assay?: { activityMBq: number; day: number };
  maxDistanceFromClip?: number;
}

export interface AxillaryReconcileInput {
  clipRetrieved: boolean;
  devices: { device: LocalizationDevice; retrieved: boolean }[];
  sentinelNodes: { label: string; containsClip: boolean; containsDevice: boolean }[];
  specimenImaged: boolean;
  clipOnSpecimenImage?: boolean;
}

export interface AxillaryRequest {
  id?: string;
  laterality: Laterality;
  plan?: AxillaryPlanInput;
  reconcile?: AxillaryReconcileInput;
}

export interface AxillaryPlanResult {
  device: string;
  kind: string;
  guidance: AxillaryGuidance;
  distanceFromClip: number;
  distanceFromNodeCenter: number | null;
  deviceInNode: boolean | null;
  depthFromSkin: number;
  detectionDepthLimit: number | null;
  daysToSurgery: number | null;
  activityOnSurgeryDayMBq?: number;
}

export interface AxillaryReconcileResult {
  clipRetrieved: boolean;
  devicesRetrieved: number;
  devicesPlaced: number;
  sentinelNodeCount: number;
  clipInSentinelNode: boolean;
  specimenImaged: boolean;
  complete: boolean;
  /** The false-negative rate the literature gives for this situation (%), with its source. */
  falseNegativeContext: { percent: number; when: string; source: string } | null;
}

export interface AxillaryResult {
  id?: string;
  laterality: Laterality;
  plan?: AxillaryPlanResult;
  reconcile?: AxillaryReconcileResult;
  findings: Finding[];
}

/** A device id (its type and length checked by the caller's schema) looked up in the catalog. */
function findLocalization(c: Checker, catalog: Catalog, id: string | undefined, path: Path): LocalizationDevice | undefined {
  if (id === undefined) return undefined;
  const d = catalog.localizationDevices.find((x) => x.id === id);
  if (!d) c.add('unknown_reference', path, `a localization device id in the catalog (${catalog.localizationDevices.map((x) => x.id).join(', ')})`, id);
  return d;
}

function checkPlan(c: Checker, v: unknown, catalog: Catalog): AxillaryPlanInput | undefined {
  const S = AxillaryPlan;
  const path = ['plan'];
  const o = snapshot(c, S, v, path);
  if (!o) return undefined;
  const at = (...k: (string | number)[]): Path => [...path, ...k];
  const { clip, position } = fields(c, S, o, path, ['clip', 'position']);
  const device = findLocalization(c, catalog, field(c, S, o, 'device', path), at('device'));
  const { depthFromSkin, guidance } = fields(c, S, o, path, ['depthFromSkin', 'guidance']);
  let node: AxillaryPlanInput['node'];
  if (o.node !== undefined) {
    const N = S.properties.node;
    const n = snapshot(c, N, o.node, at('node'));
    const { center, radius } = n ? fields(c, N, n, at('node')) : {};
    if (center) node = { center: center as Point3, ...(radius !== undefined ? { radius } : {}) };
  }
  let dates: AxillaryPlanInput['dates'];
  if ((o.placementDate === undefined) !== (o.surgeryDate === undefined)) {
    c.add('missing_field', at(o.placementDate === undefined ? 'placementDate' : 'surgeryDate'), 'placementDate and surgeryDate together', undefined);
  } else if (o.placementDate !== undefined) {
    const { placementDate: placementDay, surgeryDate: surgeryDay } = fields(c, S, o, path, ['placementDate', 'surgeryDate']);
    if (placementDay !== undefined && surgeryDay !== undefined) {
      if (surgeryDay < placementDay) c.add('invalid_value', at('surgeryDate'), `a date on or after placementDate (${o.placementDate})`, o.surgeryDate);
      else dates = { placementDay, surgeryDay };
    }
  }
  let assay: AxillaryPlanInput['assay'];
  if (o.assay !== undefined) {
    const A = S.properties.assay;
    const a = snapshot(c, A, o.assay, at('assay'));
    const { activityMBq: act, date: day } = a ? fields(c, A, a, at('assay')) : {};
    if (device && device.kind !== 'i125-seed') c.add('invalid_value', at('assay'), 'an assay only for an I-125 seed', o.assay);
    if (!dates && a) c.add('missing_field', at('surgeryDate'), 'the surgery date, for the activity on that day', undefined);
    if (act !== undefined && day !== undefined) assay = { activityMBq: act, day };
  }
  const maxDistanceFromClip = field(c, S, o, 'maxDistanceFromClip', path);
  if (!clip || !position || !device || depthFromSkin === undefined || !guidance) return undefined;
  return {
    clip: clip as Point3, position: position as Point3, device, depthFromSkin, guidance, ...(node ? { node } : {}), ...(dates ? { dates } : {}), ...(assay ? { assay } : {}),
    ...(maxDistanceFromClip !== undefined ? { maxDistanceFromClip } : {}),
  };
}

function checkReconcile(c: Checker, v: unknown, catalog: Catalog): AxillaryReconcileInput | undefined {
  const S = AxillaryReconcile;
  const path = ['reconcile'];
  const o = snapshot(c, S, v, path);
  if (!o) return undefined;
  const { clipRetrieved, specimenImaged, clipOnSpecimenImage } = fields(c, S, o, path, ['clipRetrieved', 'specimenImaged', 'clipOnSpecimenImage']);
  if (clipOnSpecimenImage !== undefined && specimenImaged === false) c.add('invalid_value', [...path, 'clipOnSpecimenImage'], 'nothing when the specimen was not imaged', o.clipOnSpecimenImage);
  const devices: AxillaryReconcileInput['devices'] = [];
  const D = S.properties.devices.items;
  items(c, S.properties.devices, o.devices, [...path, 'devices'], (d, p) => {
    const x = snapshot(c, D, d, p);
    const device = x && findLocalization(c, catalog, field(c, D, x, 'device', p), [...p, 'device']);
    const retrieved = x && field(c, D, x, 'retrieved', p);
    if (device && retrieved !== undefined) devices.push({ device, retrieved });
  });
  const sentinelNodes: AxillaryReconcileInput['sentinelNodes'] = [];
  const N = S.properties.sentinelNodes.items;
  items(c, S.properties.sentinelNodes, o.sentinelNodes, [...path, 'sentinelNodes'], (n, p, i) => {
    const x = snapshot(c, N, n, p);
    if (!x) return;
    const label = x.label === undefined ? `SLN${i + 1}` : field(c, N, x, 'label', p);
    const { containsClip, containsDevice } = fields(c, N, x, p, ['containsClip', 'containsDevice']);
    if (label !== undefined && containsClip !== undefined && containsDevice !== undefined) sentinelNodes.push({ label, containsClip, containsDevice });
  });
  if (sentinelNodes.some((n) => n.containsClip) && clipRetrieved === false) {
    c.add('invalid_value', [...path, 'clipRetrieved'], 'true when a sentinel node contains the clip', o.clipRetrieved);
  }
  if (clipRetrieved === undefined || specimenImaged === undefined) return undefined;
  return { clipRetrieved, devices, sentinelNodes, specimenImaged, ...(clipOnSpecimenImage !== undefined ? { clipOnSpecimenImage } : {}) };
}

export function parseAxillaryRequest(value: unknown): AxillaryRequest {
  const S = AxillaryRequestSchema;
  const c = new Checker();
  const r = requestObject(c, S, value);
  const { id, laterality } = fields(c, S, r, [], ['id', 'laterality']);
  if (r.plan === undefined && r.reconcile === undefined) c.add('missing_field', ['plan'], 'plan (before surgery) or reconcile (at surgery), or both', undefined);
  const catalog = requestCatalog(c, r);
  const plan = r.plan === undefined ? undefined : checkPlan(c, r.plan, catalog);
  const reconcile = r.reconcile === undefined ? undefined : checkReconcile(c, r.reconcile, catalog);
  c.done();
  return { ...(id !== undefined ? { id } : {}), laterality: laterality!, ...(plan ? { plan } : {}), ...(reconcile ? { reconcile } : {}) };
}

function planChecks(p: AxillaryPlanInput, f: Finding[]): AxillaryPlanResult {
  const dev = p.device;
  const distanceFromClip = distance(p.position, p.clip);
  const fromCenter = p.node ? distance(p.position, p.node.center) : null;
  const deviceInNode = p.node?.radius !== undefined && fromCenter !== null ? fromCenter <= p.node.radius : null;
  const days = p.dates ? p.dates.surgeryDay - p.dates.placementDay : null;
  const out: AxillaryPlanResult = {
    device: dev.id, kind: dev.kind, guidance: p.guidance, distanceFromClip, distanceFromNodeCenter: fromCenter, deviceInNode,
    depthFromSkin: p.depthFromSkin, detectionDepthLimit: dev.detectionDepthLimit, daysToSurgery: days,
  };
  if (dev.detectionDepthLimit !== null && p.depthFromSkin > dev.detectionDepthLimit) {
    f.push({ code: 'device_beyond_detection_limit', severity: 'error', path: 'plan.depthFromSkin', value: p.depthFromSkin, limit: dev.detectionDepthLimit,
      message: `${dev.id} would lie ${mm(p.depthFromSkin)} below the skin, beyond its ${mm(dev.detectionDepthLimit)} detection limit: the probe may not find the node.` });
  }
  if (deviceInNode === false) {
    f.push({ code: 'device_outside_node', severity: 'warning', path: 'plan.position', value: fromCenter!, limit: p.node!.radius,
      message: `${dev.id} would lie ${mm(fromCenter!)} from the node's centre, outside its ${mm(p.node!.radius!)} radius: the node found at surgery may not be the clipped one.` });
  }
  if (p.maxDistanceFromClip !== undefined && distanceFromClip > p.maxDistanceFromClip) {
    f.push({ code: 'device_far_from_clip', severity: 'error', path: 'plan.position', value: distanceFromClip, limit: p.maxDistanceFromClip,
      message: `${dev.id} would lie ${mm(distanceFromClip)} from the clip, more than the ${mm(p.maxDistanceFromClip)} your protocol allows.` });
  }
  if (days !== null && dev.sameDayOnly && days !== 0) {
    f.push({ code: 'wire_not_same_day', severity: 'error', path: 'plan.placementDate', value: days, limit: 0, message: `${dev.id} is placed on the day of surgery; this plan places it ${days} day(s) before.` });
  }
  if (days !== null && dev.maxDwellDays !== null && !dev.sameDayOnly && days > dev.maxDwellDays) {
    f.push({ code: 'dwell_too_long', severity: 'error', path: 'plan.placementDate', value: days, limit: dev.maxDwellDays, message: `${dev.id} may stay at most ${dev.maxDwellDays} days; this plan has ${days}.` });
  }
  if (p.guidance === 'mri' && dev.mriPlacement !== true) {
    f.push(dev.mriPlacement === false
      ? { code: 'device_not_mri_compatible', severity: 'error', path: 'plan.device', message: `${dev.id} is not placed under MRI guidance.` }
      : { code: 'device_mri_unknown', severity: 'warning', path: 'plan.device', message: `${dev.id}: the catalog does not say whether it may be placed under MRI.` });
  }
  if (dev.kind === 'i125-seed' && p.assay && p.dates && dev.halfLifeDays) {
    out.activityOnSurgeryDayMBq = decayedActivity(p.assay.activityMBq, p.dates.surgeryDay - p.assay.day, dev.halfLifeDays);
  }
  f.push({ code: 'clip_to_device', severity: 'info', path: 'plan.position', value: distanceFromClip,
    message: `${dev.id} ${mm(distanceFromClip)} from the clip${p.dates ? `; surgery ${isoDate(p.dates.surgeryDay)}` : ''}.` });
  return out;
}

function reconcileChecks(r: AxillaryReconcileInput, f: Finding[]): AxillaryReconcileResult {
  const [tad, inSln, notInSln] = facts.falseNegativeRates;
  if (!r.clipRetrieved) {
    f.push({ code: 'clip_not_retrieved', severity: 'error', path: 'reconcile.clipRetrieved', message: 'The clipped node has not been retrieved: the biopsy-proven node is still in the axilla.' });
  }
  r.devices.forEach((d, i) => {
    if (d.retrieved) return;
    const lost = d.device.kind === 'i125-seed' ? ` ${facts.lostSeed.fact.charAt(0).toUpperCase() + facts.lostSeed.fact.slice(1)}: follow the protocol.` : '';
    f.push({ code: 'device_not_retrieved', severity: 'error', path: `reconcile.devices[${i}].retrieved`, message: `${d.device.id} has not been retrieved.${lost}` });
  });
  if (!r.specimenImaged) {
    f.push({ code: 'specimen_not_imaged', severity: 'error', path: 'reconcile.specimenImaged', message: 'The specimen has not been imaged: removal of the clip and device is not documented.' });
  } else if (r.clipOnSpecimenImage === false) {
    f.push({ code: 'clip_not_seen_on_specimen_image', severity: 'error', path: 'reconcile.clipOnSpecimenImage', message: 'The specimen image does not show the clip.' });
  }
  if (!r.sentinelNodes.length) {
    f.push({ code: 'no_sentinel_node', severity: 'warning', path: 'reconcile.sentinelNodes', message: 'No sentinel node recorded: targeted axillary dissection removes the sentinel nodes as well as the clipped node.' });
  }
  const clipInSentinelNode = r.sentinelNodes.some((n) => n.containsClip);
  let context: AxillaryReconcileResult['falseNegativeContext'] = null;
  if (r.clipRetrieved && r.sentinelNodes.length) {
    const fact = clipInSentinelNode ? inSln : notInSln;
    context = { percent: fact.percent, when: fact.when, source: fact.source };
    f.push({ code: clipInSentinelNode ? 'clipped_node_is_sentinel' : 'clipped_node_not_sentinel', severity: 'info', path: 'reconcile.sentinelNodes', value: fact.percent,
      message: `The ${fact.when}: false-negative rate ${fact.percent} % in ${fact.source}${clipInSentinelNode ? '' : `; removing the localized node as well brings TAD ${tad.bound} ${tad.percent} % (${tad.source})`}.` });
  }
  const devicesRetrieved = r.devices.filter((d) => d.retrieved).length;
  const complete = r.clipRetrieved && devicesRetrieved === r.devices.length && r.specimenImaged && r.clipOnSpecimenImage !== false && r.sentinelNodes.length > 0;
  return {
    clipRetrieved: r.clipRetrieved, devicesRetrieved, devicesPlaced: r.devices.length, sentinelNodeCount: r.sentinelNodes.length,
    clipInSentinelNode, specimenImaged: r.specimenImaged, complete, falseNegativeContext: context,
  };
}

export function computeAxillary(req: AxillaryRequest): AxillaryResult {
  const findings: Finding[] = [];
  const plan = req.plan ? planChecks(req.plan, findings) : undefined;
  const reconcile = req.reconcile ? reconcileChecks(req.reconcile, findings) : undefined;
  return { ...(req.id !== undefined ? { id: req.id } : {}), laterality: req.laterality, ...(plan ? { plan } : {}), ...(reconcile ? { reconcile } : {}), findings };
}

export function axillary(request: unknown): AxillaryResult {
  return computeAxillary(parseAxillaryRequest(request));
}

export function axillaryText(r: AxillaryResult): string {
  const f = (x: number) => x.toFixed(1);
  let s = `stereotax axillary${r.id ? ` ${r.id}` : ''} (${r.laterality} axilla, mm)\n`;
  if (r.plan) {
    const p = r.plan;
    s += `  device        ${p.device} (${p.kind}) under ${p.guidance}: ${f(p.distanceFromClip)} from the clip`;
    s += `${p.deviceInNode === null ? '' : p.deviceInNode ? ', inside the node' : ', OUTSIDE the node'}; ${f(p.depthFromSkin)} deep (limit ${p.detectionDepthLimit === null ? 'none' : f(p.detectionDepthLimit)})\n`;
    if (p.activityOnSurgeryDayMBq !== undefined) s += `  activity      ${p.activityOnSurgeryDayMBq.toFixed(2)} MBq on the day of surgery\n`;
  }
  if (r.reconcile) {
    const q = r.reconcile;
    s += `  surgery       clip ${q.clipRetrieved ? 'retrieved' : 'NOT retrieved'}; devices ${q.devicesRetrieved}/${q.devicesPlaced}; sentinel nodes ${q.sentinelNodeCount}${q.clipInSentinelNode ? ' (one holds the clip)' : ''}; specimen ${q.specimenImaged ? 'imaged' : 'NOT imaged'}: ${q.complete ? 'complete' : 'INCOMPLETE'}\n`;
  }
  return s + findingsText(r.findings);
}
