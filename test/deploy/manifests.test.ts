/**
 * deploy/: the Kubernetes manifests build with the real kustomize and apply to the test API server
 * with the real kubectl; they run the app as production expects (JSON logs, the operator file
 * mounted where FERRY_CONFIG points, probes on /healthz); the image runs what `npm start` runs.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseOperatorConfig } from "../../src/github/config/operator.js";
import { KubeApiServer } from "../kube-api-server/server.js";
import { root } from "../support/build.js";
import { ClusterCli } from "../support/cluster-cli.js";

const deploy = join(root, "deploy");

describe("deploy/kubernetes", () => {
  let server: KubeApiServer;
  let cli: ClusterCli;

  beforeAll(async () => {
    server = await KubeApiServer.start();
    cli = await ClusterCli.for(server);
  });
  afterAll(async () => {
    await cli.cleanup();
    await server.stop();
  });

  it("applies with kubectl apply --server-side -k and runs Ferry as production expects", async () => {
    const applied = await cli.kubectl(["apply", "--server-side", "-k", join(deploy, "kubernetes")]);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);

    const deployment = server.get("apps/v1", "Deployment", "ferry-system", "ferry");
    const [container] = deployment?.spec.template.spec.containers ?? [];
    const env = Object.fromEntries(
      (container.env as { name: string; value?: string }[]).map((e) => [e.name, e.value]),
    );
    expect(env).toMatchObject({ NODE_ENV: "production", LOG_FORMAT: "json", HOST: "0.0.0.0" });
    expect(container.image).toBe("ghcr.io/ferry-gitops/ferry:latest");
    expect(container.readinessProbe.httpGet.path).toBe("/healthz");
    expect(deployment?.spec.template.spec.serviceAccountName).toBe("ferry");

    // The operator file is mounted where FERRY_CONFIG points, and is valid.
    const mount = (container.volumeMounts as { name: string; mountPath: string }[]).find((m) =>
      env.FERRY_CONFIG?.startsWith(`${m.mountPath}/`),
    );
    const volumes = (deployment?.spec.template.spec.volumes ?? []) as {
      name: string;
      configMap?: { name: string };
    }[];
    const volume = volumes.find((v) => v.name === mount?.name);
    const configMap = server.get("v1", "ConfigMap", "ferry-system", volume?.configMap?.name ?? "");
    const file = env.FERRY_CONFIG?.slice((mount?.mountPath.length ?? 0) + 1) ?? "";
    const operator = parseOperatorConfig(configMap?.data?.[file] ?? "", file);
    expect(operator.ok).toBe(true);

    // The Service sends traffic to the Deployment's pods.
    const service = server.get("v1", "Service", "ferry-system", "ferry");
    expect(deployment?.spec.template.metadata.labels).toMatchObject(service?.spec.selector);
  });
});

describe("deploy/Dockerfile", () => {
  it("runs what npm start runs, with JSON logs, and ships kubectl and helm", async () => {
    const dockerfile = await readFile(join(deploy, "Dockerfile"), "utf8");
    const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
    const startRun = (pkg.scripts.start as string).split(" && ").at(-1) ?? "";
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? "[]") as string[];
    expect(cmd.slice(-2)).toEqual(startRun.split(" ").slice(-2));
    expect(cmd.join(" ")).toContain("probot");
    expect(dockerfile).toMatch(/LOG_FORMAT=json/);
    expect(dockerfile).toContain("npm run tools");
    expect(pkg.scripts.tools).toBeDefined();
    expect(dockerfile).toMatch(/kubectl\/kubectl .*helm\/helm .*\/usr\/local\/bin\//);
  });
});
