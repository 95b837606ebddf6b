/** `ferry diff PATH`: what `ferry apply` would change, as unified diffs, without writing. */
import { Command } from "commander";
import { formatProblem } from "../build/errors.js";
import { diffTree } from "../reconcile/diff.js";
import { type CliIO, ExitCode } from "./io.js";
import { addTargetOptions, openTarget, type TargetOptions } from "./target.js";

export function diffCommand(io: CliIO): Command {
  return addTargetOptions(
    new Command("diff").description("dry-run a build against a cluster and show the per-object diff"),
  )
    .helpOption("-h, --help", "show this help")
    .addHelpText(
      "after",
      "\nHelmReleases show the objects helm would change (helm upgrade --dry-run=server against the deployed release); values are never shown. Secret values are masked. Exit code 0 when nothing would change, 1 when something would, 2 on error (as kubectl diff).\n",
    )
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .action(async (path: string, options: TargetOptions) => {
      let target: Awaited<ReturnType<typeof openTarget>>;
      try {
        target = await openTarget(io, path, options);
      } catch (e) {
        io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
        throw new ExitCode(2);
      }
      try {
        const result = await diffTree(target.ctx, target.root);
        for (const unit of result.units) {
          for (const change of unit.changes) {
            const verb =
              change.action === "deleted" ? "would be deleted (prune)" : `would be ${change.action}`;
            io.out(`${change.subject} ${verb}${change.reason ? `: ${change.reason}` : ""}\n`);
            if (change.diff) io.out(change.diff.endsWith("\n") ? change.diff : `${change.diff}\n`);
          }
          for (const problem of unit.problems) io.err(`✗ ${unit.name}: ${formatProblem(problem)}\n`);
        }
        if (!result.ok) throw new ExitCode(2);
        if (result.changed) throw new ExitCode(1);
      } finally {
        await target.close();
      }
    });
}
