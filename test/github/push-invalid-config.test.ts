/** An invalid `.github/ferry.yml`: a failing config check run quoting the key and line, and nothing synced. */
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

describe("a push with an invalid .github/ferry.yml", () => {
  const app = useFerryApp("ferry-invalid-config-");

  it("gets a failing 'Ferry / config' check run naming the key and line, and no cluster request", async () => {
    const github = mockGitHub();
    const config = await repositoryConfig("invalid-config-repo");
    installationToken(github.api)
      // Probot's context.config, then Ferry reading the file again for line numbers.
      .get(`/repos/${OWNER}/${REPO}/contents/.github%2Fferry.yml`)
      .times(2)
      .reply(200, config)
      .post(`/repos/${OWNER}/${REPO}/check-runs`)
      .reply(201, { id: 21, html_url: checkRunUrl(21) });
    const before = app.server.requests.length;

    await deliver(app.probot, "delivery-invalid-config", "push", pushPayload(sha("c")));
    await app.service.idle();

    expect(nock.pendingMocks()).toEqual([]);
    expect(github.unmatched).toEqual([]);
    const [created] = checkRunCalls(github.calls);
    expect(created.body).toMatchObject({
      name: "Ferry / config",
      status: "completed",
      conclusion: "failure",
    });
    expect(created.body.output.summary).toMatch(/^- \.github\/ferry\.yml:4: sync\[0\]\.timeout/);
    expect(created.body.output.annotations).toEqual([
      expect.objectContaining({ path: ".github/ferry.yml", start_line: 4, annotation_level: "failure" }),
    ]);
    expect(app.server.requests.length).toBe(before);
  });
});
