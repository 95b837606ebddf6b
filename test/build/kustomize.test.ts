import { describe, expect, it } from "vitest";
import { cleanKustomizeError } from "../../src/build/kustomize.js";

const root = "/tmp/ferry-build-x/repo";

describe("cleanKustomizeError", () => {
  it("drops the error prefix and makes paths repository-relative", () => {
    expect(
      cleanKustomizeError(
        `error: accumulating resources: accumulation err='accumulating resources from 'missing.yaml': evalsymlink failure on '${root}/app/missing.yaml' : lstat ${root}/app/missing.yaml: no such file or directory': must build at directory: not a valid directory: evalsymlink failure on '${root}/app/missing.yaml' : lstat ${root}/app/missing.yaml: no such file or directory\n`,
        [root],
      ),
    ).toBe("accumulating resources from 'missing.yaml': app/missing.yaml: no such file or directory");
  });

  it("keeps what the folder attempt said when the resource is a folder", () => {
    expect(
      cleanKustomizeError(
        `error: accumulating resources: accumulation err='accumulating resources from 'sub': '${root}/app/sub' must resolve to a file': couldn't make target for path '${root}/app/sub': invalid Kustomization: json: unknown field "foo"`,
        [root],
      ),
    ).toBe(`accumulating resources from 'sub': invalid Kustomization: json: unknown field "foo"`);
  });

  it("collapses nested folder attempts", () => {
    expect(
      cleanKustomizeError(
        `error: accumulating resources: accumulation err='accumulating resources from 'sub2': read ${root}/bad/sub2: is a directory': recursed accumulation of path '${root}/bad/sub2': accumulating resources: accumulation err='accumulating resources from 'nope.yaml': open ${root}/bad/sub2/nope.yaml: no such file or directory': must build at directory: not a valid directory: evalsymlink failure on '${root}/bad/sub2/nope.yaml' : lstat ${root}/bad/sub2/nope.yaml: no such file or directory`,
        [root],
      ),
    ).toBe(
      "accumulating resources from 'sub2': accumulating resources from 'nope.yaml': bad/sub2/nope.yaml: no such file or directory",
    );
  });

  it("cuts a Go panic's stack", () => {
    const stderr = [
      "panic: runtime error: index out of range [1] with length 1",
      "",
      "goroutine 1 [running]:",
      "sigs.k8s.io/kustomize/api/resource.(*Resource).GetGvk(...)",
      "\t/go/pkg/mod/sigs.k8s.io/kustomize/api@v0.20.1/resource/resource.go:123 +0x1d",
      "main.main()",
    ].join("\n");
    expect(cleanKustomizeError(stderr, [root])).toBe(
      "panic: runtime error: index out of range [1] with length 1",
    );
  });

  it("leaves a plain message alone", () => {
    expect(cleanKustomizeError('error: invalid Kustomization: json: unknown field "foo"\n', [root])).toBe(
      'invalid Kustomization: json: unknown field "foo"',
    );
  });
});
