export {
  SnippetButaneError,
  SnippetConflictError,
  SnippetError,
  SnippetFileError,
  SnippetUnsupportedError,
  SnippetVariantError,
} from './errors.ts';
export { mergeSnippets } from './merge.ts';
export {
  BUTANE_VARIANTS,
  hasSnippets,
  NO_SNIPPETS,
  translateSnippets,
  type ClusterSnippets,
  type SnippetsConfig,
  type TranslatedSnippet,
  type TranslateSnippetsOptions,
} from './translate.ts';
