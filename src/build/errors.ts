import { formatOrigin, type Origin } from "../model/object.js";
import { type Problem, ReconcileError } from "../model/result.js";

/**
 * A build that cannot go on: a path outside the repository, a remote base nobody allowed, a file
 * that is not Kubernetes YAML, a kustomize failure. Carries one problem per place to fix; a
 * problem's message says what is wrong and what to do, its origin says where.
 */
export class BuildError extends ReconcileError {
  override readonly name = "BuildError";

  /** One problem, at `origin` when given. */
  static at(origin: Origin | undefined, message: string): BuildError {
    return BuildError.of([{ message, ...(origin ? { origin } : {}) }]);
  }

  /** Several problems; the error's message lists them one a line with their places. */
  static of(problems: Problem[]): BuildError {
    return new BuildError(problems.map(formatProblem).join("\n"), problems);
  }
}

/** `apps/web.yaml:12: Deployment/apps/web: message`: a problem on one line, place first. */
export function formatProblem(problem: Problem): string {
  const where = formatOrigin(problem.origin);
  const subject =
    problem.subject && !problem.message.startsWith(problem.subject) ? `${problem.subject}: ` : "";
  return `${where ? `${where}: ` : ""}${subject}${problem.message}`;
}
