/**
 * Unit specs live beside the code; e2e specs boot the real app against simulators over real
 * sockets; llama specs run the built gateway against real llama.cpp `llama-server` processes
 * (docs/testing.md: they are skipped, loudly, outside CI when the binary is not built).
 */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/simulator/**/*.spec.ts'],
      transform,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      transform,
      testTimeout: 30000,
    },
    {
      displayName: 'llama',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/llama/**/*.llama-spec.ts'],
      transform,
      // Jest ignores testTimeout inside a project: describeLlama sets 60 s itself.
    },
  ],
};
