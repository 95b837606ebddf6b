import type { Problem } from "../../model/result.js";

/** What an ImagePolicy resolved to (Flux's `status.latestRef`). */
export interface PolicyResult {
  /** The image name, `ghcr.io/acme/web`. */
  image: string;
  tag: string;
  /** `sha256:…`, when the policy reflects digests. */
  digest?: string;
}

/** Resolved policies keyed by `<namespace>:<name>`; markers naming any other policy are left alone. */
export type Policies = ReadonlyMap<string, PolicyResult>;

/** The Kubernetes object a changed value sits in (Flux's `ObjectIdentifier`). */
export interface ObjectIdentifier {
  apiVersion: string;
  kind: string;
  /** Empty for objects without a name, such as a `kustomization.yaml`. */
  name: string;
  namespace?: string;
}

export interface SetterChange {
  file: string;
  /** 1-based line of the value. */
  line: number;
  oldValue: string;
  newValue: string;
  /** The marker's setter: `<namespace>:<name>`, optionally with `:tag`, `:name` or `:digest`. */
  setter: string;
  /** Absent when the document is not a Kubernetes object (no apiVersion, kind or metadata). */
  object?: ObjectIdentifier;
}

/** One file's text after the setters ran; `problem` says why a file was left as it was. */
export interface TextUpdate {
  text: string;
  changes: SetterChange[];
  problem?: Problem;
}

export interface FileUpdate {
  /** Relative to the repository root, with `/` separators. */
  path: string;
  before: string;
  after: string;
  changes: SetterChange[];
}

/** The files that would change (only those), and the marked files that could not be read. */
export interface TreeUpdate {
  files: FileUpdate[];
  problems: Problem[];
}
