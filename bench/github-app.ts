/**
 * Ferry as a GitHub App, end to end over HTTP: signed webhook deliveries POSTed to Probot's
 * middleware, GitHub answered by a local fake with no latency (bench/support/fake-github.ts), the
 * cluster the test API server in its own process with its status simulator on (so Deployments
 * become ready and `wait` passes). Two figures, written to docs/benchmarks.md:
 *
 * - delivery → check run completed, for a push that changes one of a repository's 100 objects;
 * - webhook intake: signed deliveries verified and handled per second.
 *
 * Both without Probot's Octokit throttling, as the tests run; then a few pushes again with it, as
 * `probot run` does.
 *
 *   npx tsx bench/github-app.ts [--runs 20] [--deliveries 5000] [--concurrency 32]
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import { type OperatorConfig, parseOperatorConfig } from "../src/github/config/operator.js";
import { type Delivery, delivery, type LoadResult, send, sendAll } from "./support/deliveries.js";
import { type FakeGitHub, type FakeRepository, startFakeGitHub } from "./support/fake-github.js";
import { type FerryServer, startFerryServer } from "./support/ferry-server.js";
import { appRepository, tarball } from "./support/fixture-repo.js";
import { machine, reportFile, writeSection } from "./support/report.js";
import { startTestCluster } from "./support/test-cluster.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "20" },
    deliveries: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "32" },
  },
});
const runs = Number(values.runs);
const deliveries = Number(values.deliveries);
const concurrency = Number(values.concurrency);
if (![runs, deliveries, concurrency].every((n) => Number.isInteger(n) && n > 0)) {
  throw new Error("--runs, --deliveries and --concurrency take whole numbers above 0");
}

const SECRET = "bench-webhook-secret";
const OBJECTS = 100;
const WARM_UP = 500;
/**
 * Pushes, and targeted pushes sent at once, with Probot's throttling on: a write waits until a second
 * after the previous one, so the pushes are sent that long after the previous run's last write.
 */
const THROTTLED_RUNS = 3;
const WRITE_SPACING_MS = 1000;
const THROTTLED_BURST = 5;
/** The example push's repository (installation 1, default branch master). */
const APP = { owner: "Codertocat", repo: "Hello-World" };
/** The repository of the targeted intake pushes: one ConfigMap, so its runs stay cheap. */
const INTAKE = { owner: "Codertocat", repo: "Hello-Intake" };
const MASTER = "refs/heads/master";
/** A branch no target follows. */
const OTHER_BRANCH = "refs/heads/bench-intake";
/** A tag: Ferry's push handler returns before any GitHub call. */
const TAG = "refs/tags/v1.0.0";
const FERRY_YML = "sync:\n  - cluster: production\n    path: deploy\n    timeout: 1m\n";
const INTAKE_FILES = {
  ".github/ferry.yml": FERRY_YML,
  "deploy/configmap.yaml":
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: intake\n  namespace: default\ndata:\n  mode: bench\n",
};
const CHECK_RUNS_CREATED = "POST /repos/:owner/:repo/check-runs";

type Payload = Record<string, unknown> & { repository: Record<string, unknown> };
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];
const examplePush = ((examples.find((d) => d.name === "push")?.examples ?? []) as unknown as Payload[]).find(
  (p) => p.ref === "refs/heads/master" && p.installation !== undefined,
);
if (!examplePush) throw new Error("@octokit/webhooks-examples has no push to a branch with an installation");
const push: Payload = examplePush;

/** GitHub's example push, to `ref` of `repository`, at `after`. */
function pushPayload(after: string, ref = "refs/heads/master", repository = APP): Payload {
  const { owner, repo } = repository;
  return {
    ...push,
    repository: { ...push.repository, name: repo, full_name: `${owner}/${repo}` },
    ref,
    after,
  };
}

/** Signed push deliveries numbered after `label`, each at a commit of its own. */
function pushes(label: string, count: number, ref: string, repository = APP, secret = SECRET): Delivery[] {
  return Array.from({ length: count }, (_, i) =>
    delivery(`${label}-${i}`, "push", pushPayload(commit(`${label}-${i}`), ref, repository), secret),
  );
}

const commit = (label: string) => createHash("sha1").update(label).digest("hex");

function withTimeout<T>(promise: Promise<T>, limitMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${limitMs / 1000} s`)), limitMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

function answered(result: LoadResult, what: string, expected: number): void {
  const wrong = Object.keys(result.statuses).filter((status) => Number(status) !== expected);
  if (wrong.length > 0) {
    throw new Error(`${what}: answered ${JSON.stringify(result.statuses)}, expected ${expected}`);
  }
}

interface PushTiming {
  /** Milliseconds until Probot answered the delivery. */
  answered: number;
  /** Milliseconds until GitHub received the PATCH completing the check run. */
  completed: number;
  summary: string;
}

/** One push of `after` to the app repository, timed from sending it to its check run's completion. */
async function timedPush(github: FakeGitHub, ferry: FerryServer, after: string): Promise<PushTiming> {
  const completion = github.completion(after);
  const one = delivery(`push-${after.slice(0, 12)}`, "push", pushPayload(after), SECRET);
  const started = performance.now();
  const status = await send(ferry.webhookUrl, one);
  const answeredAfter = performance.now() - started;
  if (status !== 200) throw new Error(`the push of ${after} was answered ${status}`);
  const done = await withTimeout(completion, 120_000, `the check run of ${after}`);
  if (done.conclusion !== "success") {
    throw new Error(
      `the check run of ${after} ended ${done.conclusion}: ${done.output.title}\n${done.output.summary}`,
    );
  }
  // The run is over once its lease, workspace and checkout are released; the next push starts after.
  await ferry.service.idle();
  return { answered: answeredAfter, completed: done.at - started, summary: done.output.summary };
}

/** Pushes of `commits` one after another (`pauseMs` apart), each changing one object; their timings, sorted. */
async function timedPushes(github: FakeGitHub, ferry: FerryServer, commits: string[], pauseMs = 0) {
  const timings: PushTiming[] = [];
  for (const sha of commits) {
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    const timing = await timedPush(github, ferry, sha);
    if (!timing.summary.includes("1 configured")) {
      throw new Error(`the push of ${sha} should have configured one object:\n${timing.summary}`);
    }
    timings.push(timing);
    console.log(
      `  push ${timings.length}: answered ${ms(timing.answered)}, check run completed ${ms(timing.completed)}`,
    );
  }
  return {
    completed: timings.map((t) => t.completed).sort((a, b) => a - b),
    answered: timings.map((t) => t.answered).sort((a, b) => a - b),
  };
}

const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const ms = (value: number) => `${value.toFixed(0)} ms`;
const s = (value: number) => `${(value / 1000).toFixed(2)} s`;
const rate = (result: LoadResult, count: number) => count / result.seconds;

const cpuPerDelivery = (result: LoadResult, count: number) =>
  result.receiverCpuMs === undefined ? "" : `${((result.receiverCpuMs * 1000) / count).toFixed(0)} µs`;

/** Sends the deliveries and checks every answer; the targeted ones' runs are waited for. */
async function intake(
  ferry: FerryServer,
  what: string,
  sent: Delivery[],
  expected = 200,
): Promise<LoadResult & { handledSeconds: number }> {
  const started = performance.now();
  const result = await sendAll(ferry.webhookUrl, sent, concurrency);
  answered(result, what, expected);
  // Answered deliveries are verified and accepted; their work (config, check runs, queue) drains after.
  await withTimeout(ferry.service.idle(), 300_000, `the work of ${what}`);
  const handledSeconds = (performance.now() - started) / 1000;
  const cpu = result.receiverCpuMs === undefined ? "" : `, ${cpuPerDelivery(result, sent.length)} CPU each`;
  console.log(
    `${what}: ${rate(result, sent.length).toFixed(0)} deliveries/s answered${cpu}; all handled in ${handledSeconds.toFixed(2)} s`,
  );
  return { ...result, handledSeconds };
}

const dir = await mkdtemp(join(tmpdir(), "ferry-bench-app-"));
const cluster = await startTestCluster(dir, "production.kubeconfig");
let github: FakeGitHub | undefined;
let ferry: FerryServer | undefined;
try {
  const parsed = parseOperatorConfig(
    `clusters:\n  production:\n    kubeconfig: ${cluster.kubeconfig}\n    repositories: ["Codertocat/*"]\n`,
    "ferry.config.yaml",
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const operator: OperatorConfig = parsed.config;

  // Revision r of the app repository differs from r - 1 in one ConfigMap value; 0 is the first apply.
  const revisions = Array.from({ length: 1 + runs + THROTTLED_RUNS }, (_, r) => commit(`revision-${r}`));
  const archives = new Map<string, Buffer>();
  for (const [r, sha] of revisions.entries()) {
    archives.set(sha, await tarball(appRepository(FERRY_YML, OBJECTS, r), APP, sha));
  }
  const app: FakeRepository = {
    config: FERRY_YML,
    tarball: async (sha) => {
      const archive = archives.get(sha);
      if (!archive) throw new Error(`no tarball of ${sha}`);
      return archive;
    },
  };
  const intakeRepository: FakeRepository = {
    config: FERRY_YML,
    tarball: (sha) => tarball(INTAKE_FILES, INTAKE, sha),
  };
  github = await startFakeGitHub(
    new Map([
      [`${APP.owner}/${APP.repo}`, app],
      [`${INTAKE.owner}/${INTAKE.repo}`, intakeRepository],
    ]),
  );
  const githubUrl = github.url;
  const start = (throttle = false) =>
    startFerryServer({ githubUrl, secret: SECRET, operator, cacheDir: join(dir, "cache"), throttle });
  ferry = await start();

  // 1. Delivery → check run completed.
  const first = await timedPush(github, ferry, revisions[0]);
  console.log(`first apply (${OBJECTS} objects created): check run completed ${ms(first.completed)}`);
  console.log(`${runs} pushes changing one object:`);
  const pushed = await timedPushes(github, ferry, revisions.slice(1, 1 + runs));

  // 2. Webhook intake, after a warm-up (JIT, the installation token).
  await intake(ferry, "warm-up", pushes("warm-up", WARM_UP, OTHER_BRANCH));
  const untargeted = await intake(
    ferry,
    "intake, push to a branch no target follows",
    pushes("untargeted", deliveries, OTHER_BRANCH),
  );
  const tags = await intake(ferry, "intake, tag push", pushes("tag", deliveries, TAG));
  const forged = Math.ceil(deliveries / 5);
  const rejected = await intake(
    ferry,
    "intake, wrong signature",
    pushes("forged", forged, MASTER, APP, "not-the-secret"),
    400,
  );
  const createdBefore = github.counts.get(CHECK_RUNS_CREATED) ?? 0;
  const conclusionsBefore = new Map(github.conclusions);
  const targeted = await intake(
    ferry,
    "intake, targeted push",
    pushes("targeted", deliveries, MASTER, INTAKE),
  );
  const created = (github.counts.get(CHECK_RUNS_CREATED) ?? 0) - createdBefore;
  if (created !== deliveries) throw new Error(`${deliveries} targeted pushes created ${created} check runs`);
  const { conclusions } = github;
  const since = (conclusion: string) =>
    (conclusions.get(conclusion) ?? 0) - (conclusionsBefore.get(conclusion) ?? 0);
  // Superseded check runs are completed in the background: wait for the last of them.
  await withTimeout(
    until(() => since("success") + since("skipped") === deliveries),
    30_000,
    `the targeted pushes' check runs (ended so far: ${JSON.stringify([...conclusions])})`,
  );
  const synced = since("success");
  await ferry.close();
  ferry = undefined;

  // 3. The same with Probot's default throttling (GitHub's secondary rate limits: a write a second).
  ferry = await start(true);
  console.log(`${THROTTLED_RUNS} pushes changing one object, Probot's throttling on:`);
  const throttled = await timedPushes(github, ferry, revisions.slice(1 + runs), WRITE_SPACING_MS);
  const burst = await sendAll(
    ferry.webhookUrl,
    pushes("burst", THROTTLED_BURST, MASTER, INTAKE),
    THROTTLED_BURST,
  );
  answered(burst, "targeted pushes at once, throttled", 200);
  console.log(
    `${THROTTLED_BURST} targeted pushes at once, throttled: ${rate(burst, THROTTLED_BURST).toFixed(1)}/s`,
  );
  await ferry.close();
  ferry = undefined;
  if (github.unknown.length > 0) {
    throw new Error(`Ferry called routes the fake GitHub does not answer: ${github.unknown.join(", ")}`);
  }

  const median = percentile(pushed.completed, 0.5);
  const throttledMedian = percentile(throttled.completed, 0.5);
  const met = (ok: boolean) => (ok ? "yes" : "**no**");
  const timing = (sorted: number[], answers: number[]) =>
    `**median ${s(percentile(sorted, 0.5))}**, p90 ${s(percentile(sorted, 0.9))}, min ${s(sorted[0])}, max ${s(sorted[sorted.length - 1])}; delivery answered after ${ms(percentile(answers, 0.5))} (median)`;
  const intakeRow = (name: string, result: LoadResult, count: number, target?: number) => {
    const cpu =
      result.receiverCpuMs === undefined ? "" : `; ${cpuPerDelivery(result, count)} CPU per delivery`;
    const handled =
      "handledSeconds" in result ? `; all handled after ${s(Number(result.handledSeconds) * 1000)}` : "";
    const figure = `**${rate(result, count).toFixed(0)}/s** (${count} in ${result.seconds.toFixed(2)} s; answered after ${ms(result.latency.p50)} median, ${ms(result.latency.p90)} p90${cpu}${handled})`;
    return `| ${name} | ${figure} | ${target ? `≥ ${target.toLocaleString("en-US")}/s` : "—"} | ${target ? met(rate(result, count) >= target) : "—"} |`;
  };

  await writeSection(
    "github-app",
    `## The GitHub App: delivery to check run, and webhook intake

\`npx tsx bench/github-app.ts\` runs Ferry as a GitHub App over HTTP: Probot's \`createNodeMiddleware\` with Ferry
loaded, on 127.0.0.1, logging at info (lines discarded); GitHub a local fake answering at once
(\`bench/support/fake-github.ts\`: installation tokens, \`.github/ferry.yml\` as raw text, check runs, the tarball
endpoint's 302 to a codeload-like path serving a gzipped tarball with one top folder, commit comments); the cluster
the test API server in its own process, status simulator on (Deployments become ready, so the default \`wait: true\`
passes). Deliveries are signed POSTs (\`X-GitHub-Event\`, \`X-GitHub-Delivery\`, \`X-Hub-Signature-256\`) of
\`@octokit/webhooks-examples\`' push with \`after\` set per delivery. Probot's Octokit runs without retries or
throttling, as in the tests, except in the last two rows.

- **Delivery → check run completed**: a repository of ${OBJECTS} objects (2 Namespaces; ConfigMaps, Deployments and
  Services in both) with one target. After a first apply, ${runs} pushes one at a time, each a commit whose tarball
  differs from the previous one in one ConfigMap value (1 configured, ${OBJECTS - 1} unchanged), timed from sending the
  delivery to the fake GitHub receiving the PATCH that completes the check run \`success\`.
- **Webhook intake**: ${deliveries} signed push deliveries of each kind, sent by a worker thread over keep-alive
  connections, ${concurrency} in flight (after ${WARM_UP} for warm-up), timed until every one was answered. Ferry
  answers a delivery once Probot has verified its signature and Ferry has accepted it; the work (reading
  \`.github/ferry.yml\`, creating check runs, queueing) follows in the background, in order per repository, and
  "all handled" is when the last of it finished. A push to a branch no target follows reads \`.github/ferry.yml\` and stops there; a
  targeted push (to a second repository whose target is one ConfigMap) also creates its check run \`in_progress\`
  and queues the target: of the ${deliveries}, ${synced} ran and the others were superseded while waiting, their
  check runs completed \`skipped\`, all in the same process as the intake. A tag push is verified and routed, and
  Ferry's handler returns at once: the floor under the others. A wrong signature is answered 400 before Ferry. CPU
  per delivery is the receiving thread's CPU time over the run (the fake GitHub's included) divided by the
  deliveries; unlike the rate it barely moves when other processes compete for the machine, and 1,000 deliveries a
  second on one core needs it under 1,000 µs.
- **With Probot's throttling** (as \`probot run\` has it, after GitHub's advice against secondary rate limits: one
  write at a time, a second apart, for the whole process): ${THROTTLED_RUNS} more pushes of the first kind, each
  sent a second after the previous run's last write (so its check run's creation does not wait; its completion
  does), then ${THROTTLED_BURST} targeted pushes sent at once: answered at once, while their check runs are
  created one a second behind them.

Machine: ${machine()}. Measured ${new Date().toISOString().slice(0, 10)}.

| scenario | figure | target | met? |
| --- | --- | --- | --- |
| delivery → check run completed, 1 of ${OBJECTS} objects changed (${runs} pushes) | ${timing(pushed.completed, pushed.answered)} | < 2 s median | ${met(median < 2000)} |
| first apply, ${OBJECTS} objects created | ${s(first.completed)} | — | — |
${intakeRow("intake, push to a branch no target follows", untargeted, deliveries, 1000)}
${intakeRow("intake, targeted push (check run created, target queued)", targeted, deliveries, 1000)}
${intakeRow("intake, tag push (Ferry's handler returns before any GitHub call)", tags, deliveries)}
${intakeRow("intake, wrong signature (rejected)", rejected, forged)}
| with throttling: delivery → check run completed (${THROTTLED_RUNS} pushes) | ${timing(throttled.completed, throttled.answered)} | < 2 s median | ${met(throttledMedian < 2000)} |
| with throttling: ${THROTTLED_BURST} targeted pushes at once | all answered within ${s(burst.latency.max)}; their check runs follow one a second | — | — |`,
  );
  console.log(`written to ${reportFile}`);
} finally {
  await ferry?.close();
  await github?.close();
  cluster.stop();
  await rm(dir, { recursive: true, force: true });
}
