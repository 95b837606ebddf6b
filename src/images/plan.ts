/**
 * The update plan: which pull requests a repository's image policies make. With
 * ImageUpdateAutomation objects, one group per automation (its `update.path`, the policies of its
 * namespace or of its `policySelector`, as Flux selects them); without any, `.github/ferry.yml`
 * `images:` turns updates on for the synced paths with every policy found there. `groupBy: policy`
 * splits each group into one per policy. Each group's setters run on the checked-out base.
 */
import { matchesLabels } from "../model/label-selector.js";
import type { Problem } from "../model/result.js";
import type { ImageUpdateAutomation } from "./kinds.js";
import { namespaceOf, type PolicyOutcome } from "./resolve.js";
import type { Located } from "./scan.js";
import { type FileUpdate, type PolicyResult, updateTree } from "./setters/index.js";

export interface GroupSettings {
  groupBy: "automation" | "policy";
  /** The branch name template, with `{automation}` and `{policy}`. */
  branch: string;
  /** The synced paths, where updates apply when there is no automation object. */
  syncedPaths: readonly string[];
}

export interface UpdateGroup {
  /** The automation's name (`all` without one), or the policy's with `groupBy: policy`. */
  name: string;
  automation?: Located<ImageUpdateAutomation>;
  /** The pull request's branch. */
  branch: string;
  /** Repository-relative folders whose marked files are updated. */
  paths: string[];
  /** The policies whose markers this group rewrites. */
  policies: PolicyOutcome[];
}

/** What no-automation mode calls its single group in branch names. */
export const DEFAULT_GROUP = "all";

export function planGroups(
  automations: readonly Located<ImageUpdateAutomation>[],
  outcomes: readonly PolicyOutcome[],
  settings: GroupSettings,
): UpdateGroup[] {
  const groups: Array<Omit<UpdateGroup, "branch"> & { policyName?: string }> = [];
  const active = automations.filter((a) => !a.spec.suspend);
  if (active.length === 0) {
    groups.push({ name: DEFAULT_GROUP, paths: [...settings.syncedPaths], policies: [...outcomes] });
  }
  for (const automation of active) {
    const namespace = namespaceOf(automation);
    const selector = automation.spec.policySelector;
    // Flux: the automation's namespace only; a selector picks by labels among those.
    const policies = outcomes.filter(
      (o) =>
        namespaceOf(o.policy) === namespace &&
        (!selector ||
          matchesLabels(selector, (o.policy.metadata as { labels?: Record<string, string> }).labels)),
    );
    groups.push({
      name: automation.metadata.name,
      automation,
      paths: [automation.spec.update.path ?? "."],
      policies,
    });
  }
  const split =
    settings.groupBy === "policy"
      ? groups.flatMap((g) =>
          g.policies.map((policy) => ({
            ...g,
            name: policy.policy.metadata.name,
            policyName: policy.policy.metadata.name,
            policies: [policy],
          })),
        )
      : groups;
  return split.map(({ policyName, ...group }) => ({
    ...group,
    branch:
      group.automation?.spec.git?.push?.branch ??
      settings.branch
        .replaceAll("{automation}", group.automation?.metadata.name ?? DEFAULT_GROUP)
        .replaceAll("{policy}", policyName ?? group.name),
  }));
}

/** The resolved policies of a group, keyed as markers name them. */
export function policiesOf(group: UpdateGroup): Map<string, PolicyResult> {
  return new Map(group.policies.flatMap((o) => (o.result ? [[o.key, o.result] as const] : [])));
}

/** The files a group changes in the checkout at `root` (nothing is written), and the files it could not read. */
export async function applyGroup(
  root: string,
  group: UpdateGroup,
): Promise<{ files: FileUpdate[]; problems: Problem[] }> {
  const policies = policiesOf(group);
  const files = new Map<string, FileUpdate>();
  const problems: Problem[] = [];
  for (const path of group.paths) {
    const update = await updateTree(root, path, policies);
    for (const file of update.files) files.set(file.path, file);
    problems.push(...update.problems);
  }
  return {
    files: [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    problems,
  };
}
