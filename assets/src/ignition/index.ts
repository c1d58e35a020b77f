// The public API of Strata's Ignition support: build configs, validate configs.
export {
  IgnitionBuilder,
  type DirectoryInput,
  type DropinInput,
  type FileInput,
  type GroupInput,
  type LinkInput,
  type OwnerInput,
  type ProxyInput,
  type RemoteFileInput,
  type UnitInput,
  type UserInput,
} from './builder.ts';
export { cleanPath } from './clean-path.ts';
export { bytesDataUrl, decodeDataUrl, textDataUrl, type DataUrlResult, type DecodedDataUrl } from './data-url.ts';
export { IgnitionBuildError, IgnitionValidationError, type IgnitionIssue } from './errors.ts';
export { IGNITION_VERSION, SUPPORTED_VERSIONS } from './rules.ts';
export {
  ignitionConfigSchema,
  type HttpHeader,
  type IgnitionConfig,
  type IgnitionDirectory,
  type IgnitionFile,
  type IgnitionLink,
  type IgnitionSection,
  type NodeOwner,
  type PasswdGroup,
  type PasswdUser,
  type Resource,
  type SystemdDropin,
  type SystemdUnit,
  type Verification,
} from './schema.ts';
export { assertValidIgnition, validateIgnition } from './validate.ts';
export { withholdSecrets, type IgnitionRole, type SplitIgnition, type WithheldFile } from './withhold-secrets.ts';
