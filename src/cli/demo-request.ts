/**
 * The embedded default for `npm start`: a typical unit (SID 660 mm, 20 mm air gap,
 * rotation axis in the detector plane), a 45 mm compressed breast and a +/-15
 * degree pair marked to 0.01 mm, with a 9G vacuum probe on the vertical approach.
 */
export const DEMO_REQUEST = {
  id: 'demo: typical unit, +/-15 degree pair',
  geometry: { sourceToDetector: 660, sourceToSupport: 640, rotationAxisHeight: -20 },
  thickness: 45,
  views: [
    { angle: 15, u: -5.41, v: 32.36 },
    { angle: -15, u: 15.98, v: 32.36 },
  ],
  imageSigma: 0.1,
  needle: {
    approach: 'vertical',
    device: { name: 'typical 9G vacuum probe, 20 mm aperture', gauge: 9, throw: 0, apertureLength: 20, tipLength: 7 },
  },
};
