#!/usr/bin/env node
// The `ferry` command: a shim onto the built CLI (`npm run build`, or `npm install` via `prepare`).
let cli;
try {
  cli = await import("../dist/cli/main.js");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("dist/cli/main.js"))
    throw error;
  console.error(
    "ferry: dist/cli/main.js is missing; run `npm run build` (or `npm install`) in the Ferry folder first.",
  );
  process.exit(1);
}
process.exitCode = await cli.main(process.argv);
