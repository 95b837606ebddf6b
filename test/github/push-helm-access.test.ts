/**
 * HelmReleases pushed to clusters reached every way the operator file allows, through the GitHub App's
 * sync path with the real helm: a kubeconfig context other than the file's current one, an impersonated
 * service account, and a repository limited to some namespaces (what the chart renders is checked
 * before helm writes anything).
 */
import { writeFile } from "node:fs/promises";
import nock from "nock";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import type { KubeApiServer } from "../kube-api-server/server.js";
import {
  checkRunCalls,
  checkRunUrl,
  deliver,
  type FerryTestApp,
  type GitHubCall,
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

const HELM_STORAGE = "helm.sh/release.v1";

/** Pushes `commit` of the helm-repo fixture and returns the completed check run's body. */
async function push(app: FerryTestApp, commit: string, config?: string): Promise<GitHubCall["body"]> {
  const github = mockGitHub();
  installationToken(github.api)
    .get(`/repos/${OWNER}/${REPO}/contents/.github%2Fferry.yml`)
    .reply(200, config ?? (await repositoryConfig("helm-repo")))
    .post(`/repos/${OWNER}/${REPO}/check-runs`)
    .reply(201, { id: 7, html_url: checkRunUrl(7) })
    .patch(`/repos/${OWNER}/${REPO}/check-runs/7`)
    .reply(200, { id: 7, html_url: checkRunUrl(7) });
  tarballDownload(github, commit, await tarball("helm-repo", commit));

  await deliver(app.probot, `delivery-${commit.slice(0, 4)}`, "push", pushPayload(commit));
  await app.service.idle();

  expect(nock.pendingMocks()).toEqual([]);
  expect(github.unmatched).toEqual([]);
  const completed = checkRunCalls(github.calls).at(-1);
  expect(completed?.body.status).toBe("completed");
  return completed?.body;
}

/** The release helm stored (its storage Secrets), by release name. */
function storedReleases(server: KubeApiServer, namespace: string): string[] {
  return server.objects
    .list(server.type("v1", "Secret"), namespace)
    .filter((secret) => secret.type === HELM_STORAGE)
    .map((secret) => String(secret.metadata.labels?.name));
}

describe("a HelmRelease on a cluster reached through a kubeconfig context", () => {
  const app = useFerryApp(
    "ferry-helm-context-",
    (kubeconfig) =>
      `clusters:\n  production:\n    kubeconfig: ${kubeconfig}\n    context: test\n    repositories: ["${OWNER}/*"]\n`,
  );

  beforeAll(async () => {
    // The file's current context leads nowhere: only the operator's `context: test` reaches the cluster.
    const config = parseYaml(app.server.kubeconfig());
    config.clusters.push({ name: "nowhere", cluster: { server: "https://127.0.0.1:1" } });
    config.contexts.push({ name: "broken", context: { cluster: "nowhere", user: "test" } });
    config["current-context"] = "broken";
    await writeFile(app.kubeconfig, toYaml(config), { mode: 0o600 });
  });

  it("installs the release with helm in that context", async () => {
    const body = await push(app, sha("1"));

    expect(body.conclusion).toBe("success");
    expect(body.output.text).toContain("HelmRelease/team-a/greeter");
    expect(storedReleases(app.server, "team-a")).toEqual(["greeter"]);
    expect(app.server.get("v1", "ConfigMap", "team-a", "greeter-greeting")?.data).toEqual({
      greeting: "hello from git",
    });
  });
});

describe("a HelmRelease on a cluster reached as an impersonated service account", () => {
  const app = useFerryApp(
    "ferry-helm-impersonate-",
    (kubeconfig) =>
      `clusters:\n  production:\n    kubeconfig: ${kubeconfig}\n    serviceAccount: team-a/deployer\n    repositories: ["${OWNER}/*"]\n`,
  );

  it("runs helm as that service account: every request of the sync carries Impersonate-User", async () => {
    const before = app.server.requests.length;

    const body = await push(app, sha("2"));

    expect(body.conclusion).toBe("success");
    expect(storedReleases(app.server, "team-a")).toEqual(["greeter"]);
    const requests = app.server.requests.slice(before);
    const helm = requests.filter((r) => r.userAgent?.startsWith("Helm/"));
    expect(helm.length).toBeGreaterThan(0);
    // Ferry's own requests and helm's alike; the API server adds the service account's groups itself.
    expect(requests.filter((r) => r.impersonateUser !== "system:serviceaccount:team-a:deployer")).toEqual([]);
    expect(requests.filter((r) => r.impersonateGroups !== undefined)).toEqual([]);
  });
});

describe("HelmReleases of a repository the operator limits to some namespaces", () => {
  const app = useFerryApp(
    "ferry-helm-namespaces-",
    (kubeconfig) =>
      `clusters:\n  production:\n    kubeconfig: ${kubeconfig}\n    repositories: ["${OWNER}/*"]\n    namespaces: [team-a]\n`,
  );
  const config =
    "sync:\n  - cluster: production\n    path: clusters/team-a\n    timeout: 1m\ncomments: never\n";
  const allowedBy = `cluster "production" for ${OWNER}/${REPO}`;

  it("installs the release that stays inside them and refuses the others, naming what they would write", async () => {
    const body = await push(app, sha("3"), config);

    expect(body.conclusion).toBe("failure");
    expect(body.output.text).toContain("`HelmRelease/team-a/greeter` created: greeter@0.2.0 revision 1");
    expect(storedReleases(app.server, "team-a")).toEqual(["greeter"]);
    expect(app.server.get("apps/v1", "Deployment", "team-a", "greeter")).toBeDefined();

    // Each refusal on the HelmRelease's line: what the chart renders (its test hook included), where the
    // release would go, and the CRD its CRD policy would create on install.
    const refusals = body.output.annotations.map((a: { path: string; message: string }) => ({
      path: a.path,
      message: a.message,
    }));
    expect(refusals).toEqual(
      expect.arrayContaining(
        [
          `HelmRelease/team-a/spill renders ConfigMap/kube-system/spill-greeting: namespace kube-system is not allowed by ${allowedBy}`,
          `HelmRelease/team-a/spill renders ClusterRole/spill-reader: cluster-scoped objects are not allowed by ${allowedBy}`,
          `HelmRelease/team-a/spill renders Pod/team-b/spill-smoke: namespace team-b is not allowed by ${allowedBy}`,
          `HelmRelease/team-a/moved: its release goes to namespace team-b (spec.targetNamespace), which is not allowed by ${allowedBy}`,
          `HelmRelease/team-a/widgets installs the chart's CustomResourceDefinition/widgets.example.com: cluster-scoped objects are not allowed by ${allowedBy}`,
        ].map((message) => ({ path: "clusters/team-a/releases.yaml", message })),
      ),
    );
    expect(refusals).toContainEqual({
      path: "clusters/team-a/releases.yaml",
      message: expect.stringMatching(
        /^HelmRelease\/team-a\/unrenderable: helm could not render the chart to check where it writes, so nothing was installed: execution error at \(greeter\/templates\/configmap\.yaml[^)]*\): \[redacted\]$/,
      ),
    });
    // helm's message quoted a value, which never leaves Ferry.
    expect(JSON.stringify(body)).not.toContain("this chart needs a greeting");
    expect(refusals).toHaveLength(6);
    // Refused before anything was written: no release stored, none of their objects.
    expect(app.server.get("v1", "ConfigMap", "kube-system", "spill-greeting")).toBeUndefined();
    expect(app.server.get("v1", "ConfigMap", "team-a", "widgets-settings")).toBeUndefined();
    expect(
      app.server.get("rbac.authorization.k8s.io/v1", "ClusterRole", undefined, "spill-reader"),
    ).toBeUndefined();
    expect(
      app.server.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", undefined, "widgets.example.com"),
    ).toBeUndefined();
    expect(storedReleases(app.server, "team-b")).toEqual([]);
  });
});
