/**
 * An independent Philox4x32-10 (Salmon et al. 2011) in BigInt for the simulation tests,
 * sharing no code with src/ or assembly/, and the 53-bit uniform of a 64-bit word.
 */
const M0 = 0xd2511f53n, M1 = 0xcd9e8d57n, W0 = 0x9e3779b9n, W1 = 0xbb67ae85n, MASK = 0xffffffffn;
export function philox(ctr: number[], key: number[]): number[] {
  let [c0, c1, c2, c3] = ctr.map((x) => BigInt(x >>> 0));
  let [k0, k1] = key.map((x) => BigInt(x >>> 0));
  for (let r = 0; r < 10; r++) {
    const p0 = M0 * c0, p1 = M1 * c2;
    [c0, c1, c2, c3] = [((p1 >> 32n) ^ c1 ^ k0) & MASK, p1 & MASK, ((p0 >> 32n) ^ c3 ^ k1) & MASK, p0 & MASK];
    k0 = (k0 + W0) & MASK;
    k1 = (k1 + W1) & MASK;
  }
  return [c0, c1, c2, c3].map(Number);
}
export const u53 = (lo: number, hi: number) => (hi * 2 ** 21 + Math.floor(lo / 2 ** 11) + 0.5) / 2 ** 53;

