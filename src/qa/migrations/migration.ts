/** One versioned migration (its own file, so each migration and the list import it without a cycle). */
export interface Migration {
  version: number;
  name: string;
  /** Statements, each run on its own (PostgreSQL's extended protocol takes one at a time). */
  statements: readonly string[];
}
