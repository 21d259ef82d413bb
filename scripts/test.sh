#!/usr/bin/env bash
# The one test command (README "Run all tests"): checks or installs the system packages the tests
# need, installs npm dependencies, then runs lint, typecheck, unit and integration tests, the build
# and the end-to-end tests in Debian's Chromium. Works offline on a fresh Debian machine that can
# reach Debian's and npm's package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: e2e browser; libsecret-1-dev: builds keytar; gnome-keyring + dbus: a real Secret
# Service for keychain tests; xauth/xvfb are not needed (headless Chromium).
PACKAGES=(chromium libsecret-1-dev gnome-keyring dbus dbus-x11 python3 make g++)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "[test] installing system packages: ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null; then SUDO="sudo"; else
      echo "[test] missing system packages and no root: apt-get install ${missing[*]}" >&2
      exit 1
    fi
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm dependencies: a clean install when node_modules is missing or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[test] npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

mkdir -p test-results
rm -f test-results/unit.json test-results/e2e.json

echo "[test] lint" >&2
npm run -s lint
npm run -s format:check
echo "[test] typecheck" >&2
npm run -s typecheck
# Electron must stay within its support window (the latest three stable majors); a failure here
# names the date and the upgrade to make, and fails the run after the tests below.
echo "[test] Electron support window" >&2
support_status=0
node scripts/electron-support.mjs || support_status=1
echo "[test] build" >&2
npx electron-vite build --logLevel warn

# Unit, integration and e2e tests run inside a private D-Bus session with an unlocked GNOME
# Keyring, so keytar talks to a real Secret Service (reference/auth.md §8).
# A throwaway keyring folder makes the run hermetic: a fresh login keyring is created and unlocked
# with a test-only password every time, whatever keyrings this user already has.
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
mkdir -m 700 "$keyring_home/data" "$keyring_home/runtime"
status=0
XDG_DATA_HOME="$keyring_home/data" XDG_RUNTIME_DIR="$keyring_home/runtime" dbus-run-session -- bash -c '
  set -u
  printf "cax-test-only-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  status=0
  echo "[test] unit and integration tests (vitest)" >&2
  CAX_KEYCHAIN_TESTS=1 npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/unit.json || status=1
  echo "[test] end-to-end tests (Playwright, Chromium)" >&2
  CI=1 npx playwright test -c e2e/playwright.config.ts || status=1
  exit $status
' || status=$?

node scripts/test-summary.mjs test-results/unit.json test-results/e2e.json || status=1
if [ "$support_status" != 0 ]; then
  echo "[test] FAILED: the pinned Electron is out of support (see [electron-support] above)" >&2
  status=1
fi
exit $status
