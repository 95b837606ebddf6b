/**
 * Image update pull requests through the GitHub App, end to end over HTTP: a signed `registry_package`
 * delivery POSTed to Probot's middleware with Ferry loaded, GitHub answered by the local fake with no
 * latency (bench/support/fake-github.ts: the Git data API and pull requests, kept as state), the tags
 * listed from the test registry (test/support/fake-registry.ts: a Bearer challenge, three tags a page).
 * Timed from sending the delivery to the fake receiving the pull request (opened, or updated) and the
 * check run; written to docs/benchmarks.md. Without Probot's Octokit throttling, as the tests run; then
 * a few events again with it, as `probot run` does.
 *
 *   npx tsx bench/image-update.ts [--runs 20]
 */
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { parseOperatorConfig } from "../src/github/config/operator.js";
import { IMAGE_CHECK_RUN } from "../src/github/image-updates.js";
import { RegistryClient, type TagLister } from "../src/images/registry/index.js";
import { startFakeRegistry } from "../test/support/fake-registry.js";
import { delivery, send } from "./support/deliveries.js";
import {
  type FakeGitHub,
  type FakeRepository,
  type Received,
  startFakeGitHub,
} from "./support/fake-github.js";
import { type FerryServer, startFerryServer } from "./support/ferry-server.js";
import { type RepositoryFiles, tarball } from "./support/fixture-repo.js";
import { machine, reportFile, writeSection } from "./support/report.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "20" } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs <= 0) throw new Error("--runs takes a whole number above 0");

const SECRET = "bench-webhook-secret";
/** The repository the events name (installation 1, default branch master). */
const APP = { owner: "Codertocat", repo: "Hello-World" };
const FULL_NAME = `${APP.owner}/${APP.repo}`;
const FIXTURE = join(import.meta.dirname, "..", "test", "fixtures", "github", "images-repo");
/** The fixture's image, renamed per event (`web-<n>`) so every event lists its tags from the registry. */
const IMAGE = "ghcr.io/acme/web";
/** What the registry lists of each image, three pages; the events announce the newer TAG. */
const LISTED = ["1.3.0", "1.4.0", "1.4.1", "2.0.0", "1.4.2-rc.1", "latest", "1.4.2"];
const TAG = "1.5.0";
/** The branch of the fixture's ImageUpdateAutomation `web-updates`. */
const BRANCH = "ferry/images/web-updates";
/** Pairs of events (opened, then updated) with Probot's throttling on, a second after the previous write. */
const THROTTLED_PAIRS = 2;
const WRITE_SPACING_MS = 1000;

const PULL_OPENED = "POST /repos/:owner/:repo/pulls";
const PULL_EDITED = "PATCH /repos/:owner/:repo/pulls/:number";
const CHECK_RUN = "POST /repos/:owner/:repo/check-runs";
const TREE = "POST /repos/:owner/:repo/git/trees";
const REF = "GET /repos/:owner/:repo/git/ref/:ref";
const TOKEN = "POST /app/installations/:id/access_tokens";

type Action = "opened" | "updated";

/** GitHub's `registry_package` delivery for TAG of image `web-<n>`, linked to the app repository. */
function published(n: number): Record<string, unknown> {
  const name = `web-${n}`;
  const digest = `sha256:${createHash("sha256").update(`${name}:${TAG}`).digest("hex")}`;
  return {
    action: "published",
    registry_package: {
      name,
      namespace: "acme",
      package_type: "CONTAINER",
      package_version: {
        version: digest,
        package_url: `ghcr.io/acme/${name}:${TAG}`,
        container_metadata: { tag: { name: TAG, digest } },
      },
    },
    repository: { name: APP.repo, full_name: FULL_NAME, owner: { login: APP.owner } },
    sender: { login: APP.owner },
    installation: { id: 1 },
  };
}

/** The fixture's files, `.github/ferry.yml` included, with its image renamed to `web-<n>`. */
async function fleet(n: number): Promise<RepositoryFiles> {
  const entries = await readdir(FIXTURE, { recursive: true, withFileTypes: true });
  const files: RepositoryFiles = {};
  for (const entry of entries.filter((e) => e.isFile())) {
    const path = join(entry.parentPath, entry.name);
    files[relative(FIXTURE, path)] = (await readFile(path, "utf8")).replaceAll(IMAGE, `${IMAGE}-${n}`);
  }
  return files;
}

const commit = (label: string) => createHash("sha1").update(label).digest("hex");

function withTimeout<T>(promise: Promise<T>, limitMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done after ${limitMs / 1000} s`)), limitMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface EventTiming {
  /** Milliseconds until Probot answered the delivery. */
  answered: number;
  /** Milliseconds until GitHub received the pull request: created, or edited. */
  pullRequest: number;
  /** Milliseconds until GitHub received the check run. */
  checkRun: number;
  /** GitHub calls other than GET (the throttled ones). */
  writes: number;
}

/**
 * Event `n`, timed: the default branch moved to its commit, then the delivery sent; `opened` starts
 * from no branch and no open pull request, `updated` from the previous event's.
 */
async function timedEvent(
  github: FakeGitHub,
  ferry: FerryServer,
  repository: FakeRepository,
  n: number,
  action: Action,
): Promise<EventTiming> {
  const image = `${IMAGE}-${n}`;
  repository.head = commit(`images-${n}`);
  if (action === "opened") github.deleteBranch(FULL_NAME, BRANCH);
  const recording = github.record();
  const started = performance.now();
  const status = await send(
    ferry.webhookUrl,
    delivery(`package-${n}`, "registry_package", published(n), SECRET),
  );
  const answered = performance.now() - started;
  // Probot answers once Ferry's handler has returned, so the update is in the background by now.
  await withTimeout(ferry.images.idle(), 60_000, `the image update of ${image}:${TAG}`);
  recording.stop();
  const calls = recording.requests;
  const trace = () => calls.map((c) => `${c.route} → ${c.status}`).join("\n  ");
  const fail = (why: string) => new Error(`${image}:${TAG} (${action}): ${why}; GitHub got:\n  ${trace()}`);
  if (status !== 200) throw fail(`the delivery was answered ${status}`);
  const refused = calls.filter((c) => c.status >= 400 && !(c.route === REF && c.status === 404));
  if (refused.length > 0) throw fail("GitHub refused a call");
  const find = (route: string): Received => {
    const found = calls.find((c) => c.route === route);
    if (!found) throw fail(`no ${route}`);
    return found;
  };
  const pull = find(action === "opened" ? PULL_OPENED : PULL_EDITED);
  const title = `Update ${image} to ${TAG}`;
  if (pull.body.title !== title) throw fail(`the pull request is titled ${JSON.stringify(pull.body.title)}`);
  const content = String(find(TREE).body.tree?.[0]?.content);
  if (!content.includes(`image: ${image}:${TAG} # {"$imagepolicy": "flux-system:web"}`)) {
    throw fail(`the committed file does not have the new tag:\n${content}`);
  }
  const check = find(CHECK_RUN);
  if (check.body.name !== IMAGE_CHECK_RUN || check.body.conclusion !== "success") {
    throw fail(`the check run is ${check.body.name} ${check.body.conclusion}`);
  }
  const opened = calls.some((c) => c.route === PULL_OPENED);
  if (opened !== (action === "opened")) throw fail(`expected the pull request ${action}`);
  return {
    answered,
    pullRequest: pull.at - started,
    checkRun: check.at - started,
    writes: calls.filter((c) => !c.route.startsWith("GET ") && c.route !== TOKEN).length,
  };
}

const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const sorted = (timings: EventTiming[], figure: keyof EventTiming) =>
  timings.map((t) => t[figure]).sort((a, b) => a - b);
const ms = (value: number) => `${value.toFixed(0)} ms`;
const s = (value: number) => `${(value / 1000).toFixed(2)} s`;
const met = (ok: boolean) => (ok ? "yes" : "**no**");

const dir = await mkdtemp(join(tmpdir(), "ferry-bench-images-"));
const events = 1 + 2 * runs + 2 * THROTTLED_PAIRS;
const registry = await startFakeRegistry({
  auth: "bearer",
  repositories: Object.fromEntries(Array.from({ length: events }, (_, n) => [`acme/web-${n}`, LISTED])),
  login: { username: "ferry", password: "never-used" },
});
let github: FakeGitHub | undefined;
let ferry: FerryServer | undefined;
try {
  // ghcr.io is the local registry, as in test/github/image-updates.test.ts.
  const client = new RegistryClient({ insecureRegistries: [registry.host] });
  const local: TagLister = {
    listTags: (image) => client.listTags(String(image).replace("ghcr.io/", `${registry.host}/`)),
  };
  // Image updates never reach the cluster; the operator file only needs it named.
  await writeFile(join(dir, "kubeconfig"), "apiVersion: v1\nkind: Config\n");
  const parsed = parseOperatorConfig(
    `clusters:\n  production:\n    kubeconfig: ${join(dir, "kubeconfig")}\n    repositories: ["${APP.owner}/*"]\n`,
    "ferry.config.yaml",
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));

  const archives = new Map<string, Buffer>();
  for (let n = 0; n < events; n++) {
    const sha = commit(`images-${n}`);
    archives.set(sha, await tarball(await fleet(n), APP, sha));
  }
  const config = (await fleet(0))[".github/ferry.yml"];
  if (!config) throw new Error(`${FIXTURE} has no .github/ferry.yml`);
  const repository: FakeRepository = {
    config,
    tarball: async (sha) => {
      const archive = archives.get(sha);
      if (!archive) throw new Error(`no tarball of ${sha}`);
      return archive;
    },
  };
  github = await startFakeGitHub(new Map([[FULL_NAME, repository]]));
  const start = (throttle: boolean) =>
    startFerryServer({
      githubUrl: (github as FakeGitHub).url,
      secret: SECRET,
      operator: parsed.config,
      cacheDir: join(dir, "cache"),
      registry: local,
      throttle,
    });
  ferry = await start(false);

  let n = 0;
  const event = async (action: Action, pauseMs = 0) => {
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    const listed = registry.count("tags");
    const timing = await timedEvent(github as FakeGitHub, ferry as FerryServer, repository, n++, action);
    if (registry.count("tags") === listed) throw new Error(`event ${n - 1} did not list the registry`);
    console.log(
      `  ${action}: answered ${ms(timing.answered)}, pull request ${ms(timing.pullRequest)}, check run ${ms(timing.checkRun)} (${timing.writes} writes)`,
    );
    return timing;
  };

  // The first event also fetches the installation token and warms the JIT up.
  console.log("first event:");
  const first = await event("opened");
  console.log(`${runs} events opening a pull request, each followed by one updating it:`);
  const opened: EventTiming[] = [];
  const updated: EventTiming[] = [];
  for (let i = 0; i < runs; i++) {
    opened.push(await event("opened"));
    updated.push(await event("updated"));
  }
  await ferry.close();
  ferry = undefined;

  // The same with Probot's default throttling (GitHub's secondary rate limits: a write a second).
  ferry = await start(true);
  console.log(`${THROTTLED_PAIRS} pairs again, Probot's throttling on:`);
  const throttled: Record<Action, EventTiming[]> = { opened: [], updated: [] };
  for (let i = 0; i < THROTTLED_PAIRS; i++) {
    throttled.opened.push(await event("opened", WRITE_SPACING_MS));
    throttled.updated.push(await event("updated", WRITE_SPACING_MS));
  }
  await ferry.close();
  ferry = undefined;
  if (github.unknown.length > 0) {
    throw new Error(`Ferry called routes the fake GitHub does not answer: ${github.unknown.join(", ")}`);
  }

  const timing = (timings: EventTiming[], figure: "pullRequest" | "checkRun") => {
    const values = sorted(timings, figure);
    return `**median ${ms(percentile(values, 0.5))}**, p90 ${ms(percentile(values, 0.9))}, min ${ms(values[0])}, max ${ms(values[values.length - 1])}`;
  };
  const list = (timings: EventTiming[], figure: "pullRequest" | "checkRun") =>
    timings.map((t) => s(t[figure])).join(", ");
  const under = (timings: EventTiming[]) => met(percentile(sorted(timings, "pullRequest"), 0.5) < 1000);
  const answered = percentile(sorted([...opened, ...updated], "answered"), 0.5);
  const writes = (timings: EventTiming[]) => timings[0]?.writes ?? 0;

  await writeSection(
    "image-update",
    `## Image update: registry event to pull request

\`npx tsx bench/image-update.ts\` runs Ferry as a GitHub App over HTTP as \`bench/github-app.ts\` does (Probot's
\`createNodeMiddleware\` with Ferry loaded, on 127.0.0.1, logging at info, lines discarded), GitHub the same local fake
answering at once, here also the repository, its branches, the Git data API (trees, commits, refs) and pull requests
with labels, kept as state. The repository is \`test/fixtures/github/images-repo\` (a Deployment whose image carries a
\`{"$imagepolicy": "flux-system:web"}\` marker, an ImageRepository, an ImagePolicy with semver range \`1.x\`, an
ImageUpdateAutomation, \`.github/ferry.yml\` with a sync target and \`images:\`), served as a tarball, with its image
renamed per event (\`ghcr.io/acme/web-<n>\`) so every event lists its tags as one arriving after the ImageRepository's
interval does: the tags come from the test registry (\`test/support/fake-registry.ts\`, a Bearer token challenge, then
${LISTED.length} tags three a page), reached through the \`registry\` option of \`createFerryApp\` as in
\`test/github/image-updates.test.ts\`. Each delivery is a signed \`registry_package\` POST for \`${TAG}\` (newer than any listed
1.x tag), timed from sending it to the fake GitHub receiving the pull request: \`POST /pulls\` when opened (from no
branch and no open pull request: the benchmark deletes the branch, which closes it), \`PATCH /pulls/:number\` when
updated (the next event: the branch force-moved to a new commit, title and body edited); and to the \`${IMAGE_CHECK_RUN}\`
check run. Every event is checked: the committed file has the new tag at the marker, the pull request's title, the
check run \`success\`, no call refused. Probot answers the delivery after ${ms(answered)} (median): the update runs in
the background. Probot's Octokit runs without retries or throttling, as in the tests, except in the last rows.

With **Probot's throttling** (as \`probot run\` has it: one write at a time, a second apart for the whole process,
and a request that notifies, such as opening a pull request, three seconds after the previous one), each write after
the first waits a second: opening makes ${writes(throttled.opened)} writes (tree, commit, ref, pull request, labels, check run), so the pull request
is the fourth write and comes 3 s or more after the first, the check run 5 s or more; updating makes
${writes(throttled.updated)} (tree, commit, ref moved, pull request edited, check run). Each event there is sent a second after the previous one's last
write, so only its own writes wait.

Machine: ${machine()}. Measured ${new Date().toISOString().slice(0, 10)}.

| scenario | figure | target | met? |
| --- | --- | --- | --- |
| event → pull request opened (${opened.length} events) | ${timing(opened, "pullRequest")} | < 1 s median | ${under(opened)} |
| event → pull request updated (${updated.length} events) | ${timing(updated, "pullRequest")} | < 1 s median | ${under(updated)} |
| event → check run, opened | ${timing(opened, "checkRun")} | — | — |
| event → check run, updated | ${timing(updated, "checkRun")} | — | — |
| first event (installation token, cold JIT) → pull request opened | ${ms(first.pullRequest)}; check run ${ms(first.checkRun)} | — | — |
| with throttling: event → pull request opened | ${list(throttled.opened, "pullRequest")}; check run ${list(throttled.opened, "checkRun")} | < 1 s | ${under(throttled.opened)} |
| with throttling: event → pull request updated | ${list(throttled.updated, "pullRequest")}; check run ${list(throttled.updated, "checkRun")} | < 1 s | ${under(throttled.updated)} |`,
  );
  console.log(`written to ${reportFile}`);
} finally {
  await ferry?.close();
  await github?.close();
  await registry.close();
  await rm(dir, { recursive: true, force: true });
}
