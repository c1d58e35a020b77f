// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'console/.next/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // PostCSS loads its configuration as JavaScript: no tsconfig includes it.
        projectService: { allowDefaultProject: ['console/postcss.config.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // node:test's describe/it return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
      // One kind of privacy: ES #private members, which the runtime enforces. A private constructor stays, since
      // JavaScript has no #constructor and a factory-only class needs it.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            ':matches(PropertyDefinition, MethodDefinition, TSParameterProperty)[accessibility=/^(private|protected)$/]:not([kind="constructor"])',
          message: 'Use an ES #private member instead of the TypeScript private/protected keyword.',
        },
      ],
    },
  },
  {
    // The console renders every value as a React text child, which React escapes; raw HTML is never inserted.
    // (This block repeats the rule above, since a later no-restricted-syntax replaces an earlier one.)
    files: ['console/**/*.ts', 'console/**/*.tsx'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            ':matches(PropertyDefinition, MethodDefinition, TSParameterProperty)[accessibility=/^(private|protected)$/]:not([kind="constructor"])',
          message: 'Use an ES #private member instead of the TypeScript private/protected keyword.',
        },
        {
          selector: 'JSXAttribute[name.name="dangerouslySetInnerHTML"], Property[key.name="dangerouslySetInnerHTML"]',
          message: 'The console never inserts raw HTML: render values as text.',
        },
        {
          selector: 'AssignmentExpression > MemberExpression.left[property.name=/^(innerHTML|outerHTML)$/]',
          message: 'The console never inserts raw HTML: render values as text.',
        },
      ],
    },
  },
  {
    // TypeScript checks undefined names itself; core no-undef does not know Node's globals.
    files: ['**/*.js'],
    rules: { 'no-undef': 'off' },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
