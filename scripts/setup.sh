#!/usr/bin/env bash
# The README's first command: everything a fresh Debian/Ubuntu machine needs, then the bundled
# benchmark. Safe to run again: installed packages are skipped, an up-to-date build is kept, and
# every bench run gets a folder of its own. Extra arguments go to `securecoderl bench`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Node comes first: Debian's and Ubuntu's own nodejs packages are older than the engines field.
if ! command -v node >/dev/null || ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "setup: Node.js >= 20.19 is needed (found: $(node --version 2>/dev/null || echo none)); install it (nodejs.org or your distribution's backports), then run this again" >&2
  exit 1
fi

bash scripts/apt-install.sh run build

# npm install builds through `prepare` (scripts/prepare.mjs), which skips an up-to-date build.
npm install --no-audit --no-fund

node bin/securecoderl.js doctor || { echo "setup: the sandbox is not ready; fix the FAIL lines above, then run this again" >&2; exit 1; }

exec node bin/securecoderl.js bench "$@"
