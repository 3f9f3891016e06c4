/**
 * MRI-guided grid localization: from the grid's fiducial and the lesion in the scanner
 * frame, the grid square, the hole of the needle block, the depth to set along the
 * guide, the residual miss, the approach, and whether the device may go under MRI.
 * Grid geometry is device data (mri-grid.json, or the request's own `grid`).
 */
import { Checker, type Path } from '../core/validate.js';
import { field, fields, requestObject, snapshot } from './fields.js';
import { MriGrid, MriGridRequest as MriGridRequestSchema } from './schema.js';
import { findingsText, mm, type Finding } from '../core/findings.js';
import type { Catalog } from '../devices/catalog.js';
import { requestCatalog, type Laterality, type Point3 } from './common.js';
import data from './mri-grid.json' with { type: 'json' };

export type InPlaneAxis = '+y' | '-y' | '+z' | '-z';

export interface GridDevice {
  id: string;
  name: string;
  illustrative: boolean;
  squarePitch: number;
  rows: number;
  columns: number;
  rowAxis: InPlaneAxis;
  columnAxis: InPlaneAxis;
  firstSquare: { y: number; z: number };
  fiducialToSkin: number;
  block: { holePitch: number; holeRows: number; holeColumns: number; faceOffset: number };
  needleStopOffset: number;
  maxDepthSetting: number | null;
  source: string;
}

export const MRI_GRID_CONVENTIONS = data.conventions;

export interface MriGridRequest {
  id?: string;
  breast: Laterality;
  fiducial: Point3;
  lesion: Point3;
  grid: GridDevice;
  device?: { id: string; kind: 'localization' | 'biopsy'; mriPlacement: boolean | null };
  lesionRadius?: number;
  targetOffset: number;
}

export interface MriGridResult {
  id?: string;
  approach: 'lateral' | 'medial';
  needleDirection: '+x' | '-x';
  square: { row: number; column: number };
  hole: { row: number; column: number };
  /** Where the chosen hole's axis reaches the lesion's depth (scanner frame, mm). */
  holeAxisAtTarget: Point3;
  residual: { total: number; alongRows: number; alongColumns: number };
  insideGrid: boolean;
  depthFromGrid: number;
  depthSetting: number;
  depthTerms: { depthFromGrid: number; blockFaceOffset: number; needleStopOffset: number; targetOffset: number };
  grid: { id: string; illustrative: boolean; source: string };
  device: { id: string; mriPlacement: boolean | null } | null;
  findings: Finding[];
}

function checkGrid(c: Checker, v: unknown, path: Path): GridDevice | undefined {
  const S = MriGrid;
  const o = snapshot(c, S, v, path);
  if (!o) return undefined;
  const at = (...k: string[]): Path => [...path, ...k];
  const g = fields(c, S, o, path, ['id', 'squarePitch', 'rows', 'columns', 'rowAxis', 'columnAxis']);
  if (g.rowAxis && g.columnAxis && g.rowAxis[1] === g.columnAxis[1]) c.add('invalid_value', at('columnAxis'), `the in-plane axis other than rowAxis (${g.rowAxis[1]})`, o.columnAxis);
  const firstSquare = field(c, S, o, 'firstSquare', path);
  const fiducialToSkin = field(c, S, o, 'fiducialToSkin', path);
  const B = S.properties.block;
  const b = snapshot(c, B, o.block, at('block'));
  const block = b ? fields(c, B, b, at('block')) : {};
  const { squarePitch } = g;
  const { holePitch, holeRows, holeColumns, faceOffset } = block;
  if (holePitch !== undefined && squarePitch !== undefined && holeRows !== undefined && holeColumns !== undefined
    && (Math.max(holeRows, holeColumns) - 1) * holePitch >= squarePitch) {
    c.add('invalid_geometry', at('block', 'holePitch'), `holes that fit in one ${squarePitch} mm square`, b!.holePitch);
  }
  const rest = fields(c, S, o, path, ['needleStopOffset', 'maxDepthSetting', 'illustrative', 'name', 'source']);
  const { id, rows, columns, rowAxis, columnAxis } = g;
  const { needleStopOffset, illustrative, source } = rest;
  const maxDepthSetting = o.maxDepthSetting == null ? null : rest.maxDepthSetting;
  const name = o.name === undefined ? id : rest.name;
  if (id === undefined || squarePitch === undefined || rows === undefined || columns === undefined || !rowAxis || !columnAxis
    || firstSquare === undefined || fiducialToSkin === undefined || holePitch === undefined || holeRows === undefined
    || holeColumns === undefined || faceOffset === undefined || needleStopOffset === undefined || maxDepthSetting === undefined
    || illustrative === undefined || name === undefined || source === undefined) return undefined;
  return {
    id, name, illustrative, squarePitch, rows, columns, rowAxis, columnAxis, firstSquare: { y: firstSquare.y, z: firstSquare.z }, fiducialToSkin,
    block: { holePitch, holeRows, holeColumns, faceOffset }, needleStopOffset, maxDepthSetting, source,
  };
}

let gridCache: GridDevice[] | undefined;
/** The shipped grids (mri-grid.json), validated once. */
export function shippedGrids(): GridDevice[] {
  if (!gridCache) {
    const c = new Checker();
    const grids = data.grids.map((g, i) => checkGrid(c, g, ['shippedGrids', i])!);
    if (!c.ok) throw new Error(`the shipped grid data is invalid: ${c.issues[0].message}`);
    gridCache = grids;
  }
  return gridCache;
}

function findDevice(catalog: Catalog, id: string): MriGridRequest['device'] {
  const loc = catalog.localizationDevices.find((d) => d.id === id);
  if (loc) return { id, kind: 'localization', mriPlacement: loc.mriPlacement };
  const bio = catalog.biopsyDevices.find((d) => d.id === id);
  return bio ? { id, kind: 'biopsy', mriPlacement: null } : undefined;
}

export function parseMriGridRequest(value: unknown): MriGridRequest {
  const S = MriGridRequestSchema;
  const c = new Checker();
  const r = requestObject(c, S, value);
  const { id, breast, fiducial, lesion } = fields(c, S, r, [], ['id', 'breast', 'fiducial', 'lesion']);
  let grid: GridDevice | undefined;
  if (typeof r.grid === 'string') {
    grid = shippedGrids().find((g) => g.id === r.grid);
    if (!grid) c.add('unknown_reference', ['grid'], `a grid id (${shippedGrids().map((g) => g.id).join(', ')}) or a grid object`, r.grid);
  } else grid = checkGrid(c, r.grid, ['grid']);
  const catalog = requestCatalog(c, r);
  let device: MriGridRequest['device'];
  if (r.device !== undefined) {
    const did = field(c, S, r, 'device', []);
    device = did === undefined ? undefined : findDevice(catalog, did);
    if (did !== undefined && !device) {
      c.add('unknown_reference', ['device'], `a device id in the catalog (${[...catalog.localizationDevices, ...catalog.biopsyDevices].map((d) => d.id).join(', ')})`, did);
    }
  }
  const { lesionRadius, targetOffset } = fields(c, S, r, [], ['lesionRadius', 'targetOffset']);
  if (fiducial && lesion && fiducial[0] === lesion[0]) {
    c.add('degenerate_input', ['lesion', 0], `an x different from the fiducial's (${fiducial[0]} mm): the grid lies beside the breast, not through the lesion`, r.lesion && (r.lesion as unknown[])[0]);
  }
  c.done();
  return {
    ...(id !== undefined ? { id } : {}), breast: breast!, fiducial: fiducial as Point3, lesion: lesion as Point3, grid: grid!,
    ...(device ? { device } : {}), ...(lesionRadius !== undefined ? { lesionRadius } : {}), targetOffset: targetOffset!,
  };
}

const unit = (a: InPlaneAxis): { y: number; z: number } => ({ y: a[1] === 'y' ? (a[0] === '+' ? 1 : -1) : 0, z: a[1] === 'z' ? (a[0] === '+' ? 1 : -1) : 0 });
const plus0 = (x: number) => (x === 0 ? 0 : x);

export function computeMriGrid(req: MriGridRequest): MriGridResult {
  const { grid: g, fiducial: f, lesion: l } = req;
  const findings: Finding[] = [];
  // The needle goes from the grid toward the lesion along x.
  const dir = l[0] > f[0] ? 1 : -1;
  const gridOnPatientLeft = dir < 0;
  const approach: 'lateral' | 'medial' = gridOnPatientLeft === (req.breast === 'left') ? 'lateral' : 'medial';
  const skinX = f[0] + dir * g.fiducialToSkin;
  const depthFromGrid = plus0((l[0] - skinX) * dir);
  // In-plane coordinates of the lesion from square (1,1)'s centre, along the grid's row and column axes.
  const ru = unit(g.rowAxis), cu = unit(g.columnAxis);
  const dy = l[1] - f[1] - g.firstSquare.y, dz = l[2] - f[2] - g.firstSquare.z;
  const a = dy * ru.y + dz * ru.z; // along rows
  const b = dy * cu.y + dz * cu.z; // along columns
  const P = g.squarePitch, h = g.block.holePitch;
  let best = { r: 1, c: 1, i: 1, j: 1, da: Infinity, db: Infinity, d: Infinity };
  for (let r = 1; r <= g.rows; r++) {
    for (let c = 1; c <= g.columns; c++) {
      for (let i = 1; i <= g.block.holeRows; i++) {
        for (let j = 1; j <= g.block.holeColumns; j++) {
          const ha = (r - 1) * P + (i - (g.block.holeRows + 1) / 2) * h;
          const hb = (c - 1) * P + (j - (g.block.holeColumns + 1) / 2) * h;
          const d = Math.hypot(a - ha, b - hb);
          if (d < best.d) best = { r, c, i, j, da: a - ha, db: b - hb, d };
        }
      }
    }
  }
  const insideGrid = a >= -P / 2 && a <= (g.rows - 0.5) * P && b >= -P / 2 && b <= (g.columns - 0.5) * P;
  const holeA = a - best.da, holeB = b - best.db;
  const holeAxisAtTarget: Point3 = [
    l[0],
    plus0(f[1] + g.firstSquare.y + holeA * ru.y + holeB * cu.y),
    plus0(f[2] + g.firstSquare.z + holeA * ru.z + holeB * cu.z),
  ];
  const depthSetting = depthFromGrid + g.block.faceOffset + g.needleStopOffset + req.targetOffset;
  if (g.illustrative) {
    findings.push({ code: 'illustrative_grid', severity: 'warning', path: 'grid',
      message: `Grid ${g.id} is an illustrative example, not a real device: use your grid's and block's own values (pass them as grid).` });
  }
  if (!insideGrid) {
    findings.push({ code: 'lesion_outside_grid', severity: 'error', path: 'lesion',
      message: `The lesion projects outside the grid's ${g.rows} x ${g.columns} squares: reposition the grid; the nearest hole would miss by ${mm(best.d)}.` });
  }
  if (depthFromGrid <= 0) {
    findings.push({ code: 'lesion_not_beyond_grid', severity: 'error', path: 'lesion', value: depthFromGrid, limit: 0,
      message: `The lesion is not beyond the grid's skin surface (depth ${mm(depthFromGrid)}): check the fiducial and the grid's fiducialToSkin.` });
  }
  if (g.maxDepthSetting !== null && depthSetting > g.maxDepthSetting) {
    findings.push({ code: 'depth_beyond_introducer', severity: 'error', path: 'lesion', value: depthSetting, limit: g.maxDepthSetting,
      message: `The depth setting ${mm(depthSetting)} is beyond the ${mm(g.maxDepthSetting)} the introducer allows.` });
  }
  if (req.lesionRadius !== undefined && best.d > req.lesionRadius) {
    findings.push({ code: 'residual_exceeds_lesion_radius', severity: 'warning', path: 'lesionRadius', value: best.d, limit: req.lesionRadius,
      message: `The nearest hole's axis passes ${mm(best.d)} from the lesion's centre, outside its ${mm(req.lesionRadius)} radius.` });
  }
  if (req.device) {
    if (req.device.mriPlacement === false) {
      findings.push({ code: 'device_not_mri_compatible', severity: 'error', path: 'device', message: `${req.device.id}: the catalog says it is not placed under MRI.` });
    } else if (req.device.mriPlacement === null) {
      findings.push({ code: 'device_mri_unknown', severity: 'warning', path: 'device',
        message: `${req.device.id}: the catalog does not say whether it may be used under MRI; check the maker's MR labelling.` });
    }
  }
  return {
    ...(req.id !== undefined ? { id: req.id } : {}),
    approach, needleDirection: dir > 0 ? '+x' : '-x',
    square: { row: best.r, column: best.c }, hole: { row: best.i, column: best.j },
    holeAxisAtTarget,
    residual: { total: best.d, alongRows: plus0(best.da), alongColumns: plus0(best.db) },
    insideGrid, depthFromGrid, depthSetting,
    depthTerms: { depthFromGrid, blockFaceOffset: g.block.faceOffset, needleStopOffset: g.needleStopOffset, targetOffset: req.targetOffset },
    grid: { id: g.id, illustrative: g.illustrative, source: g.source },
    device: req.device ? { id: req.device.id, mriPlacement: req.device.mriPlacement } : null,
    findings,
  };
}

export function mriGrid(request: unknown): MriGridResult {
  return computeMriGrid(parseMriGridRequest(request));
}

export function mriGridText(r: MriGridResult): string {
  const f = (x: number) => x.toFixed(1);
  let s = `stereotax mri-grid${r.id ? ` ${r.id}` : ''} (mm, scanner frame; grid ${r.grid.id}${r.grid.illustrative ? ', ILLUSTRATIVE' : ''})\n`;
  s += `  approach      ${r.approach} (needle along ${r.needleDirection})\n`;
  s += `  grid square   row ${r.square.row}, column ${r.square.column}; block hole row ${r.hole.row}, column ${r.hole.column}\n`;
  s += `  residual      ${f(r.residual.total)} (along rows ${f(r.residual.alongRows)}, along columns ${f(r.residual.alongColumns)})\n`;
  s += `  depth         ${f(r.depthFromGrid)} from the grid's skin side; set the stop at ${f(r.depthSetting)} (block ${f(r.depthTerms.blockFaceOffset)}, stop ${f(r.depthTerms.needleStopOffset)}, target offset ${f(r.depthTerms.targetOffset)})\n`;
  if (r.device) s += `  device        ${r.device.id}: MRI placement ${r.device.mriPlacement === null ? 'not stated in the catalog' : r.device.mriPlacement ? 'allowed' : 'NOT allowed'}\n`;
  return s + findingsText(r.findings);
}
