/**
 * Commit messages of image updates from Flux's `messageTemplate`, and the Go text/template engine
 * (with Sprig's hermetic functions) that runs them.
 */

export {
  type CommitMessageData,
  commitMessage,
  defaultCommitMessage,
  type FileChange,
  type ObjectIdentifier,
  type SetterChange,
} from "./commit-message.js";
export { TemplateError } from "./errors.js";
export { renderTemplate, Template, type TemplateOptions, templateFunctions } from "./template.js";
