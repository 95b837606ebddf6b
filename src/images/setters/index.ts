/**
 * Flux's image-automation Setters strategy: values marked `# {"$imagepolicy": "ns:name[:tag|:name|:digest]"}`
 * are rewritten from the resolved image policies, keeping every other byte of the file.
 */

export { parseMarker, setterValue } from "./setter.js";
export type {
  FileUpdate,
  ObjectIdentifier,
  Policies,
  PolicyResult,
  SetterChange,
  TextUpdate,
  TreeUpdate,
} from "./types.js";
export { updateText } from "./update-text.js";
export { updateTree, writeUpdates } from "./update-tree.js";
