// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * The layers of ../shared/DESIGN.md, lowest first: a folder of src/ may import its own layer and the layers
 * below it, never one above (rdb/ and aof/ share a layer and do not import each other).
 */
const layers = [['bytes'], ['codecs'], ['io'], ['rdb', 'aof'], ['input', 'output'], ['keyspace'], ['operations'], ['render']];

function layerRules() {
  return layers.flatMap((layer, level) =>
    layer.map((folder) => {
      const above = layers.slice(level + 1).flat();
      const siblings = layer.filter((other) => other !== folder);
      const forbidden = [...above, ...siblings];
      return {
        files: [`src/${folder}/**/*.ts`],
        rules: {
          'no-restricted-imports': ['error', {
            paths: ['@oclif/core', 'chalk', 'cli-table3']
              .filter(() => folder !== 'render')
              .map((name) => ({ name, message: 'library code stays free of the terminal layer' })),
            patterns: forbidden.map((other) => ({
              group: [`../${other}/*`, `../../${other}/*`],
              message: siblings.includes(other)
                ? `src/${folder}/ and src/${other}/ share a layer of DESIGN.md and do not import each other`
                : `src/${folder}/ sits below src/${other}/ in the layers of DESIGN.md: it may not import it`,
            })),
          }],
        },
      };
    }),
  );
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'fixtures/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain Node scripts (fixture and table generators, the bin entry).
    files: ['**/*.mjs', 'bin/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^unused', varsIgnorePattern: '^unused', destructuredArrayIgnorePattern: '^unused' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The library never touches the terminal or the process: only render/ and commands/ do.
    files: ['src/**/*.ts'],
    ignores: ['src/render/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['@oclif/core', 'chalk', 'cli-table3'].map((name) => ({ name, message: 'library code stays free of the terminal layer' })),
      }],
      'no-restricted-globals': ['error', { name: 'process', message: 'library code takes what it needs as arguments' }],
    },
  },
  {
    // Commands build their flags with src/render/flags.ts: a value import of oclif here would load it on
    // the fast path of bin/run.js (startup; see bench "startup"). Type imports are free.
    files: ['commands/**/*.ts', 'src/render/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: '@oclif/core', message: 'build flags with src/render/flags.ts; oclif is loaded only by bin/run.js and base-command.ts', allowTypeImports: true }],
      }],
    },
  },
  // errors.ts is the bottom layer: it imports nothing of ours.
  {
    files: ['src/errors.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['./*'], message: 'errors.ts is the bottom layer' }] }] },
  },
  ...layerRules(),
);
