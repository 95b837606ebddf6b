/** `check_run.rerequested` and the Re-sync button: the target runs again for its commit while it is the head. */

import { createRequire } from "node:module";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import nock from "nock";
import { describe, expect, it } from "vitest";
import {
  checkRunCalls,
  checkRunUrl,
  deliver,
  INSTALLATION,
  installationToken,
  mockGitHub,
  OWNER,
  REPO,
  repositoryConfig,
  sha,
  tarball,
  tarballDownload,
  useFerryApp,
} from "../support/github.js";

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];

// biome-ignore lint/suspicious/noExplicitAny: example payloads are edited field by field
type Payload = Record<string, any>;

/** A real check_run payload, pointed at Ferry's check run of target production:deploy on `commit`. */
function checkRunEvent(action: "rerequested" | "requested_action", commit: string): Record<string, unknown> {
  const definition = examples.find((d) => d.name === "check_run");
  const payload = structuredClone(
    ((definition?.examples ?? []) as Payload[]).find((p) => p.action === action),
  ) as Payload;
  payload.installation = { ...payload.installation, id: INSTALLATION };
  payload.check_run = {
    ...payload.check_run,
    name: "Ferry / production",
    external_id: "production:deploy",
    head_sha: commit,
    check_suite: { ...payload.check_run.check_suite, head_branch: "master" },
  };
  payload.repository = {
    ...payload.repository,
    name: REPO,
    full_name: `${OWNER}/${REPO}`,
    owner: { ...payload.repository.owner, login: OWNER },
    default_branch: "master",
  };
  if (action === "requested_action") payload.requested_action = { identifier: "resync" };
  return payload;
}

describe("re-running a target", () => {
  const app = useFerryApp("ferry-rerun-");
  const commit = sha("a");

  it("syncs the commit again when it is still the head, in a new check run with a Re-sync button", async () => {
    const github = mockGitHub();
    installationToken(github.api)
      .get(`/repos/${OWNER}/${REPO}/contents/.github%2Fferry.yml`)
      .reply(200, await repositoryConfig("app-repo"))
      .get(`/repos/${OWNER}/${REPO}/branches/master`)
      .reply(200, { name: "master", commit: { sha: commit } })
      .post(`/repos/${OWNER}/${REPO}/check-runs`)
      .reply(201, { id: 7, html_url: checkRunUrl(7) })
      .patch(`/repos/${OWNER}/${REPO}/check-runs/7`)
      .reply(200, { id: 7, html_url: checkRunUrl(7) });
    tarballDownload(github, commit, await tarball("app-repo", commit));

    await deliver(app.probot, "rerun-1", "check_run", checkRunEvent("rerequested", commit));
    await app.service.idle();

    expect(nock.pendingMocks()).toEqual([]);
    const [created, completed] = checkRunCalls(github.calls);
    expect(created.body).toMatchObject({
      name: "Ferry / production",
      head_sha: commit,
      status: "in_progress",
      external_id: "production:deploy",
    });
    expect(completed.body).toMatchObject({ status: "completed", conclusion: "success" });
    expect(completed.body.actions).toEqual([
      expect.objectContaining({ label: "Re-sync", identifier: "resync" }),
    ]);
    expect(app.server.get("v1", "ConfigMap", "hello", "hello-settings")).toBeDefined();
  });

  it("reports the commit superseded when the branch has moved on, and syncs nothing", async () => {
    const github = mockGitHub();
    const head = sha("b");
    // Probot may still hold the installation token from the other test.
    github.api
      .post(`/app/installations/${INSTALLATION}/access_tokens`)
      .optionally()
      .reply(201, { token: "test-token", permissions: {} });
    github.api
      .get(`/repos/${OWNER}/${REPO}/contents/.github%2Fferry.yml`)
      .reply(200, await repositoryConfig("app-repo"))
      .get(`/repos/${OWNER}/${REPO}/branches/master`)
      .reply(200, { name: "master", commit: { sha: head } })
      .post(`/repos/${OWNER}/${REPO}/check-runs`)
      .reply(201, { id: 8, html_url: checkRunUrl(8) });
    const before = app.server.requests.length;

    await deliver(app.probot, "rerun-2", "check_run", checkRunEvent("requested_action", commit));
    await app.service.idle();

    expect(nock.pendingMocks()).toEqual([]);
    expect(github.unmatched).toEqual([]);
    const [created] = checkRunCalls(github.calls);
    expect(created.body).toMatchObject({
      head_sha: commit,
      status: "completed",
      conclusion: "skipped",
      output: { title: `Superseded by ${head.slice(0, 7)}` },
    });
    expect(app.server.requests.length).toBe(before);
  });
});
