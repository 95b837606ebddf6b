/** Each benchmark owns one section of docs/benchmarks.md, between markers, and rewrites only that. */
import { readFile, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";

export const reportFile = join(import.meta.dirname, "..", "..", "docs", "benchmarks.md");

const HEADER = `# Benchmarks

Written by \`npm run bench\` (every benchmark); each section between its markers is rewritten by its own
benchmark (\`bench/kube-api-server-apply.ts\`, \`bench/sync-engine.ts\`, \`bench/github-app.ts\`,
\`bench/image-policy.ts\`, \`bench/image-update.ts\`). Figures are wall-clock times on the machine named in each
section.
`;

export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
}

export async function writeSection(name: string, markdown: string): Promise<void> {
  const current = await readFile(reportFile, "utf8").catch(() => HEADER);
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const section = `${start}\n${markdown.trim()}\n${end}`;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const base = current.startsWith("# Benchmarks") ? current : HEADER;
  const next =
    from >= 0 && to > from
      ? `${current.slice(0, from)}${section}${current.slice(to + end.length)}`
      : `${base.trimEnd()}\n\n${section}\n`;
  await writeFile(reportFile, next);
}
