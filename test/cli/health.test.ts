import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatReports } from "../../src/cli/health.js";
import { type CliRun, runFerry } from "../support/cli.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferry-health-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Runs `ferry health ARGS` in process; the exit code is what main would return. */
function run(args: string[], stdin = ""): Promise<CliRun> {
  return runFerry(["health", ...args], { stdin });
}

const deploymentReady = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
  generation: 3
spec:
  replicas: 2
status:
  observedGeneration: 3
  replicas: 2
  updatedReplicas: 2
  readyReplicas: 2
  availableReplicas: 2
  conditions:
  - type: Progressing
    status: "True"
    reason: NewReplicaSetAvailable
  - type: Available
    status: "True"
`;

const configMap = `
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: apps
data:
  a: b
`;

const namespace = `
apiVersion: v1
kind: Namespace
metadata:
  name: apps
`;

const deploymentRollingOut = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: apps
  generation: 2
spec:
  replicas: 4
status:
  observedGeneration: 2
  replicas: 4
  updatedReplicas: 4
  readyReplicas: 2
  availableReplicas: 4
`;

const jobFailed = `
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  namespace: apps
spec:
  completions: 1
status:
  failed: 1
  conditions:
  - type: Failed
    status: "True"
`;

describe("ferry health", () => {
  it("prints one aligned line per object and exits 0 when all are Current", async () => {
    const path = await file("ok.yaml", [deploymentReady, configMap, namespace].join("---\n"));
    const { code, out, err } = await run(["-f", path]);
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(out).toBe(
      [
        "Deployment/apps/web      Current  Deployment is available. Replicas: 2",
        "ConfigMap/apps/settings  Current  Resource is always ready",
        "Namespace/apps           Current  Resource is current",
        "",
      ].join("\n"),
    );
  });

  it("exits 1 when any object is not Current", async () => {
    const path = await file("mixed.yaml", [deploymentReady, deploymentRollingOut, jobFailed].join("---\n"));
    const { code, out, err } = await run(["--filename", path]);
    expect({ code, err }).toEqual({ code: 1, err: "" });
    expect(out).toBe(
      [
        "Deployment/apps/web  Current     Deployment is available. Replicas: 2",
        "Deployment/apps/api  InProgress  Ready: 2/4",
        "Job/apps/migrate     Failed      Job Failed. failed: 1/1",
        "",
      ].join("\n"),
    );
  });

  it("reads stdin for -", async () => {
    const { code, out } = await run(["-f", "-"], deploymentRollingOut);
    expect(code).toBe(1);
    expect(out).toBe("Deployment/apps/api  InProgress  Ready: 2/4\n");
  });

  it("counts the items of a List, and of typed lists whose items carry no kind", async () => {
    const list = `
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: one, namespace: apps}
- apiVersion: v1
  kind: Service
  metadata: {name: lb, namespace: apps}
  spec: {type: LoadBalancer}
---
apiVersion: apps/v1
kind: DeploymentList
items:
- metadata: {name: bare, namespace: apps}
  status: {}
`;
    const { code, out } = await run(["-f", "-"], list);
    expect(code).toBe(1);
    expect(out).toBe(
      [
        "ConfigMap/apps/one    Current     Resource is always ready",
        "Service/apps/lb       InProgress  ClusterIP not set. Service type: LoadBalancer",
        "Deployment/apps/bare  InProgress  Replicas: 0/1",
        "",
      ].join("\n"),
    );
  });

  it("takes -f more than once and skips empty documents", async () => {
    const a = await file("a.yaml", `---\n# nothing here\n---\n${configMap}---\n`);
    const b = await file("b.yaml", namespace);
    const { code, out } = await run(["-f", a, "-f", b]);
    expect(code).toBe(0);
    expect(out).toBe(
      [
        "ConfigMap/apps/settings  Current  Resource is always ready",
        "Namespace/apps           Current  Resource is current",
        "",
      ].join("\n"),
    );
  });

  it("shows Terminating and Unknown objects and exits 1", async () => {
    const objects = `
apiVersion: v1
kind: ConfigMap
metadata: {name: going, namespace: apps, deletionTimestamp: "2024-05-01T12:00:00Z"}
---
apiVersion: v1
kind: Pod
metadata: {name: lost, namespace: apps}
status: {phase: Unknown}
`;
    const { code, out } = await run(["-f", "-"], objects);
    expect(code).toBe(1);
    expect(out).toBe(
      [
        "ConfigMap/apps/going  Terminating  Resource scheduled for deletion",
        "Pod/apps/lost         Unknown      unknown phase Unknown",
        "",
      ].join("\n"),
    );
  });

  describe("bad input exits 2 with one error line", () => {
    const cases: { name: string; text: string; error: RegExp }[] = [
      {
        name: "a YAML syntax error, with its line",
        text: `${configMap}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\n`,
        error: /^error: FILE:13: invalid YAML: Flow sequence in block collection must be .+\n$/,
      },
      {
        name: "a duplicate key, with its line",
        text: "apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: x}\n",
        error: /^error: FILE:3: invalid YAML: Map keys must be unique\n$/,
      },
      {
        name: "a document that is not a mapping",
        text: `${configMap}---\n- just\n- a list\n`,
        error: /^error: FILE:10: expected a Kubernetes object \(a mapping\), found a sequence\n$/,
      },
      {
        name: "an object without kind",
        text: "apiVersion: v1\nmetadata: {name: x}\n",
        error: /^error: FILE:1: object has no kind\n$/,
      },
      {
        name: "an object without a name",
        text: "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n",
        error: /^error: FILE:1: ConfigMap object has no metadata.name\n$/,
      },
      {
        name: "an object without apiVersion",
        text: "kind: ConfigMap\nmetadata: {name: x}\n",
        error: /^error: FILE:1: ConfigMap\/x has no apiVersion\n$/,
      },
      {
        name: "a bad List item, with the item's line",
        text: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  metadata: {name: b}\n",
        error: /^error: FILE:7: object has no kind\n$/,
      },
      {
        name: "a file without objects",
        text: "# only a comment\n",
        error: /^error: FILE: no Kubernetes objects found\n$/,
      },
    ];

    it.each(cases)("$name", async ({ name, text, error }) => {
      const path = await file(`${name.replaceAll(/\W+/g, "-")}.yaml`, text);
      const { code, out, err } = await run(["-f", path]);
      expect({ code, out }).toEqual({ code: 2, out: "" });
      expect(err.replaceAll(path, "FILE")).toMatch(error);
    });

    it("names stdin as <stdin>", async () => {
      const { code, err } = await run(["-f", "-"], "kind: [\n");
      expect(code).toBe(2);
      expect(err).toMatch(/^error: <stdin>:\d+: invalid YAML: /);
    });

    it("a missing file", async () => {
      const path = join(dir, "missing.yaml");
      expect(await run(["-f", path])).toEqual({
        code: 2,
        out: "",
        err: `error: ${path}: cannot read: no such file\n`,
      });
    });

    it("a directory", async () => {
      expect(await run(["-f", dir])).toEqual({
        code: 2,
        out: "",
        err: `error: ${dir}: cannot read: is a directory\n`,
      });
    });

    it("no -f at all", async () => {
      expect(await run([])).toEqual({
        code: 2,
        out: "",
        err: "error: ferry health needs -f FILE (or -f - to read stdin)\n",
      });
    });

    it("an unknown option (a usage error, exit 1 as for every command)", async () => {
      const { code, err } = await run(["--wat"]);
      expect(code).toBe(1);
      expect(err).toContain("unknown option '--wat'");
    });
  });

  it("--help goes to stdout and exits 0", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: ferry health \[options\]/);
    expect(out).toContain("-f, --filename <file>");
  });

  it("formatReports aligns columns, keeps each object on one line and leaves no trailing spaces", () => {
    expect(
      formatReports([
        { subject: "A/x", status: "Current", message: "" },
        { subject: "Longer/ns/y", status: "Failed", message: "boom:\n  line two\n" },
      ]),
    ).toBe("A/x          Current\nLonger/ns/y  Failed   boom: line two\n");
  });
});
