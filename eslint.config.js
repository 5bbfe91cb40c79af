// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
);
