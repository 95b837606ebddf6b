/**
 * The image update flow: a published image (a registry event, a periodic scan, a push, the start-up
 * run) → for each repository using it: its image automation objects read from the default branch →
 * each ImagePolicy's latest tag → the marked values rewritten → one pull request per group, opened
 * or updated (never a push to the base branch), a `Ferry / image update` check run on its head; a
 * group whose changes the base branch already has closes its now-pointless pull request.
 */
import { posix } from "node:path";
import { parseDuration } from "../build/duration.js";
import { Workspace } from "../build/workspace.js";
import type { ImageRepository } from "../images/kinds.js";
import { commitMessage, defaultCommitMessage, TemplateError } from "../images/message/index.js";
import { applyGroup, planGroups } from "../images/plan.js";
import {
  type PublishedImage,
  parseImageReference,
  RegistryError,
  type TagLister,
} from "../images/registry/index.js";
import { imageOf, type KnownTags, type PolicyOutcome, resolvePolicies } from "../images/resolve.js";
import { type ImageObjects, scanImageObjects } from "../images/scan.js";
import { imageUpdateBody, imageUpdateTitle } from "../report/image-update.js";
import { fetchRevision } from "../source/index.js";
import type { OperatorConfig } from "./config/operator.js";
import type { RepositoryConfig } from "./config/repository.js";
import { proposeChange, withdrawChange } from "./pull-request.js";
import type { GitHub, Repository } from "./sync.js";

export const IMAGE_CHECK_RUN = "Ferry / image update";

export interface ImageUpdateServiceOptions {
  operator: OperatorConfig;
  registry: TagLister;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** Where fetched revisions go; default the OS temp folder. */
  cacheDir?: string;
  now?: () => number;
}

/** What one repository's update did, per group. */
export interface ImageUpdateResult {
  repository: string;
  groups: Array<{
    branch: string;
    action: "opened" | "updated" | "unchanged" | "declined" | "withdrawn" | "nothing";
    pullRequest?: number;
  }>;
  /** Policies that picked nothing, objects that are not valid. */
  problems: string[];
  /**
   * How soon to look again: the shortest `interval` of the ImageRepositories whose registry sends no
   * events (all but ghcr.io), at least a minute; absent when every image has events.
   */
  rescanMs?: number;
}

/** The registry that tells GitHub Apps of new tags (`registry_package` events). */
const EVENT_REGISTRIES = new Set(["ghcr.io"]);

interface TagEntry {
  listed: string[];
  listedAt: number;
  /** Tags (and digests) registry events announced, kept even when listing works (a listing may lag). */
  announced: Map<string, string | undefined>;
}

/** Listing again sooner than this is never needed (Flux's lower bound for scans). */
const MIN_SCAN_MS = 60_000;

export class ImageUpdateService {
  private readonly tags = new Map<string, TagEntry>();
  /** Repositories known to use images: full name → the images their ImageRepositories watch. */
  private readonly users = new Map<string, Set<string>>();
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly background = new Set<Promise<unknown>>();
  private readonly rescans = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: ImageUpdateServiceOptions) {}

  /** Runs `work` in the background (webhooks are answered first); a failure is logged. */
  track(work: () => Promise<unknown>): void {
    const running = work().catch((error: unknown) => {
      this.options.log.warn({ err: error }, "image update failed");
    });
    this.background.add(running);
    void running.finally(() => this.background.delete(running));
  }

  /**
   * Runs `update` again after `ms` for a repository whose registries send no events; a later call
   * replaces the timer, so each update schedules the next.
   */
  rescan(repository: Repository, ms: number, update: () => void): void {
    const key = fullName(repository);
    clearTimeout(this.rescans.get(key));
    const timer = setTimeout(() => {
      this.rescans.delete(key);
      update();
    }, ms);
    timer.unref();
    this.rescans.set(key, timer);
  }

  /** Stops every rescan timer. */
  stop(): void {
    for (const timer of this.rescans.values()) clearTimeout(timer);
    this.rescans.clear();
  }

  /** Resolves when no background update is running (tests wait on it). */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  /** Repositories seen using `image`. */
  usersOf(image: string): Repository[] {
    return [...this.users.entries()]
      .filter(([, images]) => images.has(image))
      .map(([name]) => {
        const [owner = "", repo = ""] = name.split("/");
        return { owner, repo };
      });
  }

  /**
   * A registry said `event.image:event.tag` was published: remembered for every policy of that image.
   * False when that tag was already announced with the same digest (a redelivery, or the same push
   * reported twice): nothing new to act on, and sync runs keep the pull requests current anyway.
   */
  announce(event: PublishedImage): boolean {
    const entry = this.entry(event.image);
    if (entry.announced.has(event.tag) && entry.announced.get(event.tag) === event.digest) return false;
    entry.announced.set(event.tag, event.digest);
    return true;
  }

  /**
   * Runs the update of one repository at the head of its default branch; updates of one repository
   * run one at a time (a second waits for the first, then sees its branch and pull request).
   */
  update(
    github: GitHub,
    repository: Repository,
    config: RepositoryConfig,
    defaultBranch: string,
  ): Promise<ImageUpdateResult> {
    const key = fullName(repository);
    const previous = this.running.get(key) ?? Promise.resolve();
    const run = previous.then(() => this.updateNow(github, repository, config, defaultBranch));
    const settled = run.catch(() => undefined);
    this.running.set(key, settled);
    void settled.then(() => {
      if (this.running.get(key) === settled) this.running.delete(key);
    });
    return run;
  }

  private async updateNow(
    github: GitHub,
    repository: Repository,
    config: RepositoryConfig,
    defaultBranch: string,
  ): Promise<ImageUpdateResult> {
    const result: ImageUpdateResult = { repository: fullName(repository), groups: [], problems: [] };
    if (!config.images.allowed || config.sync.length === 0) return result;
    const { data: branch } = await github.request("GET /repos/{owner}/{repo}/branches/{branch}", {
      ...repository,
      branch: defaultBranch,
    });
    const baseSha = branch.commit.sha;
    const checkout = await fetchRevision(
      github,
      { ...repository, sha: baseSha },
      {
        ...(this.options.cacheDir ? { cacheDir: this.options.cacheDir } : {}),
        sizeLimitBytes: this.options.operator.tarballSizeLimit,
        sizeLimitSetting: "`tarballSizeLimit` in the operator file (FERRY_CONFIG)",
      },
    );
    let workspace: Workspace | undefined;
    try {
      workspace = await Workspace.create(checkout.dir, {
        allowRemoteBases: this.options.operator.allowRemoteBases,
      });
      const paths = [...new Set(config.sync.map((t) => t.path))];
      const objects = await scanImageObjects(workspace, paths);
      this.remember(repository, objects);
      result.problems.push(...objects.problems.map((p) => p.message));
      const silent = objects.repositories.flatMap((r) => {
        try {
          return EVENT_REGISTRIES.has(parseImageReference(r.spec.image).registry)
            ? []
            : [Math.max(MIN_SCAN_MS, parseDuration(r.spec.interval) ?? MIN_SCAN_MS)];
        } catch {
          return [];
        }
      });
      if (silent.length > 0) result.rescanMs = Math.min(...silent);
      if (objects.automations.length === 0 && !config.images.enabled) return result;

      const outcomes = await resolvePolicies(objects.policies, objects.repositories, (r, image) =>
        this.tagsOf(r, image),
      );
      result.problems.push(...outcomes.flatMap((o) => (o.error ? [`${o.key}: ${o.error}`] : [])));
      const groups = planGroups(objects.automations, outcomes, {
        groupBy: config.images.pullRequests.groupBy,
        branch: config.images.pullRequests.branch,
        syncedPaths: paths,
      });
      for (const group of groups) {
        const { files, problems } = await applyGroup(checkout.dir, group);
        if (files.length === 0) {
          // Every marked value already is what the policies pick: the base has this update.
          const closed = await withdrawChange(
            github,
            repository,
            group.branch,
            `${defaultBranch} already has these image versions (${describe(group.policies)}); closing this pull request.`,
          );
          result.groups.push({
            branch: group.branch,
            action: closed === undefined ? "nothing" : "withdrawn",
            ...(closed === undefined ? {} : { pullRequest: closed }),
          });
          continue;
        }
        const commit = group.automation?.spec.git?.commit;
        let message = defaultCommitMessage;
        try {
          message = commitMessage(commit?.messageTemplate, {
            automation: group.automation
              ? {
                  name: group.automation.metadata.name,
                  namespace: group.automation.metadata.namespace ?? "default",
                }
              : { name: group.name, namespace: "" },
            // Flux names the files of `.Changed.FileChanges` relative to the automation's update path.
            changes: files.flatMap((f) =>
              f.changes.map((c) => ({
                ...c,
                file: posix.relative(posix.normalize(group.paths[0] ?? "."), c.file),
              })),
            ),
            values: commit?.messageTemplateValues ?? {},
          });
        } catch (error) {
          // A broken template must not hold the update back: Flux's default message, and the reason said.
          if (!(error instanceof TemplateError)) throw error;
          problems.push({
            message: `spec.git.commit.messageTemplate could not be used, so the default message was: ${error.message}`,
            ...(group.automation?.origin ? { origin: group.automation.origin } : {}),
          });
        }
        const report = { group, files, problems };
        const title = imageUpdateTitle(report);
        const body = imageUpdateBody(report);
        const proposal = await proposeChange(github, repository, {
          base: defaultBranch,
          baseSha,
          // The branch lookup already holds the base commit's tree: no second request for it.
          baseTree: branch.commit.commit.tree.sha,
          branch: group.branch,
          files: files.map((f) => ({ path: f.path, content: f.after })),
          message,
          title,
          body,
          labels: config.images.pullRequests.labels,
        });
        if (proposal.action === "opened" || proposal.action === "updated") {
          await github.request("POST /repos/{owner}/{repo}/check-runs", {
            ...repository,
            name: IMAGE_CHECK_RUN,
            head_sha: proposal.headSha,
            status: "completed",
            conclusion: "success",
            completed_at: new Date().toISOString(),
            output: { title, summary: body },
          });
        }
        result.groups.push({ branch: group.branch, action: proposal.action, pullRequest: proposal.number });
      }
      this.options.log.info(
        { repository: fullName(repository), sha: baseSha, groups: result.groups },
        `image update of ${fullName(repository)}: ${result.groups.map((g) => `${g.branch} ${g.action}`).join(", ") || "no groups"}`,
      );
      return result;
    } finally {
      await workspace?.dispose();
      await checkout.release();
    }
  }

  private remember(repository: Repository, objects: ImageObjects): void {
    const images = new Set<string>();
    for (const r of objects.repositories) {
      try {
        images.add(imageOf(r));
      } catch {
        // An invalid image is reported by the policy that uses it.
      }
    }
    this.users.set(fullName(repository), images);
  }

  private entry(image: string): TagEntry {
    let entry = this.tags.get(image);
    if (!entry) {
      entry = { listed: [], listedAt: Number.NEGATIVE_INFINITY, announced: new Map() };
      this.tags.set(image, entry);
    }
    return entry;
  }

  /**
   * The tags of an image: listed from the registry at most once per the ImageRepository's interval,
   * plus those registry events announced. When listing is refused, the announced tags stand in and
   * the report says so.
   */
  private async tagsOf(repository: ImageRepository, image: string): Promise<KnownTags> {
    const entry = this.entry(image);
    const now = (this.options.now ?? Date.now)();
    const interval = Math.max(MIN_SCAN_MS, parseDuration(repository.spec.interval) ?? MIN_SCAN_MS);
    let note: string | undefined;
    if (now - entry.listedAt >= interval) {
      try {
        entry.listed = await this.options.registry.listTags(image);
        entry.listedAt = now;
      } catch (error) {
        if (!(error instanceof RegistryError) || entry.announced.size === 0) throw error;
        note = `${error.message}; used the tags registry events announced (${[...entry.announced.keys()].join(", ")})`;
      }
    }
    const digests = new Map<string, string>();
    for (const [tag, digest] of entry.announced) if (digest) digests.set(tag, digest);
    return {
      tags: [...new Set([...entry.listed, ...entry.announced.keys()])],
      digests,
      ...(note ? { note } : {}),
    };
  }
}

const fullName = (r: Repository) => `${r.owner}/${r.repo}`;

const describe = (policies: readonly PolicyOutcome[]) =>
  policies.flatMap((o) => (o.result ? [`${o.result.image}:${o.result.tag}`] : [])).join(", ");
