// The CLI with the version 1.2 studies: a sensitivity analysis as JSON, as CSV (one row per
// output and parameter) and its figure; replicates as CSV (a row per replicate, then mean and
// SD); a bad field exits 2 naming it.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import { publishedSchema } from '../../src/schemas/index.js';
import { runCli } from '../helpers/fake-io.js';

const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
const summarySchema = ajv.compile(publishedSchema('simulation-summary'));
const scenarioSchema = ajv.compile(publishedSchema('simulation-scenario'));

const scenario = {
  seed: 9, trials: 1000,
  unit: { geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 }, angles: [15, -15] },
  breast: { thickness: { uniform: [30, 60] } },
  lesion: { x: 0, y: 30, zFraction: { uniform: [0.2, 0.8] }, radius: 2.5 },
  marking: { sigma: 0.1 },
};
const sensitivity = { parameters: { 'marking.sigma': [0.02, 0.3], 'unit.miscalibration.sourceToSupport': [-2, 2] }, samples: 8, output: ['targetingError.z.sd', 'targetingError.r.p95'], bootstrap: 50 };

describe('stereotax simulate with studies', () => {
  test('sensitivity: JSON, CSV and sensitivity.svg only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stereotax-sens-'));
    const json = await runCli(['simulate', '--workers', '0', '--plots', dir, '-'], JSON.stringify({ ...scenario, sensitivity }));
    expect(json.code).toBe(0);
    const r = JSON.parse(json.out);
    expect(summarySchema(r), ajv.errorsText(summarySchema.errors)).toBe(true);
    expect(scenarioSchema({ ...scenario, sensitivity }), ajv.errorsText(scenarioSchema.errors)).toBe(true);
    expect(r.sensitivity.outputs.map((o: { output: string }) => o.output)).toEqual(sensitivity.output);
    expect(readdirSync(dir)).toEqual(['sensitivity.svg']);
    expect(readFileSync(join(dir, 'sensitivity.svg'), 'utf8')).toContain('marking.sigma');
    const csv = await runCli(['simulate', '--workers', '0', '--format', 'csv', '-'], JSON.stringify({ ...scenario, sensitivity }));
    const lines = csv.out.trim().split('\n');
    expect(lines[0]).toBe('output,parameter,firstOrder,firstOrder.ci95.low,firstOrder.ci95.high,total,total.ci95.low,total.ci95.high,output.mean,output.variance');
    expect(lines).toHaveLength(1 + 4);
    expect(lines[1].startsWith('targetingError.z.sd,marking.sigma,')).toBe(true);
    expect(Number(lines[1].split(',')[5])).toBeCloseTo(r.sensitivity.outputs[0].indices[0].total, 12);
  }, 60_000);

  test('replicates as CSV: a row per replicate, then mean and sd', async () => {
    const csv = await runCli(['simulate', '--workers', '0', '--format', 'csv', '-'], JSON.stringify({ ...scenario, replicates: 3 }));
    expect(csv.code).toBe(0);
    const json = JSON.parse((await runCli(['simulate', '--workers', '0', '-'], JSON.stringify({ ...scenario, replicates: 3 }))).out);
    expect(summarySchema(json), ajv.errorsText(summarySchema.errors)).toBe(true);
    const lines = csv.out.trim().split('\n');
    const head = lines[0].split(',');
    expect(head.slice(0, 2)).toEqual(['replicate', 'seed']);
    expect(lines.map((l) => l.split(',')[0])).toEqual(['replicate', '1', '2', '3', 'mean', 'sd']);
    const col = head.indexOf('targetingError.z.sd');
    const xs = lines.slice(1, 4).map((l) => Number(l.split(',')[col]));
    expect(Number(lines[4].split(',')[col])).toBeCloseTo(xs.reduce((a, b) => a + b, 0) / 3, 12);
  }, 60_000);

  test('a bad study field exits 2 naming it', async () => {
    const r = await runCli(['simulate', '--workers', '0', '-'], JSON.stringify({ ...scenario, sensitivity: { ...sensitivity, samples: 4 } }));
    expect(r.code).toBe(2);
    expect(r.err).toContain('sensitivity.samples');
  });
});
