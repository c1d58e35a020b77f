// Public test helpers of @strata/platform-aws: AWS configs, real renders, and
// running a program under Pulumi's mocks.
export { anAwsConfig, renderDir, TEST_SSH_KEY, type AwsConfigOptions, type RenderDir } from './fixtures.ts';
export {
  runWithMocks,
  MOCK_BUCKET_SUFFIX,
  MOCK_IMAGE_ID,
  MOCK_LOAD_BALANCER_ZONE_ID,
  MOCK_ZONE_ID,
  type DataSourceCall,
  type MockRun,
  type RegisteredResource,
} from './mock-run.ts';
