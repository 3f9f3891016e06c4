// npm run schemas: writes schema/NAME.schema.json from the definitions in src/ (src/schemas/index.ts).
// esbuild bundles the TypeScript definitions in memory; test/schemas.test.ts fails when the files differ.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';

const out = await build({ entryPoints: ['src/schemas/index.ts'], bundle: true, format: 'esm', platform: 'neutral', external: ['node:*'], write: false, logLevel: 'error' });
const mod = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
// SCHEMA_OUT: another directory (the tests write there and compare with schema/).
const dir = process.env.SCHEMA_OUT ?? 'schema';
mkdirSync(dir, { recursive: true });
for (const name of mod.SCHEMA_NAMES) {
  writeFileSync(`${dir}/${name}.schema.json`, mod.schemaFileText(name));
  console.log(`${dir}/${name}.schema.json`);
}
