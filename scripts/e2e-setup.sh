#!/usr/bin/env bash
# Installs what the end-to-end tests need, outside the project's dependencies: Debian's Chromium,
# and code-server (a real VS Code: same workbench and extension host) with playwright-core and vsce
# in a cache folder. Idempotent; offline-safe once done. See test/e2e/README.md.
set -euo pipefail
CACHE="${PIPEWRIGHT_E2E_CACHE:-$HOME/.cache/pipewright-e2e}"
CODE_SERVER_VERSION=4.100.3 # the newest code-server whose engines allow Node 20 (VS Code 1.100.3)

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v g++ >/dev/null || need+=(g++ make python3)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

if [ -f "$CACHE/node_modules/code-server/out/node/entry.js" ] && [ -d "$CACHE/node_modules/playwright-core" ]; then
  echo "e2e cache ready in $CACHE"
  exit 0
fi
mkdir -p "$CACHE"
# @vscode/ripgrep downloads rg from GitHub at install: seed its cache with Debian's rg instead.
RG_CACHE="$(node -p 'os.tmpdir()')/vscode-ripgrep-cache-1.15.11"
mkdir -p "$RG_CACHE"
RG_TAR="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$RG_TAR" ]; then
  tmp="$(mktemp -d)"; cp "$(command -v rg)" "$tmp/rg"; tar -czf "$RG_TAR" -C "$tmp" rg; rm -rf "$tmp"
fi
cd "$CACHE"
[ -f package.json ] || echo '{"name":"pipewright-e2e-cache","private":true}' > package.json
npm_config_yes=true npm install --no-audit --no-fund --unsafe-perm --loglevel=error \
  "code-server@$CODE_SERVER_VERSION" playwright-core @vscode/vsce
echo "e2e cache ready in $CACHE"
