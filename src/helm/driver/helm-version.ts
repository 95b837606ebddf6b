/** Which helm is this: the output of `helm version --template '{{.Version}}'`. */

export interface HelmVersion {
  major: 3 | 4;
  /** As helm reports it, e.g. `v4.1.4`. */
  version: string;
}

/** Parses `v3.19.0`, `v4.1.4+g05fa379` and the like; throws for any other major version. */
export function parseHelmVersion(output: string): HelmVersion {
  const version = output.trim().split(/\s+/)[0] ?? "";
  const match = /^v?(\d+)\.\d+\.\d+/.exec(version);
  if (!match) throw new Error(`could not read a helm version from "${output.trim().slice(0, 100)}"`);
  const major = Number(match[1]);
  if (major !== 3 && major !== 4) {
    throw new Error(`helm ${version} is not supported: Ferry drives helm 3 or helm 4`);
  }
  return { major, version };
}
