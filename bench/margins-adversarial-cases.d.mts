// Types of margins-adversarial-cases.mjs, for the tests that import it.
export type Request = { specimen: any; lesion: any; [k: string]: unknown };
export const LIMITS: { coord: number; halfMin: number; halfMax: number; aspect: number; points: number; pointRadius: number; markers: number };
export const FAMILIES: string[];
export function rng(seed: number): () => number;
export function semiAxes(r: () => number, aspect?: number, longest?: number): number[];
export function adversarialRequest(family: string, r: () => number): Request;
export function reportedSlowest(): Request;
export function underPatchBorder(): Request;
export function perturbPoints(req: Request, r: () => number): Request;
