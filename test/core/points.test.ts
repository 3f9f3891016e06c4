/** The one conversion between the two point types (src/core/vec3.ts): axis for axis, both ways. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toTuple3, toVec3 } from '../../src/core/vec3.js';

const coordinate = fc.integer({ min: -1_000_000, max: 1_000_000 }).map((i) => i / 1000);

describe('points', () => {
  it('maps x, y, z to indices 0, 1, 2 and back', () => {
    expect(toVec3([1, 2, 3])).toEqual({ x: 1, y: 2, z: 3 });
    expect(toTuple3({ x: 1, y: 2, z: 3 })).toEqual([1, 2, 3]);
    expect(Object.keys(toVec3([4, 5, 6]))).toEqual(['x', 'y', 'z']); // JSON reads x, y, z
  });

  it('round-trips every point exactly, signed zeros included', () => {
    fc.assert(fc.property(coordinate, coordinate, coordinate, (x, y, z) => {
      expect(toTuple3(toVec3([x, y, z]))).toEqual([x, y, z]);
      expect(toVec3(toTuple3({ x, y, z }))).toEqual({ x, y, z });
    }));
    expect(Object.is(toVec3([-0, 0, 0]).x, -0)).toBe(true);
  });

  it('copies: changing the result leaves the input as it was', () => {
    const t: [number, number, number] = [1, 2, 3];
    toVec3(t).x = 9;
    expect(t).toEqual([1, 2, 3]);
    const v = { x: 1, y: 2, z: 3 };
    toTuple3(v)[0] = 9;
    expect(v.x).toBe(1);
  });
});
