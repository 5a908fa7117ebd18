// Shared jest settings: every project has two jest "projects", `unit` (*.spec.ts, pure logic,
// no network) and `integration` (*.integration-spec.ts and *.e2e-spec.ts, against the real local
// stack started by `npx matih stack up`).
const path = require('node:path');

const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    },
  ],
};

const moduleNameMapper = (() => {
  const { compilerOptions } = require('./tsconfig.base.json');
  const map = {};
  for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
    map[`^${alias.replace('/', '\\/')}$`] = path.join(__dirname, target);
  }
  return map;
})();

/** @param {string} rootDir the project's folder */
function projectConfig(rootDir) {
  const common = { rootDir, transform, moduleNameMapper, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };
  return {
    projects: [
      { ...common, displayName: 'unit', testMatch: ['<rootDir>/**/*.spec.ts'] },
      {
        ...common,
        displayName: 'integration',
        testMatch: ['<rootDir>/**/*.integration-spec.ts', '<rootDir>/**/*.e2e-spec.ts'],
        // integration tests wait on real components: give them minutes, not jest's 5 s
        setupFilesAfterEnv: [path.join(__dirname, 'jest.integration-setup.js')],
      },
    ],
  };
}

module.exports = { projectConfig };
