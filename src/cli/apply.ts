/** `ferry apply PATH`: reconcile a path and the Flux Kustomizations it yields against a cluster. */
import { Command } from "commander";
import { formatProblem } from "../build/errors.js";
import type { ReconcileResult, UnitResult } from "../model/result.js";
import { reconcileTree } from "../reconcile/run.js";
import type { ProgressEvent } from "../reconcile/unit.js";
import { type CliIO, ExitCode } from "./io.js";
import { addTargetOptions, openTarget, type TargetOptions } from "./target.js";

interface ApplyOptions extends TargetOptions {
  output: string;
}

export function applyCommand(io: CliIO): Command {
  return addTargetOptions(
    new Command("apply").description("apply a build to a cluster (staged server-side apply, prune, wait)"),
  )
    .option("-o, --output <format>", "text or json", "text")
    .helpOption("-h, --help", "show this help")
    .addHelpText(
      "after",
      [
        "",
        "PATH is the root unit; every Flux Kustomization it yields on this repository is reconciled after",
        "it, in dependsOn order, with its own prune, wait, timeout and inventory. Prints one line per object",
        "(Kind/namespace/name action), grouped by unit, then a summary. Exit code 0 when every unit succeeded.",
        "",
      ].join("\n"),
    )
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .action(async (path: string, options: ApplyOptions) => {
      if (options.output !== "text" && options.output !== "json") {
        throw new Error(`--output ${options.output}: use text or json`);
      }
      const target = await openTarget(io, path, options);
      let result: ReconcileResult;
      try {
        const progress = options.output === "text" ? progressPrinter(io) : undefined;
        result = await reconcileTree(
          { ...target.ctx, ...(progress ? { onProgress: progress } : {}) },
          target.root,
        );
      } finally {
        await target.close();
      }
      if (options.output === "json") io.out(`${JSON.stringify(result, null, 2)}\n`);
      else io.out(formatResult(result));
      if (!result.ok) throw new ExitCode(1);
    });
}

/** Phase by phase on a terminal (one line rewritten); nothing extra when output is not a terminal. */
function progressPrinter(io: CliIO): ((event: ProgressEvent) => void) | undefined {
  if (!io.isTTY) return undefined;
  return (event) => {
    if (event.phase === "done") io.err("\r\x1b[2K");
    else io.err(`\r\x1b[2K► ${event.unit}: ${event.phase}…`);
  };
}

export function formatUnit(unit: UnitResult): string {
  const lines = [`► ${unit.name} (${unit.path}): ${unit.status}`];
  for (const change of unit.changes) {
    lines.push(`${change.subject} ${change.action}${change.reason ? ` (${change.reason})` : ""}`);
  }
  for (const item of unit.notSupported) lines.push(`${item.subject} not supported yet: ${item.reason}`);
  for (const health of unit.health.filter((h) => h.status !== "Current")) {
    lines.push(`${health.subject} ${health.status}: ${health.message}`);
  }
  for (const problem of unit.problems) lines.push(`✗ ${formatProblem(problem)}`);
  return `${lines.join("\n")}\n`;
}

export function formatResult(result: ReconcileResult): string {
  const count = (action: string) =>
    result.units.reduce((n, u) => n + u.changes.filter((c) => c.action === action).length, 0);
  const notSucceeded = result.units.filter((u) => u.status !== "succeeded").length;
  const counts = ["created", "configured", "unchanged", "deleted", "skipped"]
    .map((a) => `${count(a)} ${a}`)
    .join(", ");
  const units = `${result.units.length} unit${result.units.length === 1 ? "" : "s"}${notSucceeded ? ` (${notSucceeded} not succeeded)` : ""}`;
  return `${result.units.map(formatUnit).join("\n")}\n${units}: ${counts} in ${(result.durationMs / 1000).toFixed(1)}s\n`;
}
