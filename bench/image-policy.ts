/**
 * Flux ImagePolicy tag selection on 10,000 tags: the median time of selecting the latest tag under
 * each policy kind (default exclusion list included), and writes the figures to docs/benchmarks.md.
 * Target: well under 20 ms per selection.
 *
 *   npx tsx bench/image-policy.ts [--tags 10000] [--runs 20]
 */
import { parseArgs } from "node:util";
import { selectLatestTag, type TagPolicySpec } from "../src/images/policy/index.js";
import { machine, reportFile, writeSection } from "./support/report.js";

const { values } = parseArgs({
  options: { tags: { type: "string", default: "10000" }, runs: { type: "string", default: "20" } },
});
const tagCount = Number(values.tags);
const runs = Number(values.runs);

/** A deterministic generator (mulberry32), so every run sees the same tags. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (next: () => number, length: number): string =>
  Array.from({ length }, () => Math.floor(next() * 16).toString(16)).join("");

/**
 * What a busy repository holds: releases with and without `v`, release candidates, variant and
 * build-metadata suffixes, branch builds `main-<sha>-<unix time>`, commit tags, cosign signatures.
 */
function repositoryTags(n: number): string[] {
  const next = random(42);
  const tags: string[] = [];
  for (let i = 0; tags.length < n; i++) {
    const version = `${Math.floor(next() * 4)}.${Math.floor(next() * 30)}.${Math.floor(next() * 50)}`;
    const kind = next();
    if (kind < 0.3) tags.push(next() < 0.5 ? version : `v${version}`);
    else if (kind < 0.45) tags.push(`${version}-rc.${Math.floor(next() * 10)}`);
    else if (kind < 0.5) tags.push(`${version}-alpine`);
    else if (kind < 0.55) tags.push(`${version}+build.${i}`);
    else if (kind < 0.8) tags.push(`main-${hex(next, 7)}-${1_700_000_000 + i * 60}`);
    else if (kind < 0.95) tags.push(`sha-${hex(next, 7)}`);
    else tags.push(`sha256-${hex(next, 64)}.sig`);
  }
  return tags;
}

/** Build numbers, as a CI that tags every build with its number pushes them (plus signatures). */
function buildNumbers(n: number): string[] {
  const next = random(7);
  return Array.from({ length: n }, (_, i) => (i % 50 === 49 ? `sha256-${hex(next, 64)}.sig` : String(i + 1)));
}

const mixed = repositoryTags(tagCount);
const numbers = buildNumbers(tagCount);

const cases: { name: string; spec: TagPolicySpec; tags: string[] }[] = [
  { name: "semver `>=1.0.0 <3.0.0`", spec: { policy: { semver: { range: ">=1.0.0 <3.0.0" } } }, tags: mixed },
  {
    name: "semver `>=1.0.0-0` (prereleases)",
    spec: { policy: { semver: { range: ">=1.0.0-0" } } },
    tags: mixed,
  },
  { name: "alphabetical asc", spec: { policy: { alphabetical: { order: "asc" } } }, tags: mixed },
  { name: "numerical asc", spec: { policy: { numerical: { order: "asc" } } }, tags: numbers },
  {
    name: "filterTags `^main-[a-f0-9]+-(?P<ts>[0-9]+)$`, extract `$ts`, numerical asc",
    spec: {
      policy: { numerical: { order: "asc" } },
      filterTags: { pattern: "^main-[a-f0-9]+-(?P<ts>[0-9]+)$", extract: "$ts" },
    },
    tags: mixed,
  },
];

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const rows: string[] = [];
for (const { name, spec, tags } of cases) {
  let latest = "";
  // Warm-up: let V8 optimise the code paths before timing them.
  for (let i = 0; i < 5; i++) latest = selectLatestTag(spec, tags);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    latest = selectLatestTag(spec, tags);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const ms = median(samples);
  console.log(`${name}: ${ms.toFixed(2)} ms (latest ${latest})`);
  rows.push(`| ${name} | ${tags.length.toLocaleString("en-US")} | ${ms.toFixed(2)} | \`${latest}\` |`);
}

await writeSection(
  "image-policy",
  `## Image policy: latest tag of ${tagCount.toLocaleString("en-US")}

\`bench/image-policy.ts\` selects the latest tag with \`selectLatestTag\` (\`src/images/policy/\`), Flux's
ImagePolicy semantics: the default exclusion list (\`^.*\\.sig$\`), then \`filterTags\`, then the policy. The
mixed tags are releases with and without \`v\`, release candidates, \`-alpine\` and \`+build\` suffixes,
\`main-<sha>-<unix time>\` branch builds, \`sha-<sha>\` commit tags and cosign signatures; the numerical case uses
build numbers (and signatures). Each figure is the median of ${runs} runs after a warm-up, policy parsing included.
Target: well under 20 ms.

Machine: ${machine()}. Measured ${new Date().toISOString().slice(0, 10)}.

| case | tags | median ms | latest |
| --- | ---: | ---: | --- |
${rows.join("\n")}`,
);
console.log(`written to ${reportFile}`);
