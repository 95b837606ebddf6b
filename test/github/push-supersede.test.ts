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
  tarball,
  tarballDownload,
  tarballPath,
  updatesOf,
  useFerryApp,
} from "../support/github.js";

const FIRST = sha("1");
const SECOND = sha("2");
const THIRD = sha("3");
/** Check run ids GitHub hands out, one per push. */
const RUN = { first: 101, second: 102, third: 103 };
const CONFIG_PATH = `/repos/${OWNER}/${REPO}/contents/.github%2Fferry.yml`;

describe("three pushes in quick succession", () => {
  const app = useFerryApp("ferry-push-supersede-");

  it("applies the newest once, reports the one that never ran superseded, and ignores a redelivery", async () => {
    const github = mockGitHub();
    const config = await repositoryConfig("pushes/first");
    installationToken(github.api);
    for (const id of [RUN.first, RUN.second, RUN.third]) {
      github.api
        .get(CONFIG_PATH)
        .reply(200, config)
        .post(`/repos/${OWNER}/${REPO}/check-runs`)
        .reply(201, { id, html_url: checkRunUrl(id) })
        .patch(`/repos/${OWNER}/${REPO}/check-runs/${id}`)
        .reply(200, { id, html_url: checkRunUrl(id) });
    }
    // The first run holds at its download until all three pushes are in, as a slow run would.
    let letFirstRunGo!: () => void;
    const firstRunHeld = new Promise<void>((resolve) => (letFirstRunGo = resolve));
    tarballDownload(github, FIRST, await tarball("pushes/first", FIRST), { hold: firstRunHeld });
    // Only the third is mocked besides: a download of the second would be refused and recorded.
    tarballDownload(github, THIRD, await tarball("pushes/third", THIRD));
    const history = app.server.store.currentResourceVersion;

    await deliver(app.probot, "delivery-1", "push", pushPayload(FIRST));
    await deliver(app.probot, "delivery-2", "push", pushPayload(SECOND));
    await deliver(app.probot, "delivery-3", "push", pushPayload(THIRD));
    letFirstRunGo();
    await app.service.idle();

    expect(nock.pendingMocks()).toEqual([]);
    expect(github.unmatched).toEqual([]);

    // One check run per push, in progress at once, for its own commit.
    const created = checkRunCalls(github.calls).filter((c) => c.method === "POST");
    expect(created.map((c) => [c.body.head_sha, c.body.status])).toEqual([
      [FIRST, "in_progress"],
      [SECOND, "in_progress"],
      [THIRD, "in_progress"],
    ]);
    // Each ends completed: the first ran, the second was superseded by the third, the third ran.
    const last = (id: number) => updatesOf(github.calls, id).at(-1)?.body;
    expect(last(RUN.first)).toMatchObject({ status: "completed", conclusion: "success" });
    expect(last(RUN.second)).toMatchObject({
      status: "completed",
      conclusion: "skipped",
      output: { title: `Superseded by ${THIRD.slice(0, 7)}` },
    });
    expect(last(RUN.second)?.output.summary).toContain(THIRD);
    expect(updatesOf(github.calls, RUN.second)).toHaveLength(1);
    expect(last(RUN.third)).toMatchObject({ status: "completed", conclusion: "success" });

    // One download for the newest commit; none for the superseded one.
    const downloads = (commit: string) => github.calls.filter((c) => c.path === tarballPath(commit));
    expect(downloads(THIRD)).toHaveLength(1);
    expect(downloads(SECOND)).toHaveLength(0);

    // The cluster went from the first commit's ConfigMap to the third's; the second's never landed.
    const releases = app.server.store
      .eventsSince(history)
      ?.filter((e) => e.object.kind === "ConfigMap" && e.object.metadata.name === "release")
      .map((e) => `${e.type} ${e.object.data.release}`);
    expect(releases).toEqual(["ADDED first", "MODIFIED third"]);
    expect(app.server.get("v1", "ConfigMap", "default", "release")?.data).toEqual({ release: "third" });

    // GitHub redelivers the third push (same delivery id): no new check run, no run, no download.
    // (The app still reads .github/ferry.yml before the sync app.service sees the delivery id.)
    github.api.get(CONFIG_PATH).reply(200, config);
    const callsBefore = github.calls.length;
    const requestsBefore = app.server.requests.length;
    await deliver(app.probot, "delivery-3", "push", pushPayload(THIRD));
    await app.service.idle();

    expect(nock.pendingMocks()).toEqual([]);
    expect(github.unmatched).toEqual([]);
    expect(github.calls.slice(callsBefore).map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET ${CONFIG_PATH}`,
    ]);
    expect(app.server.requests.slice(requestsBefore)).toEqual([]);
  });
});
