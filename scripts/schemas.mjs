// npm run schemas: writes schema/NAME.schema.json from the definitions in src/ (src/schemas/index.ts).
// esbuild bundles the TypeScript definitions in memory; test/schemas.test.ts fails when the files differ.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';

const out = await build({ entryPoints: ['src/schemas/index.ts'], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'error' });
const mod = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
mkdirSync('schema', { recursive: true });
for (const name of mod.SCHEMA_NAMES) {
  writeFileSync(`schema/${name}.schema.json`, mod.schemaFileText(name));
  console.log(`schema/${name}.schema.json`);
}
