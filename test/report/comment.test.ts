/**
 * The commit comment: when one is written (`comments: failures | always | never`), and what it says
 * (outcome, per-unit table, the first problems, the link to the check run), with its marker.
 */
import { describe, expect, it } from "vitest";
import type { ReconcileResult, UnitResult } from "../../src/model/result.js";
import { COMMENT_PROBLEMS, commentMarker, commitComment, shouldComment } from "../../src/report/comment.js";

const SHA = "0f3c2a1b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
const target = { cluster: "production", path: "clusters/production", sha: SHA };
const RUN = "https://github.com/acme/fleet/runs/42";

function unit(fields: Partial<UnitResult>): UnitResult {
  return {
    name: "flux-system/apps",
    path: "clusters/production",
    status: "succeeded",
    changes: [],
    health: [],
    timings: [{ phase: "apply", ms: 5 }],
    problems: [],
    notSupported: [],
    consumed: [],
    durationMs: 800,
    ...fields,
  };
}

const resultOf = (...units: UnitResult[]): ReconcileResult => ({
  units,
  ok: units.every((u) => u.status === "succeeded"),
  durationMs: 1_500,
});

const ref = { group: "apps", version: "v1", kind: "Deployment", namespace: "apps", name: "web" };
const succeeded = resultOf(
  unit({ changes: [{ ref, subject: "Deployment/apps/web", action: "configured" }] }),
);
const failed = resultOf(
  unit({
    status: "failed",
    timings: [{ phase: "build", ms: 5 }],
    problems: Array.from({ length: 8 }, (_, i) => ({
      message: `unknown field "spec.replica${i}"`,
      subject: `Deployment/apps/web${i}`,
      origin: { file: "apps/web.yaml", line: i + 10 },
    })),
  }),
);

describe("shouldComment", () => {
  it.each([
    ["failures", succeeded, false],
    ["failures", failed, true],
    ["always", succeeded, true],
    ["always", failed, true],
    ["never", succeeded, false],
    ["never", failed, false],
  ] as const)("%s, ok=%s", (setting, result, expected) => {
    expect(shouldComment(setting, result)).toBe(expected);
  });
});

describe("commitComment", () => {
  it("says what failed, lists the first problems and links the check run", () => {
    const body = commitComment(failed, target, RUN, { repositoryUrl: "https://github.com/acme/fleet" });
    const lines = body.split("\n");
    expect(lines[0]).toBe("<!-- ferry:production:clusters%2Fproduction -->");
    expect(lines).toContain("### ❌ Ferry / production failed");
    expect(lines).toContain(
      "Sync of `clusters/production` at `0f3c2a1` to **production** failed after 1.5s: 8 build errors.",
    );
    expect(lines).toContain(
      "| ❌ `flux-system/apps` | `clusters/production` | `0f3c2a1` | 0 | 0 | 0 | 0 | 0 | — | 800ms |",
    );
    expect(lines).toContain("**8 problems**");
    expect(lines).toContain(
      `- [\`apps/web.yaml:10\`](https://github.com/acme/fleet/blob/${SHA}/apps/web.yaml#L10) \`Deployment/apps/web0\`: unknown field "spec.replica0"`,
    );
    const listed = lines.filter((l) => l.includes("unknown field"));
    expect(listed).toHaveLength(COMMENT_PROBLEMS);
    expect(lines).toContain("- … 3 more problems in the check run");
    expect(lines.at(-1)).toBe(`[Details in the check run](${RUN})`);
  });

  it("says what changed when the run succeeded, with no problem section", () => {
    const body = commitComment(succeeded, target, RUN);
    const lines = body.split("\n");
    expect(lines).toContain("### ✅ Ferry / production synced");
    expect(lines).toContain(
      "Synced `clusters/production` at `0f3c2a1` to **production** in 1.5s: 1 configured.",
    );
    expect(body).not.toContain("problem");
    expect(lines.at(-1)).toBe(`[Details in the check run](${RUN})`);
  });

  it("carries the same marker for every run of a target, a different one for another target", () => {
    expect(commitComment(succeeded, target, RUN).split("\n")[0]).toBe(commentMarker(target));
    expect(commitComment(failed, { ...target, sha: "f".repeat(40) }, RUN).split("\n")[0]).toBe(
      commentMarker(target),
    );
    expect(commentMarker({ ...target, cluster: "staging" })).not.toBe(commentMarker(target));
    // A name cannot end the HTML comment early.
    expect(commentMarker({ cluster: "a-->b", path: "p" })).toBe("<!-- ferry:a--%3Eb:p -->");
  });

  it("stays short: a long message is cut, the link kept", () => {
    const long = resultOf(unit({ status: "failed", problems: [{ message: "e".repeat(10_000) }] }));
    const body = commitComment(long, target, RUN);
    expect(Buffer.byteLength(body)).toBeLessThan(2_000);
    expect(body).toContain(`${"e".repeat(100)}…`);
    expect(body.endsWith(`[Details in the check run](${RUN})`)).toBe(true);
  });

  it("masks Secret values, plain and base64", () => {
    const secret = "correct-horse-battery";
    const base64 = Buffer.from(secret).toString("base64");
    const leaky = resultOf(
      unit({
        status: "failed",
        problems: [
          { message: `Invalid value: "${secret}" (${base64})`, origin: { file: "apps/s.yaml", line: 2 } },
        ],
      }),
    );
    expect(commitComment(leaky, target, RUN)).toContain(secret);
    const body = commitComment(leaky, target, RUN, { secretValues: [secret] });
    expect(body).not.toContain(secret);
    expect(body).not.toContain(base64);
    expect(body).toContain('Invalid value: "\\*\\*\\*" (\\*\\*\\*)');
  });
});
