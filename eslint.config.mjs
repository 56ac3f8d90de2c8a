// ESLint flat config. Module boundaries are enforced here and, with import cycles, in
// test/architecture.test.ts: the runtime never imports the editor, the views never import the engine.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.cache/**', 'test/e2e/.cache/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      'func-style': ['error', 'declaration', { allowArrowFunctions: true }],
    },
  },
  {
    // A function longer than a screen or two is several functions (the run loop is about 100 lines).
    files: ['runtime/**/*.ts', 'extension/**/*.ts', 'language-server/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 120 }] },
  },
  {
    files: ['runtime/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['vscode', 'vscode-languageserver*', 'vscode-languageclient*', 'vscode-jsonrpc*'], message: 'The runtime never imports the editor or the LSP.' },
            { group: ['**/extension/**', '**/language-server/**'], message: 'The runtime never imports its views.' },
          ],
        },
      ],
    },
  },
  {
    files: ['language-server/**/*.ts', 'extension/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/runtime/executor/**', '**/runtime/connectors/**', '**/runtime/scheduler/**'], message: 'Views never import the engine: runs happen in the CLI process.' },
          ],
        },
      ],
    },
  },
  {
    files: ['extension/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['vscode', 'node:*', '**/runtime/project/**', '**/runtime/graph/**'], message: 'Webview code imports only the protocol.' }],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', 'bin/**/*.js', 'scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', __dirname: 'readonly', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
