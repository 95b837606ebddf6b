/**
 * A change proposed as a pull request, never pushed to the base branch: the files are committed on a
 * deterministic branch with the Git data API (tree, commit without an author so GitHub signs it as
 * the app, ref), and one pull request is opened for that branch or the open one updated. A branch
 * that already holds the same tree is left as it is. Two deliveries racing for the same branch end
 * with one pull request: GitHub refuses the second (422), which then updates the first.
 */
import type { GitHub, Repository } from "./sync.js";

export interface ProposedChange {
  /** The branch the pull request merges into. */
  base: string;
  /** The commit of `base` the change was made on, and its tree (both from the caller's branch lookup). */
  baseSha: string;
  baseTree: string;
  /** The pull request's branch (force-updated: it holds Ferry's commit only). */
  branch: string;
  /** Changed files with their whole new text, paths relative to the repository root. */
  files: ReadonlyArray<{ path: string; content: string }>;
  message: string;
  title: string;
  body: string;
  labels: readonly string[];
}

export interface Proposal {
  /**
   * `opened`: a new pull request; `updated`: the open one got a new commit; `unchanged`: it already
   * held this change; `declined`: someone closed the pull request of exactly this change, so it is not
   * proposed again (a newer change is).
   */
  action: "opened" | "updated" | "unchanged" | "declined";
  number: number;
  url: string;
  /** The commit at the head of the pull request. */
  headSha: string;
}

interface PullRequest {
  number: number;
  html_url: string;
  head: { sha: string };
  title: string;
  body: string | null;
  merged_at?: string | null;
}

/** Commits `change.files` on `change.branch` and opens or updates its pull request. */
export async function proposeChange(
  github: GitHub,
  repository: Repository,
  change: ProposedChange,
): Promise<Proposal> {
  const { data: tree } = await github.request("POST /repos/{owner}/{repo}/git/trees", {
    ...repository,
    base_tree: change.baseTree,
    tree: change.files.map((file) => ({
      path: file.path,
      mode: "100644" as const,
      type: "blob" as const,
      content: file.content,
    })),
  });
  const current = await branchHead(github, repository, change.branch);
  let headSha = current?.sha;
  let action: Proposal["action"] = "unchanged";
  if (current?.tree !== tree.sha) {
    const { data: commit } = await github.request("POST /repos/{owner}/{repo}/git/commits", {
      ...repository,
      message: change.message,
      tree: tree.sha,
      parents: [change.baseSha],
    });
    headSha = commit.sha;
    action = "updated";
    if (current) {
      await github.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", {
        ...repository,
        ref: `heads/${change.branch}`,
        sha: commit.sha,
        force: true,
      });
    } else {
      await github.request("POST /repos/{owner}/{repo}/git/refs", {
        ...repository,
        ref: `refs/heads/${change.branch}`,
        sha: commit.sha,
      });
    }
  }
  let pull = await openPullRequest(github, repository, change.branch);
  if (!pull && action === "unchanged" && headSha) {
    const declined = await closedPullRequest(github, repository, change.branch, headSha);
    if (declined) {
      return { action: "declined", number: declined.number, url: declined.html_url, headSha };
    }
  }
  if (!pull) {
    try {
      const { data } = await github.request("POST /repos/{owner}/{repo}/pulls", {
        ...repository,
        title: change.title,
        head: change.branch,
        base: change.base,
        body: change.body,
      });
      pull = data as PullRequest;
      action = "opened";
      if (change.labels.length > 0) {
        await github.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", {
          ...repository,
          issue_number: pull.number,
          labels: [...change.labels],
        });
      }
    } catch (error) {
      // Another delivery opened it a moment ago: update that one instead.
      if ((error as { status?: number }).status !== 422) throw error;
      pull = await openPullRequest(github, repository, change.branch);
      if (!pull) throw error;
    }
  }
  if (action !== "opened" && (pull.title !== change.title || (pull.body ?? "") !== change.body)) {
    await github.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
      ...repository,
      pull_number: pull.number,
      title: change.title,
      body: change.body,
    });
  }
  return { action, number: pull.number, url: pull.html_url, headSha: headSha ?? pull.head.sha };
}

/**
 * Closes the open pull request of `branch` with a comment saying why, and deletes the branch; for a
 * change the base branch already has. Resolves to the closed pull request's number, if there was one.
 */
export async function withdrawChange(
  github: GitHub,
  repository: Repository,
  branch: string,
  reason: string,
): Promise<number | undefined> {
  const pull = await openPullRequest(github, repository, branch);
  if (!pull) return undefined;
  await github.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
    ...repository,
    issue_number: pull.number,
    body: reason,
  });
  await github.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
    ...repository,
    pull_number: pull.number,
    state: "closed",
  });
  await github
    .request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", { ...repository, ref: `heads/${branch}` })
    .catch((error: { status?: number }) => {
      if (error.status !== 422 && error.status !== 404) throw error;
    });
  return pull.number;
}

/** The branch's head commit and its tree, or undefined when the branch does not exist. */
async function branchHead(
  github: GitHub,
  repository: Repository,
  branch: string,
): Promise<{ sha: string; tree: string } | undefined> {
  try {
    const { data: ref } = await github.request("GET /repos/{owner}/{repo}/git/ref/{ref}", {
      ...repository,
      ref: `heads/${branch}`,
    });
    const { data: commit } = await github.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {
      ...repository,
      commit_sha: ref.object.sha,
    });
    return { sha: commit.sha, tree: commit.tree.sha };
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

/** A closed, unmerged pull request of `branch` whose head was `sha`. */
async function closedPullRequest(
  github: GitHub,
  repository: Repository,
  branch: string,
  sha: string,
): Promise<PullRequest | undefined> {
  const closed = await pullRequestsOf(github, repository, branch, "closed", 10);
  return closed.find((p) => p.head.sha === sha && p.merged_at === null);
}

/** The open pull request whose head is `branch` of this repository. */
export async function openPullRequest(
  github: GitHub,
  repository: Repository,
  branch: string,
): Promise<PullRequest | undefined> {
  return (await pullRequestsOf(github, repository, branch, "open", 1))[0];
}

/** The newest pull requests from `branch` of this repository, in one state. */
async function pullRequestsOf(
  github: GitHub,
  repository: Repository,
  branch: string,
  state: "open" | "closed",
  count: number,
): Promise<PullRequest[]> {
  const { data } = await github.request("GET /repos/{owner}/{repo}/pulls", {
    ...repository,
    head: `${repository.owner}:${branch}`,
    state,
    per_page: count,
  });
  return data as PullRequest[];
}
