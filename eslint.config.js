// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'fixtures/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain Node scripts (fixture and table generators).
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^unused' }],
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
);
