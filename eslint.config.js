// Type-aware lint. The two architecture rules that matter most are enforced here, not by review:
// workflow code must stay deterministic (no Node built-ins), and functions/core stays pure.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.flatMap((name) => [name, `${name}/*`]);
const nodeBuiltinRule = { group: ['node:*', ...nodeBuiltins], message: 'No Node built-ins here.' };

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      'cdk.out',
      'coverage',
      'bench/results',
      'reports',
      'bin/*.js',
      // A separate app with its own package.json and tsconfig, type-checked where it is installed.
      'examples/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Workflow code is replayed in Temporal's deterministic sandbox: Node built-ins break replay.
    // worker/workflow.ts is the `temporal-event-gateway/workflow` entry, bundled into teams' workflows.
    files: ['worker/workflows/**/*.ts', 'worker/interceptors/**/*.ts', 'worker/workflow.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { ...nodeBuiltinRule, message: 'Workflow code must be deterministic: no Node built-ins.' },
            {
              group: ['../activities/*', '../activities'],
              message: 'Import activity types only, via proxyActivities.',
            },
          ],
        },
      ],
    },
  },
  {
    // The contract is shared by the gateway, the worker and workflow code: it imports nothing.
    files: ['contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?!\\./)', message: 'contract/ is dependency-free: import only its own files.' },
          ],
        },
      ],
    },
  },
  {
    // The payload data converter is shared by the gateway's Lambdas, the worker and the CLI: it takes
    // nothing from any of them, and nothing heavier than the KMS client into a Lambda's cold start
    // (the S3 client of large payloads is imported on first use).
    files: ['payloads/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!node:|@temporalio/common$|@aws-sdk/client-(kms|s3)$|\\./|\\.\\./contract/)',
              message:
                'payloads/ imports only node:*, @temporalio/common, @aws-sdk/client-kms, @aws-sdk/client-s3 and contract/.',
            },
          ],
        },
      ],
    },
  },
  {
    // The worker harness and workflow code never import the gateway.
    files: ['worker/**/*.ts'],
    ignores: ['worker/workflows/**/*.ts', 'worker/interceptors/**/*.ts', 'worker/workflow.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/functions/**', '**/infra/**'], message: 'The worker does not import the gateway.' },
          ],
        },
      ],
    },
  },
  {
    // This repository's own app (infra/demo-app/) uses the library as a team would: through the
    // package's entry point (infra/index.ts) only. The staged demo's routing is the one thing it takes
    // from the gateway.
    files: ['infra/demo-app/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(constructs|props)/|/(lambda-handlers|nag)$|/functions/(?!core/default-config$)',
              message: 'The app uses the library through its entry point: import from infra/index.',
            },
          ],
        },
      ],
    },
  },
  {
    // The core is pure: parsing, validation, routing and outcomes only. Adapters do the I/O.
    files: ['functions/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { ...nodeBuiltinRule, message: 'functions/core is pure: no Node built-ins.' },
            {
              group: [
                '@temporalio/*',
                'aws-lambda',
                '@aws-sdk/*',
                '@aws-lambda-powertools/*',
                'hono',
                'hono/*',
              ],
              message: 'functions/core is pure: put I/O in functions/adapters.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'functions/core must not read process.env.' },
      ],
    },
  },
  {
    // The Lambdas serve a document written at build (issue 31): the OpenAPI runtime and the route
    // descriptions (functions/handlers/openapi/, zod schemas) stay at build, out of every init path.
    files: ['functions/handlers/**/*.ts'],
    ignores: ['functions/handlers/openapi/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@hono/zod-openapi',
                '@asteasolutions/zod-to-openapi',
                './openapi/*',
                '**/handlers/openapi/*',
              ],
              message:
                'The OpenAPI runtime stays at build: handlers validate with generated checks (core/check.ts).',
            },
          ],
        },
      ],
    },
  },
  // The layers of functions/: core → adapters → runtime (composition roots) → handlers. An import
  // never climbs: adapters take nothing from runtime/ or handlers/, runtime/ nothing from handlers/,
  // and the core (pure, above) nothing from any of them. Written with no-restricted-syntax so these
  // blocks add to the purity rules above instead of replacing their no-restricted-imports.
  ...[
    { layer: 'core', above: 'adapters|runtime|handlers' },
    { layer: 'adapters', above: 'runtime|handlers' },
    { layer: 'runtime', above: 'handlers' },
  ].map(({ layer, above }) => {
    const climbs = `/(^|\\/)(${above})\\//`;
    const message = `functions/${layer} must not import from a higher layer (${above.replaceAll('|', ', ')}).`;
    return {
      files: [`functions/${layer}/**/*.ts`],
      rules: {
        'no-restricted-syntax': [
          'error',
          { selector: `ImportDeclaration[source.value=${climbs}]`, message },
          { selector: `ExportNamedDeclaration[source.value=${climbs}]`, message },
          { selector: `ExportAllDeclaration[source.value=${climbs}]`, message },
          { selector: `ImportExpression[source.value=${climbs}]`, message },
        ],
      },
    };
  }),
  {
    // The one error hierarchy (contract/errors.ts): every error class states its own name as a string.
    // The Lambda bundles are minified, which renames classes, so a name taken from the class would
    // read `zt` in a Lambda's log and break a classification that reads the name.
    files: ['**/*.ts'],
    plugins: {
      'event-gateway': {
        rules: {
          'error-class-names-itself': {
            meta: {
              type: 'problem',
              schema: [],
              messages: {
                unnamed: "Error class {{name}} must declare `override readonly name = '{{name}}';`.",
              },
            },
            create: (context) => ({
              'ClassDeclaration[superClass.name=/Error$/]'(node) {
                const className = node.id?.name;
                const named = node.body.body.some(
                  (member) =>
                    member.type === 'PropertyDefinition' &&
                    member.key.type === 'Identifier' &&
                    member.key.name === 'name' &&
                    member.value?.type === 'Literal' &&
                    member.value.value === className,
                );
                if (!named)
                  context.report({ node: node.id ?? node, messageId: 'unnamed', data: { name: className } });
              },
            }),
          },
        },
      },
    },
    rules: { 'event-gateway/error-class-names-itself': 'error' },
  },
  prettier,
);
