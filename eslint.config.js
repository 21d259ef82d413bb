// ESLint flat config: the electron-vite template stack plus our layering rules (STYLE.md rule 2).
import { builtinModules } from 'node:module'

import tseslint from '@electron-toolkit/eslint-config-ts'
import eslintConfigPrettier from '@electron-toolkit/eslint-config-prettier'
import importX from 'eslint-plugin-import-x'
import eslintPluginReact from 'eslint-plugin-react'
import eslintPluginReactHooks from 'eslint-plugin-react-hooks'
import eslintPluginReactRefresh from 'eslint-plugin-react-refresh'

const NODE_BUILTINS = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)]
const node = (message) => NODE_BUILTINS.map((name) => ({ name, message }))
const electron = (message) => [{ name: 'electron', message }]
const ELECTRON_FREE = 'This folder is Electron-free. Inject a port from src/main/platform.'
const KEYTAR = [
  { name: 'keytar', message: 'Only src/main/platform/keytar-secret-store.ts may load keytar.' }
]
// Endpoints are data (STYLE.md rule 16): hosts come from src/shared/clouds.ts.
const MICROSOFT_HOSTS = [
  {
    selector:
      'Literal[value=/(manage\\.office\\.com|graph\\.microsoft\\.com|login\\.microsoftonline\\.com)/]',
    message: 'Microsoft endpoints come from src/shared/clouds.ts.'
  },
  {
    selector:
      'TemplateElement[value.raw=/(manage\\.office\\.com|graph\\.microsoft\\.com|login\\.microsoftonline\\.com)/]',
    message: 'Microsoft endpoints come from src/shared/clouds.ts.'
  }
]
const BEARER_HEADER = [
  {
    selector: 'Property[key.name=/^authorization$/i], Property[key.value=/^authorization$/i]',
    message:
      'Authorization headers are attached only by BearerHttp (audit-api/bearer-http.ts), after the token destination policy.'
  }
]
const MSAL = [{ name: '@azure/msal-node', message: 'MSAL lives in src/main/services/auth only.' }]
const IPC_MAIN = [
  {
    name: 'electron',
    importNames: ['ipcMain'],
    message: 'Only src/main/ipc registers IPC handlers (through handle()).'
  }
]
const IPC_RENDERER = [
  {
    name: 'electron',
    importNames: ['ipcRenderer', 'contextBridge'],
    message: 'Only src/preload talks to ipcRenderer and contextBridge.'
  }
]
const MAIN_ONLY = [
  {
    name: 'electron',
    importNames: ['ipcMain', 'ipcRenderer', 'contextBridge'],
    message: 'ipcMain only in src/main/ipc; ipcRenderer and contextBridge only in src/preload.'
  }
]

/** One `no-restricted-imports` entry per zone: flat config does not merge a rule's options. */
function zone(files, paths, patterns = [], ignores = []) {
  return {
    files,
    ignores,
    rules: { 'no-restricted-imports': ['error', { paths, patterns }] }
  }
}

const MAIN_PATTERN = {
  group: ['**/main/**', '**/main'],
  message: 'The renderer reaches main through the contract only.'
}

export default tseslint.config(
  {
    ignores: [
      '**/node_modules',
      '**/out',
      '**/dist',
      'test-results',
      'playwright-report',
      'bench/results'
    ]
  },
  tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.node.json', './tsconfig.web.json', './tsconfig.e2e.json'],
        tsconfigRootDir: import.meta.dirname
      }
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error'
    }
  },
  {
    files: ['**/*.{js,mjs}'],
    rules: { '@typescript-eslint/explicit-function-return-type': 'off' }
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }
      ]
    }
  },
  eslintPluginReact.configs.flat.recommended,
  eslintPluginReact.configs.flat['jsx-runtime'],
  { settings: { react: { version: 'detect' } } },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: {
      'react-hooks': eslintPluginReactHooks,
      'react-refresh': eslintPluginReactRefresh
    },
    rules: {
      ...eslintPluginReactHooks.configs.recommended.rules,
      ...eslintPluginReactRefresh.configs.vite.rules
    }
  },
  {
    plugins: { 'import-x': importX },
    rules: {
      'import-x/order': [
        'error',
        {
          groups: ['builtin', 'external', 'internal', 'parent', 'sibling', 'index'],
          'newlines-between': 'always-and-inside-groups'
        }
      ],
      'import-x/no-default-export': 'error',
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      curly: ['error', 'all'],
      'no-restricted-syntax': ['error', ...MICROSOFT_HOSTS]
    }
  },
  {
    // Tokens go only where the token destination policy allows (issue 10): the main process
    // attaches an Authorization header in one place, src/main/services/audit-api/bearer-http.ts.
    files: ['src/main/**/*.ts', 'src/cli/**/*.ts'],
    ignores: ['src/main/services/audit-api/bearer-http.ts', '**/*.test.ts'],
    rules: { 'no-restricted-syntax': ['error', ...MICROSOFT_HOSTS, ...BEARER_HEADER] }
  },
  {
    files: ['src/shared/clouds.ts'],
    rules: { 'no-restricted-syntax': 'off' }
  },
  {
    // Tools demand default exports from their config files.
    files: ['*.config.{ts,js,mjs}', 'e2e/playwright.config.ts', 'e2e/global-setup.ts'],
    rules: { 'import-x/no-default-export': 'off' }
  },
  // Layering (STYLE.md rule 2).
  zone(
    ['src/shared/**'],
    [
      ...electron('src/shared runs anywhere: no Electron.'),
      ...node('src/shared runs anywhere: no Node built-ins.'),
      { name: 'react', message: 'src/shared has no UI.' },
      { name: 'react-dom', message: 'src/shared has no UI.' },
      { name: 'dexie', message: 'The database lives in src/renderer/src/db.' },
      ...MSAL,
      ...KEYTAR
    ]
  ),
  zone(
    ['src/renderer/**'],
    [
      ...electron('The renderer reaches main through window.api only.'),
      ...node('The renderer runs in a browser: no Node built-ins.'),
      ...MSAL,
      ...KEYTAR
    ],
    [MAIN_PATTERN]
  ),
  zone(
    [
      'src/main/services/**',
      'src/main/web/**',
      'src/main/rpc/**',
      'src/main/app-core.ts',
      'src/cli/**'
    ],
    [...electron(ELECTRON_FREE), ...KEYTAR]
  ),
  zone(
    ['src/emulator/**'],
    [...electron(ELECTRON_FREE), ...KEYTAR],
    [
      {
        group: ['**/main/**', '**/renderer/**'],
        message: 'The emulator shares no code with what it tests, except src/shared.'
      }
    ]
  ),
  zone(['src/main/ipc/**'], [...IPC_RENDERER, ...KEYTAR]),
  zone(
    ['src/preload/**'],
    [...IPC_MAIN, ...node('A sandboxed preload cannot load Node modules.'), ...KEYTAR]
  ),
  zone(
    ['src/main/index.ts', 'src/main/platform/**'],
    [...MAIN_ONLY, ...KEYTAR],
    [],
    ['src/main/platform/keytar-secret-store.ts']
  ),
  zone(['src/main/platform/keytar-secret-store.ts'], MAIN_ONLY),
  zone(['e2e/**', 'bench/**', 'scripts/**'], [...IPC_MAIN, ...IPC_RENDERER, ...KEYTAR]),
  eslintConfigPrettier
)
