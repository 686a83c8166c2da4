// Fakes and builders for people testing code built on Herd.
export type { CreateTestConfigOptions } from './create-test-config.js';
export { createTestConfig, testModels } from './create-test-config.js';
