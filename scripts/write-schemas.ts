/**
 * Writes the JSON Schemas of Ferry's configuration files (made from the zod schemas) to
 * docs/schemas/. Run after changing src/github/config/: `npx tsx scripts/write-schemas.ts`.
 * test/github/config-schemas.test.ts fails while the files on disk differ from what this writes.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatJson, schemaFiles } from "../src/github/config/schemas.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

for (const { path, schema } of schemaFiles()) {
  const target = join(root, path);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, formatJson(schema));
  console.log(`wrote ${path}`);
}
