// ESLint flat config: type-aware typescript-eslint, plus a guard keeping workflow code deterministic.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The product runs without the harnesses and the tests: they depend on it, never the other way.
const productOffHarnesses = {
  regex: '^(\\.\\./)+(tools|test)(/|$)',
  message: 'Product code may not import tools/ or test/: move what both need into the product.',
};
const PRODUCT_FILES = [
  'activities/**/*.ts',
  'config/**/*.ts',
  'consumers/**/*.ts',
  'db/**/*.ts',
  'domain/**/*.ts',
  'logging/**/*.ts',
  'messaging/**/*.ts',
  'outbox/**/*.ts',
  'saga-client/**/*.ts',
  'telemetry/**/*.ts',
  'workers/**/*.ts',
];

// Workflow code runs in Temporal's deterministic sandbox: Node built-ins, clients/workers/activity context
// and our own I/O modules must never be bundled into it (types are fine: they vanish at compile time).
// Bare names here; every `node:` specifier is caught by the pattern below.
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('node:'));
const workflowRestrictedImports = {
  paths: [
    ...nodeBuiltins.map((name) => ({ name, message: 'Node built-ins are not deterministic: do this in an activity.' })),
    ...['@temporalio/activity', '@temporalio/client', '@temporalio/worker'].map((name) => ({
      name,
      message: 'Workflow code may only use @temporalio/workflow and @temporalio/common.',
    })),
  ],
  patterns: [
    { regex: '^node:', message: 'Node built-ins are not deterministic: do this in an activity.' },
    {
      regex: '^(\\.\\./)+(db|messaging|outbox|activities)(/|$)',
      allowTypeImports: true,
      message: 'I/O modules belong in activities; workflows may import their types only (`import type`).',
    },
    productOffHarnesses,
  ],
};

// Outside Temporal, sagas are reached through saga-client/: the API through the SagaClient interface only
// (workers/run-api.ts wires the Temporal one), the harnesses through saga-client/ for the saga's messages.
const definitionsOutsideSagaClient = {
  regex: '^(\\.\\./)+workflows/definitions$',
  message: "The saga's queries and updates are sent by saga-client/ (SagaClient).",
};
const apiRestrictedImports = {
  patterns: [
    { regex: '^@temporalio/', message: 'The API reaches Temporal through saga-client/ (the SagaClient interface).' },
    { regex: '^(\\.\\./)+workflows(/|$)', message: 'The API reaches the saga through saga-client/ (the SagaClient interface).' },
    {
      regex: '^(\\.\\./)+saga-client/(?!saga-client$|errors$)',
      message:
        'The API depends on the SagaClient interface (saga-client/saga-client.ts, errors.ts); workers/run-api.ts wires the Temporal one.',
    },
    productOffHarnesses,
  ],
};

// Tests call the API through the generated client (api.client(as), apiClientAt, createApiClient), so a
// renamed field fails typecheck. rawRequest (test/support/api-server.ts, fake-api.ts) sends what the
// client cannot: malformed or hostile input, routes the OpenAPI document does not list, the wire format
// itself. Only these files may call it, each saying why at its top or at the call.
const rawRequestFiles = [
  'test/api/admin-and-docs.test.ts', // a body the client's types refuse; /openapi.json and /docs
  'test/api/auth.test.ts', // forged and malformed tokens; the document's operations walked generically
  'test/api/docs-assets.test.ts', // hostile asset names under /docs/assets
  'test/api/errors.test.ts', // malformed, mistyped, oversized bodies; unknown routes and methods
  'test/api/event-stream-tickets.test.ts', // tickets redeemed by URL and misused
  'test/api/events-and-health.test.ts', // SSE framing
  'test/api/keep-alive.test.ts', // connection behaviour: chunked and oversized bodies, Connection headers
  'test/api/order-limits.test.ts', // /openapi.json
  'test/api/orders.test.ts', // an encoded path traversal as the id; a status the client's types lack
  'test/api/rate-limits.test.ts', // an empty body
  'test/support/sse-client.ts', // SSE read off the wire
  'test/unit/event-contract.test.ts', // /asyncapi.json and its page, documents outside the OpenAPI document
  'test/unit/api-requests.test.ts', // invalid bodies, ids, filters, content types, routes; /openapi.json and /docs
  'test/unit/metrics.test.ts', // /metrics, unmatched paths, a malformed id
  'test/unit/openapi-contract.test.ts', // /openapi.json
  'tools/client/served-document.ts', // /openapi.json, which the client is generated from
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'tools/bench/results/',
      '.test-output/',
      'drizzle/migrations/',
      'drizzle/schema.ts',
      'api/client/openapi.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Unused on purpose: `_`-prefixed parameters keep a handler's signature; `_`-prefixed rest siblings drop fields.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Async implementations of Promise-returning interfaces need no await; dropping `async` would make throws synchronous.
      '@typescript-eslint/require-await': 'off',
      // amqplib properties/headers and Proxy/Reflect results are `any` at library boundaries (~55 sites, values checked where read); follow-up: a typed boundary helper.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Rendering a hostile `unknown` value with String() is deliberate at the broker and log boundaries.
      '@typescript-eslint/no-base-to-string': 'off',
      // Passing a caught `unknown` on to reject() as is keeps the original error; wrapping it would hide its type.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      // The TS variant understands `import type` (allowTypeImports); the core rule would flag type imports too.
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', workflowRestrictedImports],
    },
  },
  {
    files: ['api/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', apiRestrictedImports],
    },
  },
  {
    // What API users import: openapi-fetch and the generated types, nothing of the server.
    files: ['api/client/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*', '../../*'],
              message: 'api/client/ is the API client users import: it may use openapi-fetch and its generated types, not server code',
            },
          ],
        },
      ],
    },
  },
  {
    files: PRODUCT_FILES,
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [productOffHarnesses] }],
    },
  },
  {
    files: ['tools/**/*.ts', 'test/support/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [definitionsOutsideSagaClient] }],
    },
  },
  {
    files: ['test/**/*.ts', 'tools/**/*.ts'],
    ignores: rawRequestFiles,
    rules: {
      'no-restricted-properties': [
        'error',
        {
          property: 'rawRequest',
          message:
            'Call the API through the generated client (api.client(as)). rawRequest is for what it cannot send (hostile, malformed, unlisted); add the file to rawRequestFiles in eslint.config.js with why.',
        },
      ],
    },
  },
  {
    // This file itself is plain JS outside tsconfig: lint it without type information.
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
