/** The part of the mathjs module the unit reader uses (written out: the types must not need mathjs installed). */
export interface MathjsUnits {
  create(factories: object, config?: object): unknown;
  unitDependencies: object;
}
