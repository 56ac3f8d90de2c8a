#!/usr/bin/env bash
# Renders media/icon.svg as media/icon.png (256 x 256, transparent corners) with Chromium, which the
# end-to-end tests install anyway: the marketplace takes a PNG icon only.
set -euo pipefail
cd "$(dirname "$0")/.."
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --default-background-color=00000000 \
  --window-size=256,256 --screenshot="$PWD/media/icon.png" "file://$PWD/media/icon.svg" 2>/dev/null
