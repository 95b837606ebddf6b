import nock from "nock";
import { describe, expect, it } from "vitest";
import {
  checkRunCalls,
  checkRunUrl,
  deliver,
  installationToken,
  mockGitHub,
  OWNER,
  pushPayload,
  REPO,
  repositoryConfig,
  sha,
  useFerryApp,
} from "../support/github.js";

const SHA = sha("c");

describe("a push from a repository the operator does not allow", () => {
  const app = useFerryApp(
    "ferry-push-not-allowed-",
    (kubeconfig) =>
      `clusters:\n  production:\n    kubeconfig: ${kubeconfig}\n    repositories: ["acme/*", "${OWNER}/other-*"]\n`,
  );

  it("fails each target's check run with the reason and sends nothing to the cluster", async () => {
    const github = mockGitHub();
    installationToken(github.api)
      .get(`/repos/${OWNER}/${REPO}/contents/.github%2Fferry.yml`)
      .reply(200, await repositoryConfig("two-targets-repo"))
      .post(`/repos/${OWNER}/${REPO}/check-runs`)
      .reply(201, { id: 11, html_url: checkRunUrl(11) })
      .patch(`/repos/${OWNER}/${REPO}/check-runs/11`)
      .reply(200, { id: 11, html_url: checkRunUrl(11) })
      .post(`/repos/${OWNER}/${REPO}/check-runs`)
      .reply(201, { id: 12, html_url: checkRunUrl(12) })
      .patch(`/repos/${OWNER}/${REPO}/check-runs/12`)
      .reply(200, { id: 12, html_url: checkRunUrl(12) });
    const before = app.server.requests.length;

    await deliver(app.probot, "delivery-not-allowed", "push", pushPayload(SHA));
    await app.service.idle();

    expect(nock.pendingMocks()).toEqual([]);
    // No tarball download, no comment, nothing else asked of GitHub.
    expect(github.unmatched).toEqual([]);
    expect(github.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "POST /app/installations/1/access_tokens",
      `GET /repos/${OWNER}/${REPO}/contents/.github%2Fferry.yml`,
      `POST /repos/${OWNER}/${REPO}/check-runs`,
      `PATCH /repos/${OWNER}/${REPO}/check-runs/11`,
      `POST /repos/${OWNER}/${REPO}/check-runs`,
      `PATCH /repos/${OWNER}/${REPO}/check-runs/12`,
    ]);

    const [production, productionDone, staging, stagingDone] = checkRunCalls(github.calls);
    expect(production.body).toMatchObject({
      name: "Ferry / production",
      head_sha: SHA,
      status: "in_progress",
    });
    expect(productionDone.body).toMatchObject({ status: "completed", conclusion: "failure" });
    const notAllowed = `the operator does not allow ${OWNER}/${REPO} to deploy to cluster "production"`;
    expect(productionDone.body.output.title).toContain(notAllowed);
    expect(productionDone.body.output.summary).toContain(notAllowed);

    expect(staging.body).toMatchObject({ name: "Ferry / staging", head_sha: SHA, status: "in_progress" });
    expect(stagingDone.body).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(stagingDone.body.output.summary).toContain(
      `cluster "staging" is not one of the operator's clusters (production)`,
    );

    // Not one request reached the test cluster: no lease, no discovery, no dry run.
    expect(app.server.requests.slice(before)).toEqual([]);
    expect(app.service.queue.depth()).toBe(0);
  });
});
