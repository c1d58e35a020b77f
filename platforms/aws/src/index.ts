// The public entry point of @strata/platform-aws: the AWS Pulumi program, the
// names it gives resources, the offline preflight checks and those asked of AWS
// through the provider.
export { awsProgram, checkAwsConfig, type AwsProgramOutputs, type CheckedAwsConfig } from './program.ts';
export {
  AWS_NAME_RULES,
  awsResourceNames,
  boundedName,
  checkedName,
  type AwsResourceNames,
  type ControllerNames,
  type NameKind,
  type NameRule,
  type WorkerPoolNames,
} from './names.ts';
export { networkPlan, VPC_CIDR, MAX_ZONES, type NetworkPlan, type SubnetPlan } from './network.ts';
export { ingressRules, PORTS, WORLD, type IngressRule, type NodeRole, type RuleSource } from './firewall.ts';
export { imageQuery, FLATCAR_OWNER, FEDORA_COREOS_OWNER, type ImageQuery, type ImageFilter } from './image.ts';
export { CONTROLLER_CONFIG_TYPE } from './resources/controllers.ts';
export { ignitionPointer, s3Url, sha512Verification } from './ignition-pointer.ts';
export { clusterTags, kubernetesClusterTag, CLUSTER_TAG, type Tags } from './tags.ts';
export { AwsNamingError, AwsProgramError } from './errors.ts';
export { awsCredentialsCheck, awsPreflight, AWS_PROVIDER_PLUGIN, type PreflightCheck } from './preflight.ts';
export { awsExistenceChecks, instanceTypeFields } from './existence.ts';
