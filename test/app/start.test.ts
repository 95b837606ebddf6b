// `npm start` without credentials: Probot's setup mode serves the "Register GitHub App" page,
// offline (no smee.io channel). Runs the start script's own command line (after its build step)
// in a temp folder, so a developer's .env or *.pem in the project cannot get in the way.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, waitForPage } from "../support/app-process.js";
import { root } from "../support/build.js";

const credentialVariables = [
  "APP_ID",
  "PRIVATE_KEY",
  "PRIVATE_KEY_PATH",
  "WEBHOOK_SECRET",
  "WEBHOOK_PROXY_URL",
  "NO_SMEE_SETUP",
  "PROJECT_DOMAIN",
  "NODE_ENV",
  "GH_ORG",
  "GHE_HOST",
  "LOG_FORMAT",
  "LOG_LEVEL",
];

describe("npm start", () => {
  let pkg: { main: string; scripts: Record<string, string> };
  let cwd: string;
  let child: ChildProcess | undefined;
  let output = "";

  beforeAll(async () => {
    pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
    cwd = await mkdtemp(join(tmpdir(), "ferry-start-"));
    await copyFile(join(root, "package.json"), join(cwd, "package.json"));
    await copyFile(join(root, "app.yml"), join(cwd, "app.yml"));
    await symlink(join(root, "dist"), join(cwd, "dist"));
    await symlink(join(root, "node_modules"), join(cwd, "node_modules"));
  });

  afterAll(async () => {
    if (child?.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((ok) => child?.once("exit", ok));
      process.kill(-child.pid, "SIGTERM");
      await exited;
    }
    await rm(cwd, { recursive: true, force: true });
  });

  it("builds dist/index.js, the package's main, exporting the app function", async () => {
    expect(pkg.main).toBe("dist/index.js");
    expect(pkg.scripts.build).toBe("tsc -p tsconfig.build.json");
    const app = await import(pathToFileURL(join(root, pkg.main)).href);
    expect(typeof app.default).toBe("function");
  });

  it("serves the Register GitHub App page on PORT without credentials or network", async () => {
    const [build, run, ...more] = pkg.scripts.start.split(" && ");
    expect(build).toBe("npm run build");
    expect(more).toEqual([]);
    expect(run).toContain("probot run ./dist/index.js");

    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of credentialVariables) delete env[name];
    // What `npm run` does: the package's bin folder first on PATH; the command runs in sh.
    env.PATH = [join(cwd, "node_modules", ".bin"), process.env.PATH].join(delimiter);
    env.PORT = String(port);
    env.HOST = "127.0.0.1";
    child = spawn("sh", ["-c", run], { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      output += chunk;
    });

    const page = await waitForPage(`http://127.0.0.1:${port}/probot`, child, () => output);
    expect(page).toContain("Register GitHub App");
    const manifest = JSON.parse(/value='(\{.*?\})'/s.exec(page)?.[1] ?? "null");
    expect(manifest).toMatchObject({
      name: "Ferry",
      public: false,
      url: "https://github.com/ferry-gitops/ferry",
      hook_attributes: { url: `http://127.0.0.1:${port}/` },
      redirect_url: `http://127.0.0.1:${port}/probot/setup`,
    });
    expect(output).toContain("setup mode");
    // No smee channel: it would have been written to .env, or warned about when unreachable.
    expect(output.toLowerCase()).not.toContain("smee");
    expect(existsSync(join(cwd, ".env"))).toBe(false);
  });
});
