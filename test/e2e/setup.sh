#!/usr/bin/env bash
# Installs what the tests in a real VS Code need, without the internet beyond the npm registry and Debian:
# Debian's chromium, ripgrep and libkrb5-dev, then code-server (VS Code 1.100.3 for the web) into a cache
# folder outside the project's dependencies. Safe to run again: it does nothing when all is in place.
# Usage: bash test/e2e/setup.sh [CACHE_DIR]   (default: .vscode-test/code-server)
set -euo pipefail
CS_VERSION="${CS_VERSION:-4.100.3}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DIR="${1:-$ROOT/.vscode-test/code-server}"
BIN="$DIR/node_modules/.bin/code-server"

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
[ -f /usr/include/gssapi/gssapi.h ] || need+=(libkrb5-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "e2e setup: apt-get install ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ -x "$BIN" ] && [ -f "$DIR/.installed-$CS_VERSION" ]; then
  echo "e2e setup: code-server $CS_VERSION already installed in $DIR"
  exit 0
fi
mkdir -p "$DIR"
export TMPDIR="$DIR/.tmp"
mkdir -p "$TMPDIR"

# @vscode/ripgrep's postinstall downloads a binary from GitHub: put Debian's rg where it looks first.
work="$(mktemp -d)"
(
  cd "$work"
  npm pack "code-server@$CS_VERSION" --silent >/dev/null
  tar xzf code-server-*.tgz package/lib/vscode/npm-shrinkwrap.json
  rg_pkg="$(node -p "require('./package/lib/vscode/npm-shrinkwrap.json').packages['node_modules/@vscode/ripgrep'].version")"
  npm pack "@vscode/ripgrep@$rg_pkg" --silent >/dev/null
  tar xzf vscode-ripgrep-*.tgz package/lib/postinstall.js
  rg_ver="$(sed -n "s/^const VERSION = '\([^']*\)'.*/\1/p" package/lib/postinstall.js)"
  cache="$TMPDIR/vscode-ripgrep-cache-$rg_pkg"
  mkdir -p "$cache" rgdir
  cp "$(command -v rg)" rgdir/rg
  tar czf "$cache/ripgrep-$rg_ver-x86_64-unknown-linux-musl.tar.gz" -C rgdir rg
)
rm -rf "$work"

[ -f "$DIR/package.json" ] || echo '{ "name": "code-server-cache", "private": true, "allowScripts": { "code-server": true, "argon2": true } }' > "$DIR/package.json"
# code-server's postinstall refuses root without unsafe-perm; node-pty's postinstall runs `npx node-gyp` (needs yes).
(cd "$DIR" && npm_config_unsafe_perm=true npm_config_yes=true npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION")
V="$DIR/node_modules/code-server/lib/vscode/node_modules"
for f in "$DIR/node_modules/argon2/lib/binding/napi-v3/argon2.node" "$V/node-pty/build/Release/pty.node" \
         "$V/@vscode/spdlog/build/Release/spdlog.node" "$V/@vscode/ripgrep/bin/rg"; do
  [ -e "$f" ] || { echo "e2e setup: missing after install: $f" >&2; exit 1; }
done
touch "$DIR/.installed-$CS_VERSION"
echo "e2e setup: code-server $CS_VERSION installed in $DIR"
