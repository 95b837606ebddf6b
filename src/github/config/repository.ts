/**
 * `.github/ferry.yml`: which path of the repository syncs to which cluster from which branch, how
 * (prune, wait, timeout, drift-check interval), when Ferry comments on commits, and how image
 * update pull requests are made. Read through Probot's `context.config` (so `_extends` works) and
 * validated here; durations become milliseconds.
 */
import { z } from "zod";
import { normalizeRepoPath } from "../../build/paths.js";
import { type ConfigResult, readYaml, validate } from "./problems.js";
import { clusterNameHelp, clusterNamePattern, duration, durationOrOff, text } from "./values.js";

/** Where Probot's `context.config("ferry.yml")` reads the file. */
export const repositoryConfigFile = ".github/ferry.yml";

export interface SyncTarget {
  /** A cluster of the operator file (`default` in single-tenant mode). */
  cluster: string;
  /** The Flux-style entry path, relative to the repository root (`.` for the root). */
  path: string;
  /** The branch whose pushes sync; absent: the repository's default branch. */
  branch?: string;
  prune: boolean;
  wait: boolean;
  /** Milliseconds. */
  timeout: number;
  /** Milliseconds between drift checks; 0 = off. */
  interval: number;
}

export type CommentPolicy = "failures" | "always" | "never";

export interface ImagePullRequests {
  /** With `{automation}` or `{policy}` placeholders. */
  branch: string;
  groupBy: "automation" | "policy";
  labels: string[];
}

export interface RepositoryConfig {
  sync: SyncTarget[];
  comments: CommentPolicy;
  images: {
    /**
     * Whether image updates run without ImageUpdateAutomation objects (for the synced paths); true
     * when the file has an `images` section. Automation objects turn updates on by themselves, and
     * `enabled: false` turns every update off.
     */
    enabled: boolean;
    /** False only with `images.enabled: false`. */
    allowed: boolean;
    pullRequests: ImagePullRequests;
  };
}

const quoted = (value: unknown) => (typeof value === "string" ? JSON.stringify(value) : String(value));

const syncTarget = z
  .strictObject({
    cluster: text("a cluster name from the operator file")
      .regex(clusterNamePattern, {
        error: (issue) => `${quoted(issue.input)} is not a cluster name; ${clusterNameHelp}`,
      })
      .meta({
        description: 'A cluster of the operator\'s file ("default" when Ferry runs without one).',
        examples: ["default", "production"],
      }),
    path: text("a path in the repository, such as clusters/production")
      .transform((value, ctx) => {
        const path = normalizeRepoPath(value);
        if (path === undefined) {
          ctx.addIssue({
            code: "custom",
            input: value,
            message: `${JSON.stringify(value)} leaves the repository; write a path inside it, such as clusters/production`,
          });
          return z.NEVER;
        }
        return path;
      })
      .meta({ description: "The Flux-style entry path, relative to the repository root." }),
    branch: text("a branch name, such as main")
      .regex(/^(?!refs\/)[^\s~^:?*[\\]+$/, {
        error: (issue) =>
          `${quoted(issue.input)} is not a branch name; write the name alone, such as main (not refs/heads/main)`,
      })
      .optional()
      .meta({ description: "The branch whose pushes sync. Default: the repository's default branch." }),
    prune: z.boolean().default(true).meta({
      description: "Delete objects Ferry applied earlier that are no longer in Git. Default: true.",
    }),
    wait: z
      .boolean()
      .default(true)
      .meta({ description: "Wait for the applied objects to become healthy. Default: true." }),
    timeout: duration
      .prefault("5m")
      .meta({ description: "How long a run may take, with `wait` included. Default: 5m." }),
    interval: durationOrOff.prefault("10m").meta({
      description: "How often Ferry reconciles again to find and correct drift; 0 = off. Default: 10m.",
    }),
  })
  .meta({ description: "One path of this repository synced to one cluster." });

const sync = z
  .array(syncTarget)
  .default([])
  .superRefine((targets, ctx) => {
    const seen = new Map<string, number>();
    targets.forEach((target, index) => {
      const key = JSON.stringify([target.cluster, target.path, target.branch ?? null]);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, index);
      else {
        ctx.addIssue({
          code: "custom",
          path: [index],
          input: target,
          message: `repeats sync[${first}] (same cluster, path and branch); remove one`,
        });
      }
    });
  })
  .meta({ description: "The paths of this repository Ferry syncs, and to which cluster." });

const branchTemplate = text("a branch name template, such as ferry/images/{automation}").refine(
  (value) =>
    [...value.matchAll(/\{([^}]*)\}/g)].every(([, name]) => name === "automation" || name === "policy"),
  { error: "may only use the placeholders {automation} and {policy}" },
);

const images = z
  .strictObject({
    enabled: z.boolean().optional().meta({
      description:
        "Image update pull requests: on when this section is present (for the synced paths' policies, or per ImageUpdateAutomation); false turns them off, automations included.",
    }),
    pullRequests: z
      .strictObject({
        branch: branchTemplate.default("ferry/images/{automation}").meta({
          description:
            "The branch of an image update pull request; `{automation}` and `{policy}` are replaced. Default: ferry/images/{automation}.",
        }),
        groupBy: z.enum(["automation", "policy"]).default("automation").meta({
          description: "One pull request per ImageUpdateAutomation, or per ImagePolicy. Default: automation.",
        }),
        labels: z
          .array(text("a label name"))
          .default([])
          .meta({ description: "Labels put on image update pull requests." }),
      })
      .prefault({})
      .meta({ description: "How image update pull requests are made." }),
  })
  .meta({ description: "Image update pull requests for the repository's ImagePolicies." });

export const repositoryConfigSchema = z
  .strictObject({
    _extends: z.string().optional().meta({
      description:
        "Another repository's file to start from (`repo` or `owner/repo:path`), merged by Probot before Ferry reads it.",
    }),
    sync,
    comments: z.enum(["failures", "always", "never"]).default("failures").meta({
      description: "When Ferry comments on a pushed commit: failures, always, never. Default: failures.",
    }),
    images: images.optional(),
  })
  .transform(({ _extends, images: section, ...config }): RepositoryConfig => {
    const { enabled, pullRequests } = section ?? images.parse({});
    return {
      ...config,
      images: {
        enabled: section !== undefined && enabled !== false,
        allowed: enabled !== false,
        pullRequests,
      },
    };
  })
  .meta({ description: "Ferry's repository configuration (.github/ferry.yml)." });

/** `.github/ferry.yml` from its text; every problem quotes the key and its line. */
export function parseRepositoryConfig(
  text: string,
  file: string = repositoryConfigFile,
): ConfigResult<RepositoryConfig> {
  const read = readYaml(text, file);
  if (!read.ok) return read;
  return validate(repositoryConfigSchema, read.value, file, read.lineOf);
}

/**
 * The configuration from a value Probot's `context.config` already parsed (null: no file, so the
 * defaults with nothing to sync). Problems name the key; lines are unknown.
 */
export function repositoryConfigFromObject(
  value: unknown,
  file: string = repositoryConfigFile,
): ConfigResult<RepositoryConfig> {
  return validate(repositoryConfigSchema, value ?? {}, file);
}

/** The targets a push to `branch` syncs, given the repository's default branch. */
export function targetsForBranch(
  config: Pick<RepositoryConfig, "sync">,
  branch: string,
  defaultBranch: string,
): SyncTarget[] {
  return config.sync.filter((target) => (target.branch ?? defaultBranch) === branch);
}
