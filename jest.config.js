/**
 * Unit specs live beside the code; e2e specs boot the real app against simulators over real
 * sockets; llama specs run the built gateway against real llama.cpp `llama-server` processes
 * (docs/testing.md: they are skipped, loudly, outside CI when the binary is not built); browser
 * specs drive Debian's chromium (puppeteer-core) through the console of the built gateway.
 */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
  // A global option: Jest ignores testTimeout inside a project. Boots and worker start-ups on a
  // loaded 2-core machine take seconds; the default 5 s made e2e hooks flake.
  testTimeout: 30000,
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
    },
    {
      displayName: 'llama',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/llama/**/*.llama-spec.ts'],
      transform,
      // describeLlama sets 60 s itself: a real model server is slower than the simulator.
    },
    {
      displayName: 'browser',
      // puppeteer-core is ES modules only: this environment loads it with Node's own require.
      testEnvironment: '<rootDir>/test/console/browser.environment.js',
      rootDir: '.',
      testMatch: ['<rootDir>/test/console/**/*.browser-spec.ts'],
      transform,
      // describeBrowser sets its own timeout: a browser and a built gateway start in seconds.
    },
  ],
};
