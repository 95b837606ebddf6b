/**
 * `checkRunOutput` over results built by hand: the conclusion, the title, the lines of the summary
 * and text a user reads, annotations in requests of at most 50, GitHub's 65,535-byte limits
 * counted in UTF-8 bytes, and no Secret value anywhere.
 */
import { describe, expect, it } from "vitest";
import type { ObjectRef } from "../../src/model/object.js";
import type {
  ChangeAction,
  ChangeSetEntry,
  HealthEntry,
  HealthStatus,
  Phase,
  Problem,
  ReconcileResult,
  UnitResult,
} from "../../src/model/result.js";
import { type CheckRunOutput, checkRunOutput } from "../../src/report/check-run.js";

const SHA = "0f3c2a1b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
const target = { cluster: "production", path: "clusters/production", sha: SHA };
const LIMIT = 65_535;
const bytes = (text: string) => Buffer.byteLength(text, "utf8");
const linesOf = (text: string) => text.split("\n");

function refOf(subject: string): ObjectRef {
  const parts = subject.split("/");
  return parts.length === 3
    ? { group: "", version: "v1", kind: parts[0], namespace: parts[1], name: parts[2] }
    : { group: "", version: "v1", kind: parts[0], name: parts[1] };
}

const change = (subject: string, action: ChangeAction, reason?: string): ChangeSetEntry => ({
  ref: refOf(subject),
  subject,
  action,
  ...(reason ? { reason } : {}),
});

const health = (subject: string, status: HealthStatus, message = ""): HealthEntry => ({
  ref: refOf(subject),
  subject,
  status,
  message,
});

function unit(fields: Partial<UnitResult> & { phases?: Phase[] }): UnitResult {
  const { phases = ["build", "validate", "apply", "wait", "inventory"], ...rest } = fields;
  return {
    name: "flux-system/apps",
    path: "clusters/production",
    revision: `main@sha1:${SHA}`,
    status: "succeeded",
    changes: [],
    health: [],
    timings: phases.map((phase) => ({ phase, ms: 10 })),
    problems: [],
    notSupported: [],
    consumed: [],
    durationMs: 1_234,
    ...rest,
  };
}

const resultOf = (...units: UnitResult[]): ReconcileResult => ({
  units,
  ok: units.every((u) => u.status === "succeeded"),
  durationMs: 2_500,
});

const objects = (n: number, action: ChangeAction) =>
  Array.from({ length: n }, (_, i) => change(`ConfigMap/apps/config-${String(i).padStart(4, "0")}`, action));

interface Case {
  name: string;
  result: ReconcileResult;
  conclusion: CheckRunOutput["conclusion"];
  title: string;
  /** Lines that must appear, whole, in the summary. */
  summary: string[];
  /** Lines that must appear, whole, in the text. */
  text: string[];
  /** Text that must not appear anywhere in the output. */
  absent?: string[];
  /** `[path, line, title]` of every annotation, in order. */
  annotations: [string, number, string][];
}

const cases: Case[] = [
  {
    name: "a first apply that created everything",
    result: resultOf(
      unit({
        changes: [
          change("Namespace/apps", "created"),
          change("Deployment/apps/web", "created"),
          change("Service/apps/web", "created"),
        ],
        health: [health("Deployment/apps/web", "Current"), health("Service/apps/web", "Current")],
      }),
    ),
    conclusion: "success",
    title: "production: 3 created",
    summary: [
      "Synced `clusters/production` at `0f3c2a1` to **production** in 2.5s: 3 created.",
      "| Unit | Path | Revision | Created | Configured | Unchanged | Deleted | Skipped | Health | Duration |",
      "| ✅ `flux-system/apps` | `clusters/production` | `0f3c2a1` | 3 | 0 | 0 | 0 | 0 | 2 / 2 ready | 1.2s |",
    ],
    text: [
      "### ✅ `flux-system/apps` · `clusters/production` · succeeded in 1.2s",
      "- `Namespace/apps` created",
      "- `Deployment/apps/web` created",
      "- `Service/apps/web` created",
    ],
    absent: ["problem", "unchanged</summary>", "Not ready"],
    annotations: [],
  },
  {
    name: "a no-op: everything unchanged",
    result: resultOf(
      unit({
        changes: [change("Deployment/apps/web", "unchanged"), change("Service/apps/web", "unchanged")],
      }),
    ),
    conclusion: "success",
    title: "production: no changes (2 unchanged)",
    summary: [
      "Synced `clusters/production` at `0f3c2a1` to **production** in 2.5s: no changes (2 unchanged).",
      "| ✅ `flux-system/apps` | `clusters/production` | `0f3c2a1` | 0 | 0 | 2 | 0 | 0 | — | 1.2s |",
    ],
    text: [
      "<details><summary>2 objects unchanged</summary>",
      "- `Deployment/apps/web` unchanged",
      "- `Service/apps/web` unchanged",
      "</details>",
    ],
    absent: [" created", " configured"],
    annotations: [],
  },
  {
    name: "changed objects listed before the unchanged ones, in verb order",
    result: resultOf(
      unit({
        changes: [
          change("ConfigMap/apps/a", "unchanged"),
          change("ConfigMap/apps/old", "deleted"),
          change("Deployment/apps/web", "configured"),
          change(
            "Secret/apps/manual",
            "skipped",
            "annotation kustomize.toolkit.fluxcd.io/reconcile: disabled",
          ),
          change("Service/apps/new", "created"),
        ],
      }),
    ),
    conclusion: "success",
    title: "production: 1 created, 1 configured, 1 deleted, 1 skipped",
    summary: ["| ✅ `flux-system/apps` | `clusters/production` | `0f3c2a1` | 1 | 1 | 1 | 1 | 1 | — | 1.2s |"],
    text: [
      "- `Service/apps/new` created\n- `Deployment/apps/web` configured\n- `ConfigMap/apps/old` deleted",
      "- `Secret/apps/manual` skipped: annotation kustomize.toolkit.fluxcd.io/reconcile: disabled",
      "<details><summary>1 object unchanged</summary>",
    ],
    annotations: [],
  },
  {
    name: "a failed validation: problems with their files, a dependent unit skipped",
    result: resultOf(
      unit({
        status: "failed",
        phases: ["build", "validate"],
        problems: [
          {
            message: 'spec.replicas: Invalid value: "three": must be an integer',
            subject: "Deployment/apps/web",
            origin: { file: "apps/web.yaml", line: 12 },
          },
          {
            message: "metadata.name: Invalid value: Web_1",
            subject: "Service/apps/Web_1",
            origin: { file: "apps/service.yaml", line: 3 },
          },
        ],
      }),
      unit({
        name: "flux-system/monitoring",
        path: "monitoring",
        status: "skipped",
        phases: [],
        durationMs: 0,
        problems: [{ message: "dependency flux-system/apps did not succeed" }],
      }),
    ),
    conclusion: "failure",
    title: "production: failed — 2 objects invalid, 1 unit skipped",
    summary: [
      "Sync of `clusters/production` at `0f3c2a1` to **production** failed after 2.5s: 2 objects invalid, 1 unit skipped.",
      "| ❌ `flux-system/apps` | `clusters/production` | `0f3c2a1` | 0 | 0 | 0 | 0 | 0 | — | 1.2s |",
      "| ⏭️ `flux-system/monitoring` | `monitoring` | `0f3c2a1` | 0 | 0 | 0 | 0 | 0 | — | 0ms |",
      "| **Total** |  |  | **0** | **0** | **0** | **0** | **0** | — | 2.5s |",
      "### 3 problems",
      "Annotated on the file and line they came from: 2 of 3.",
      '- **`flux-system/apps`** · `apps/web.yaml:12` `Deployment/apps/web`: spec.replicas: Invalid value: "three": must be an integer',
      "- **`flux-system/apps`** · `apps/service.yaml:3` `Service/apps/Web_1`: metadata.name: Invalid value: Web\\_1",
      "- **`flux-system/monitoring`** dependency flux-system/apps did not succeed",
    ],
    text: [
      "### ❌ `flux-system/apps` · `clusters/production` · failed in 1.2s",
      "_Nothing applied._",
      "### ⏭️ `flux-system/monitoring` · `monitoring` · skipped in 0ms",
    ],
    annotations: [
      ["apps/web.yaml", 12, "flux-system/apps: Deployment/apps/web"],
      ["apps/service.yaml", 3, "flux-system/apps: Service/apps/Web_1"],
    ],
  },
  {
    name: "a build error in a file whose line is not known: annotated on line 1",
    result: resultOf(
      unit({
        status: "failed",
        phases: ["build"],
        problems: [
          {
            message: "accumulating resources: 'deployment.yaml' not found\nkustomize build failed",
            origin: { file: "./apps/kustomization.yaml" },
          },
        ],
      }),
    ),
    conclusion: "failure",
    title: "production: failed — 1 build error",
    summary: [
      "- `apps/kustomization.yaml` accumulating resources: 'deployment.yaml' not found",
      "  ```",
      "  kustomize build failed",
    ],
    text: ["_Nothing applied._"],
    annotations: [["apps/kustomization.yaml", 1, "flux-system/apps"]],
  },
  {
    name: "a timeout: objects not ready, with kstatus' messages",
    result: resultOf(
      unit({
        status: "failed",
        changes: [change("Deployment/apps/web", "created"), change("Deployment/apps/worker", "configured")],
        health: [
          health("Namespace/apps", "Current"),
          health("Deployment/apps/web", "InProgress", "Available: 0/3 replicas ready"),
          health("Deployment/apps/worker", "Failed", "Progress deadline exceeded"),
        ],
        problems: [
          {
            message:
              "timeout waiting for 2 object(s) after 300s: Deployment/apps/web is InProgress: Available: 0/3 replicas ready",
            subject: "Deployment/apps/web",
          },
          {
            message:
              "timeout waiting for 2 object(s) after 300s: Deployment/apps/worker is Failed: Progress deadline exceeded",
            subject: "Deployment/apps/worker",
          },
        ],
      }),
    ),
    conclusion: "failure",
    title: "production: failed — 2 objects not ready; 1 created, 1 configured",
    summary: [
      "| ❌ `flux-system/apps` | `clusters/production` | `0f3c2a1` | 1 | 1 | 0 | 0 | 0 | 1 / 3 ready | 1.2s |",
      "- `Deployment/apps/web`: timeout waiting for 2 object(s) after 300s: Deployment/apps/web is InProgress: Available: 0/3 replicas ready",
    ],
    text: [
      "- `Deployment/apps/web` created",
      "**Not ready**",
      "- `Deployment/apps/web` InProgress: Available: 0/3 replicas ready",
      "- `Deployment/apps/worker` Failed: Progress deadline exceeded",
    ],
    absent: ["- `Namespace/apps` Current"],
    annotations: [],
  },
  {
    name: "a HelmRelease Ferry does not reconcile yet: listed, not a failure",
    result: resultOf(
      unit({
        changes: [change("HelmRepository/apps/bitnami", "created")],
        notSupported: [
          {
            subject: "HelmRelease/apps/redis",
            reason: "HelmRelease is not supported yet",
            origin: { file: "apps/redis.yaml", line: 3 },
          },
        ],
      }),
    ),
    conclusion: "success",
    title: "production: 1 created",
    summary: ["| ✅ `flux-system/apps` | `clusters/production` | `0f3c2a1` | 1 | 0 | 0 | 0 | 0 | — | 1.2s |"],
    text: [
      "**Not supported yet**",
      "- `HelmRelease/apps/redis` (`apps/redis.yaml:3`): HelmRelease is not supported yet",
    ],
    absent: ["problem"],
    annotations: [],
  },
  {
    name: "nothing to reconcile",
    result: resultOf(),
    conclusion: "success",
    title: "production: nothing to reconcile",
    summary: ["Synced `clusters/production` at `0f3c2a1` to **production** in 2.5s: nothing to reconcile."],
    text: ["No unit was reconciled."],
    absent: ["| Unit |"],
    annotations: [],
  },
];

describe("checkRunOutput", () => {
  it.each(cases)("$name", (c) => {
    const out = checkRunOutput(c.result, target);
    expect(out.conclusion).toBe(c.conclusion);
    expect(out.output.title).toBe(c.title);
    const summary = out.output.summary;
    const text = out.output.text;
    for (const line of c.summary)
      expect(summary.includes(line) && linesOf(summary).includes(linesOf(line)[0])).toBe(true);
    for (const line of c.text)
      expect(text.includes(line) && linesOf(text).includes(linesOf(line)[0])).toBe(true);
    for (const gone of c.absent ?? []) expect(JSON.stringify(out)).not.toContain(gone);
    const annotations = out.annotations.flat();
    expect(annotations.map((a) => [a.path, a.start_line, a.title])).toEqual(c.annotations);
    for (const a of annotations) {
      expect(a.end_line).toBe(a.start_line);
      expect(a.annotation_level).toBe("failure");
    }
  });

  it("shows each summary line a user reads, not merely a substring of one", () => {
    const out = checkRunOutput(cases[0].result, target);
    expect(linesOf(out.output.summary)).toContain(
      "| ✅ `flux-system/apps` | `clusters/production` | `0f3c2a1` | 3 | 0 | 0 | 0 | 0 | 2 / 2 ready | 1.2s |",
    );
    expect(linesOf(out.output.text)).toContain("- `Deployment/apps/web` created");
  });

  it("gives the annotation the problem's message whole, its lines included", () => {
    const out = checkRunOutput(cases[4].result, target);
    expect(out.annotations[0][0].message).toBe(
      "accumulating resources: 'deployment.yaml' not found\nkustomize build failed",
    );
  });

  it("is neutral for a run that changed nothing only when asked", () => {
    const noop = cases[1].result;
    expect(checkRunOutput(noop, target).conclusion).toBe("success");
    expect(checkRunOutput(noop, target, { neutralWhenUnchanged: true }).conclusion).toBe("neutral");
    expect(checkRunOutput(cases[0].result, target, { neutralWhenUnchanged: true }).conclusion).toBe(
      "success",
    );
    expect(checkRunOutput(cases[3].result, target, { neutralWhenUnchanged: true }).conclusion).toBe(
      "failure",
    );
  });

  it("links a problem's file and line at the commit when the repository is known", () => {
    const out = checkRunOutput(cases[3].result, target, { repositoryUrl: "https://github.com/acme/fleet/" });
    expect(linesOf(out.output.summary)).toContain(
      `- **\`flux-system/apps\`** · [\`apps/web.yaml:12\`](https://github.com/acme/fleet/blob/${SHA}/apps/web.yaml#L12) \`Deployment/apps/web\`: spec.replicas: Invalid value: "three": must be an integer`,
    );
  });

  it("escapes Markdown in messages so a message cannot open a tag, a link or a table cell", () => {
    const result = resultOf(
      unit({ status: "failed", phases: ["build"], problems: [{ message: "bad <details> [x](y) a|b *c*" }] }),
    );
    expect(linesOf(checkRunOutput(result, target).output.summary)).toContain(
      "- bad \\<details\\> \\[x\\](y) a\\|b \\*c\\*",
    );
  });
});

describe("checkRunOutput within GitHub's limits", () => {
  const NOTE = /^… ([\d,]+) more objects not shown \(limit of GitHub check runs\)$/;

  it("cuts a change list of 2,000 created objects at a line, within 65,535 bytes, with the count left out", () => {
    const out = checkRunOutput(resultOf(unit({ changes: objects(2_000, "created") })), target);
    const text = out.output.text;
    expect(bytes(text)).toBeLessThanOrEqual(LIMIT);
    expect(bytes(text)).toBeGreaterThan(LIMIT - 200);
    const lines = linesOf(text);
    const note = NOTE.exec(lines.at(-1) ?? "");
    expect(note).not.toBeNull();
    const listed = lines.filter((l) => /^- `ConfigMap\/apps\/config-\d{4}` created$/.test(l)).length;
    expect(listed).toBeGreaterThan(1_000);
    expect(listed + Number(note?.[1].replaceAll(",", ""))).toBe(2_000);
    // The title and summary still count all of them.
    expect(out.output.title).toBe("production: 2,000 created");
    expect(out.output.summary).toContain("| 2,000 | 0 | 0 | 0 | 0 |");
  });

  it("counts 2,000 unchanged objects instead of listing them, so another unit's changes still show", () => {
    const out = checkRunOutput(
      resultOf(
        unit({ changes: objects(2_000, "unchanged") }),
        unit({ name: "flux-system/web", path: "web", changes: [change("Deployment/web/web", "configured")] }),
      ),
      target,
    );
    const lines = linesOf(out.output.text);
    expect(lines).toContain("2,000 objects unchanged (not listed: limit of GitHub check runs).");
    expect(lines).toContain("- `Deployment/web/web` configured");
    expect(out.output.text).not.toContain("<details>");
    expect(out.output.text).not.toContain("not shown");
  });

  it("cuts a summary of 3,000 problems with the count of problems left out", () => {
    const problems: Problem[] = Array.from({ length: 3_000 }, (_, i) => ({
      message: `object ${i} was refused by the API server`,
    }));
    const out = checkRunOutput(resultOf(unit({ status: "failed", problems })), target);
    const summary = out.output.summary;
    expect(bytes(summary)).toBeLessThanOrEqual(LIMIT);
    const note = /^… ([\d,]+) more problems not shown \(limit of GitHub check runs\)$/.exec(
      linesOf(summary).at(-1) ?? "",
    );
    expect(note).not.toBeNull();
    const listed = linesOf(summary).filter((l) => /^- object \d+ was refused/.test(l)).length;
    expect(listed + Number(note?.[1].replaceAll(",", ""))).toBe(3_000);
    // The table comes first, so it is never what gets cut.
    expect(summary).toContain("| ❌ `flux-system/apps` |");
  });

  it("counts bytes, not characters: multibyte messages near the limit are cut whole, UTF-8 intact", () => {
    // 150 messages of 150 three- and four-byte characters: about 23,000 characters but 80,000 bytes,
    // so a cut by characters would let it through.
    const message = (i: number) => `${i}: ${"設定エラー🚀".repeat(25)}`;
    const problems: Problem[] = Array.from({ length: 150 }, (_, i) => ({ message: message(i) }));
    // One message far longer than a list item may be: cut inside, between characters.
    problems.unshift({ message: "🚀".repeat(3_000) });
    const out = checkRunOutput(resultOf(unit({ status: "failed", problems })), target);
    const summary = out.output.summary;
    expect(summary.length).toBeLessThan(LIMIT);
    expect(bytes(summary)).toBeLessThanOrEqual(LIMIT);
    expect(bytes(summary)).toBeGreaterThan(LIMIT - 1_000);
    expect(Buffer.from(summary, "utf8").toString("utf8")).toBe(summary);
    expect(summary).not.toContain("\uFFFD");
    expect(linesOf(summary).at(-1)).toMatch(/^… \d+ more problems not shown \(limit of GitHub check runs\)$/);
    expect(linesOf(summary)).toContain(`- ${message(0)}`);
    const long = linesOf(summary).find((l) => l.startsWith("- 🚀"));
    expect(long?.endsWith("🚀…")).toBe(true);
    expect(bytes(long ?? "")).toBeLessThanOrEqual(4_002);
  });

  it("puts 120 annotations in requests of 50, 50 and 20, in order", () => {
    const problems: Problem[] = Array.from({ length: 120 }, (_, i) => ({
      message: `invalid object ${i}`,
      subject: `ConfigMap/apps/c${i}`,
      origin: { file: `apps/c${i}.yaml`, line: i + 1 },
    }));
    // Problems without a file stay in the summary only.
    problems.push({ message: "no file for this one" });
    const out = checkRunOutput(
      resultOf(unit({ status: "failed", phases: ["build", "validate"], problems })),
      target,
    );
    expect(out.annotations.map((c) => c.length)).toEqual([50, 50, 20]);
    const all = out.annotations.flat();
    expect(all[0]).toEqual({
      path: "apps/c0.yaml",
      start_line: 1,
      end_line: 1,
      annotation_level: "failure",
      title: "flux-system/apps: ConfigMap/apps/c0",
      message: "invalid object 0",
    });
    expect(all[119].path).toBe("apps/c119.yaml");
    expect(all.some((a) => a.message === "no file for this one")).toBe(false);
    expect(out.output.summary).toContain("- no file for this one");
    expect(out.output.title).toBe("production: failed — 121 objects invalid");
  });

  it("keeps the title within 255 characters", () => {
    const out = checkRunOutput(resultOf(unit({ changes: objects(3, "created") })), {
      ...target,
      cluster: `cluster-${"é".repeat(300)}`,
    });
    expect([...out.output.title].length).toBe(255);
    expect(out.output.title.endsWith("…")).toBe(true);
  });

  it("keeps an annotation's title within 255 characters and its message within 64 KB", () => {
    const out = checkRunOutput(
      resultOf(
        unit({
          status: "failed",
          problems: [
            {
              message: "x".repeat(70_000),
              subject: `ConfigMap/apps/${"n".repeat(300)}`,
              origin: { file: "a.yaml" },
            },
          ],
        }),
      ),
      target,
    );
    const [a] = out.annotations[0];
    expect([...a.title].length).toBeLessThanOrEqual(255);
    expect(bytes(a.message)).toBeLessThanOrEqual(LIMIT);
    expect(a.message.endsWith("…")).toBe(true);
  });
});

describe("checkRunOutput and Secret values", () => {
  const SECRET = "s3cr3t-Pa55word!";
  const BASE64 = Buffer.from(SECRET).toString("base64");

  const leaky = resultOf(
    unit({
      status: "failed",
      changes: [change("Secret/apps/db", "skipped", `field is immutable: data.password: ${BASE64}`)],
      health: [health("Deployment/apps/web", "Failed", `env DB_PASSWORD=${SECRET} rejected`)],
      problems: [
        {
          message: `Secret "db" is invalid: data[password]: Invalid value: "${SECRET}"`,
          subject: "Secret/apps/db",
          origin: { file: "apps/secret.yaml", line: 4 },
        },
        { message: `stringData was ${BASE64}`, origin: { file: "apps/secret.yaml" } },
        { message: `kustomize: "${SECRET}" is not a valid label`.repeat(3) },
      ],
      notSupported: [{ subject: "HelmRelease/apps/db", reason: `values.password=${SECRET}` }],
    }),
  );

  const everything = (out: CheckRunOutput) =>
    [
      out.output.title,
      out.output.summary,
      out.output.text,
      ...out.annotations.flat().flatMap(Object.values),
    ].join("\n");

  it("shows the value when no secret value is given (so the test below can fail)", () => {
    const all = everything(checkRunOutput(leaky, target));
    expect(all).toContain(SECRET);
    expect(all).toContain(BASE64);
  });

  it("masks a Secret value, plain and base64, in title, summary, text and annotations", () => {
    const out = checkRunOutput(leaky, target, { secretValues: [SECRET] });
    const all = everything(out);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(BASE64);
    expect(all).not.toContain(BASE64.replace(/=+$/, ""));
    expect(out.annotations[0][0].message).toBe(
      'Secret "db" is invalid: data[password]: Invalid value: "***"',
    );
    expect(out.annotations[0][1].message).toBe("stringData was ***");
    expect(linesOf(out.output.text)).toContain(
      "- `Deployment/apps/web` Failed: env DB\\_PASSWORD=\\*\\*\\* rejected",
    );
  });

  it("masks a value given as a Secret's base64 data in its decoded form too", () => {
    const all = everything(checkRunOutput(leaky, target, { secretValues: [BASE64] }));
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(BASE64);
  });

  it("masks a value in the target and in messages cut to the limit", () => {
    const problems: Problem[] = Array.from({ length: 4_000 }, (_, i) => ({
      message: `object ${i}: ${SECRET} ${SECRET}`,
    }));
    const out = checkRunOutput(
      resultOf(unit({ status: "failed", problems })),
      { ...target, path: `x/${SECRET}` },
      {
        secretValues: [SECRET],
      },
    );
    expect(out.output.summary).toContain("not shown");
    expect(everything(out)).not.toContain(SECRET);
    // Not even a piece of it at the end of a cut line.
    expect(everything(out)).not.toContain(SECRET.slice(0, 8));
  });
});
