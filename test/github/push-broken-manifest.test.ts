import nock from "nock";
import { describe, expect, it } from "vitest";
import { writesSince } from "../support/fleet.js";
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
  tarball,
  tarballDownload,
  useFerryApp,
} from "../support/github.js";

const SHA = sha("b");

describe("a push of a broken manifest", () => {
  const app = useFerryApp("ferry-push-broken-");

  it("fails the check run with an annotation at the file and line, comments on the commit, and writes nothing", async () => {
    const github = mockGitHub();
    installationToken(github.api)
      .get(`/repos/${OWNER}/${REPO}/contents/.github%2Fferry.yml`)
      .reply(200, await repositoryConfig("broken-repo"))
      .post(`/repos/${OWNER}/${REPO}/check-runs`)
      .reply(201, { id: 7, html_url: checkRunUrl(7) })
      .patch(`/repos/${OWNER}/${REPO}/check-runs/7`)
      .reply(200, { id: 7, html_url: checkRunUrl(7) })
      // Someone else's comment on the commit: Ferry must add its own, not edit this one.
      .get(`/repos/${OWNER}/${REPO}/commits/${SHA}/comments`)
      .query({ per_page: 100, page: 1 })
      .reply(200, [{ id: 1, body: "Looks good to me" }])
      .post(`/repos/${OWNER}/${REPO}/commits/${SHA}/comments`)
      .reply(201, { id: 2 });
    tarballDownload(github, SHA, await tarball("broken-repo", SHA));
    const before = app.server.requests.length;

    await deliver(app.probot, "delivery-broken", "push", pushPayload(SHA));
    await app.service.idle();

    expect(nock.pendingMocks()).toEqual([]);

    const [created, completed, ...more] = checkRunCalls(github.calls);
    expect(created).toMatchObject({
      method: "POST",
      body: { name: "Ferry / production", status: "in_progress" },
    });
    expect(more).toEqual([]);
    expect(completed.body).toMatchObject({ status: "completed", conclusion: "failure" });
    // Only the Deployment is wrong: one annotation, on its document in app.yaml (line 10), not
    // on the ConfigMap above it (line 2) nor on app.service.yaml.
    expect(completed.body.output.annotations).toEqual([
      expect.objectContaining({
        path: "deploy/app.yaml",
        start_line: 10,
        end_line: 10,
        annotation_level: "failure",
        message: expect.stringContaining("containers"),
      }),
    ]);

    const comment = github.calls.find((c) => c.method === "POST" && c.path.endsWith("/comments"));
    expect(comment?.path).toBe(`/repos/${OWNER}/${REPO}/commits/${SHA}/comments`);
    expect(comment?.body.body.startsWith("<!-- ferry:production:deploy -->\n")).toBe(true);
    expect(comment?.body.body).toContain(`(${checkRunUrl(7)})`);
    expect(comment?.body.body).toContain("deploy/app.yaml");

    // Dry runs only: the only writes are the Lease (and `ferry-system`, which holds it); no object
    // of the target, nor its inventory, was created, updated or deleted.
    const writes = writesSince(app.server, before).filter(
      (r) =>
        r.target?.resource !== "leases" &&
        !(r.target?.resource === "namespaces" && r.target.name === "ferry-system"),
    );
    expect(writes).toEqual([]);
    expect(app.server.get("v1", "ConfigMap", "default", "broken-settings")).toBeUndefined();
    expect(app.server.get("v1", "Service", "default", "broken")).toBeUndefined();
    expect(app.server.get("apps/v1", "Deployment", "default", "broken")).toBeUndefined();
    // The dry runs did reach the server: the test would see the writes had Ferry made them.
    expect(
      app.server.requests
        .slice(before)
        .some((r) => r.target?.resource === "deployments" && r.query.dryRun === "All"),
    ).toBe(true);
  });

  it("edits its earlier comment on the commit, however many comments came before it", async () => {
    const github = mockGitHub();
    const crowd = Array.from({ length: 100 }, (_, i) => ({ id: 1000 + i, body: `comment ${i}` }));
    // Probot still holds the installation token from the first test.
    github.api
      .get(`/repos/${OWNER}/${REPO}/contents/.github%2Fferry.yml`)
      .reply(200, await repositoryConfig("broken-repo"))
      .post(`/repos/${OWNER}/${REPO}/check-runs`)
      .reply(201, { id: 8, html_url: checkRunUrl(8) })
      .patch(`/repos/${OWNER}/${REPO}/check-runs/8`)
      .reply(200, { id: 8, html_url: checkRunUrl(8) })
      .get(`/repos/${OWNER}/${REPO}/commits/${SHA}/comments`)
      .query({ per_page: 100, page: 1 })
      .reply(200, crowd)
      .get(`/repos/${OWNER}/${REPO}/commits/${SHA}/comments`)
      .query({ per_page: 100, page: 2 })
      .reply(200, [{ id: 2, body: "<!-- ferry:production:deploy -->\nthe first run's report" }])
      .patch(`/repos/${OWNER}/${REPO}/comments/2`)
      .reply(200, { id: 2 });
    tarballDownload(github, SHA, await tarball("broken-repo", SHA));

    // The same commit pushed again (a new delivery): the report replaces the first one.
    await deliver(app.probot, "delivery-broken-again", "push", pushPayload(SHA));
    await app.service.idle();

    expect(nock.pendingMocks()).toEqual([]);
    expect(github.unmatched).toEqual([]);
    const edit = github.calls.find((c) => c.method === "PATCH" && c.path.endsWith("/comments/2"));
    expect(edit?.body.body).toContain(`(${checkRunUrl(8)})`);
    expect(github.calls.some((c) => c.method === "POST" && c.path.endsWith("/comments"))).toBe(false);
  });
});
