/**
 * The repositories the app benchmarks push, as files in memory, and GitHub's tarball of them: one
 * gzipped top folder `<owner>-<repo>-<sha7>`, made with the `tar` package as the tests make theirs.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { create as createTar } from "tar";

/** Path in the repository → file text. */
export type RepositoryFiles = Record<string, string>;

const NAMESPACES = ["bench-a", "bench-b"];

/**
 * `deploy/` with `count` objects: two Namespaces, then ConfigMaps, Deployments and Services in turn,
 * half in each namespace. `revision` is a value of ConfigMap bench-a/app-0 alone, so two revisions
 * differ in one object.
 */
export function appRepository(ferryYml: string, count: number, revision: number): RepositoryFiles {
  const files: Record<string, string[]> = { configmaps: [], deployments: [], services: [] };
  const objects = count - NAMESPACES.length;
  for (let i = 0; i < objects; i++) {
    const name = `app-${i}`;
    const namespace = NAMESPACES[i < objects / 2 ? 0 : 1];
    const metadata = `metadata:\n  name: ${name}\n  namespace: ${namespace}\n`;
    if (i % 3 === 0) {
      const extra = i === 0 ? `  revision: "${revision}"\n` : "";
      files.configmaps.push(`apiVersion: v1\nkind: ConfigMap\n${metadata}data:\n  index: "${i}"\n${extra}`);
    } else if (i % 3 === 1) {
      files.deployments.push(
        `apiVersion: apps/v1\nkind: Deployment\n${metadata}spec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: ${name}\n  template:\n    metadata:\n      labels:\n        app: ${name}\n    spec:\n      containers:\n        - name: app\n          image: nginx:1.27\n          ports:\n            - containerPort: 80\n`,
      );
    } else {
      files.services.push(
        `apiVersion: v1\nkind: Service\n${metadata}spec:\n  selector:\n    app: ${name}\n  ports:\n    - port: 80\n      targetPort: 80\n`,
      );
    }
  }
  return {
    ".github/ferry.yml": ferryYml,
    "deploy/namespaces.yaml": NAMESPACES.map(
      (name) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`,
    ).join("---\n"),
    ...Object.fromEntries(
      Object.entries(files).map(([kind, docs]) => [`deploy/${kind}.yaml`, docs.join("---\n")]),
    ),
  };
}

/** The repository at `sha` as GitHub's tarball endpoint serves it. */
export async function tarball(
  files: RepositoryFiles,
  repository: { owner: string; repo: string },
  sha: string,
): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-bench-tarball-"));
  try {
    const top = `${repository.owner}-${repository.repo}-${sha.slice(0, 7)}`;
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, top, path)), { recursive: true });
      await writeFile(join(dir, top, path), text);
    }
    const file = join(dir, "repo.tar.gz");
    await createTar({ gzip: true, cwd: dir, file }, [top]);
    return await readFile(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
