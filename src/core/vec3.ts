/** A point or direction in the breast biopsy frame, mm. Here, below every domain, so any of them can name it. */
export interface Vec3 {
  x: number;
  y: number;
  z: number;
}
