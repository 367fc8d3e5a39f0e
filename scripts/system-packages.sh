#!/usr/bin/env bash
# Make sure the Debian packages a target needs are installed.
# As root: installs what is missing with apt-get. Otherwise: names what is missing and how to get
# it, and carries on (tests that need a missing part skip with the reason; in CI they fail).
set -euo pipefail

target="${1:-test}"
case "$target" in
  # graphviz draws the lifecycle pictures; the CJK fonts let it, Chromium and the PDFs draw
  # Chinese; Pango is what WeasyPrint lays out text with.
  run)  packages=(graphviz fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0) ;;
  # Chromium runs the browser tests (driven by Playwright, never a downloaded browser);
  # poppler-utils (pdftotext, pdftoppm, pdfinfo) reads the printed PDFs back, and its pdfsig
  # checks the signed 正式文件 independently of pyHanko; postgresql runs
  # the second half of the suite (scripts/test-postgres.sh starts a throwaway server).
  test) packages=(graphviz fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 chromium poppler-utils
                  postgresql) ;;
  # PostgreSQL for the second half of the figures; wrk is the HTTP load of B4 and B6.
  bench) packages=(postgresql wrk) ;;
  *)    echo "system-packages.sh: unknown target '$target'" >&2; exit 2 ;;
esac

[ ${#packages[@]} -eq 0 ] && exit 0
command -v dpkg-query >/dev/null 2>&1 || {
  echo "Not a Debian system: please install the equivalents of: ${packages[*]}" >&2; exit 0; }

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get install ${missing[*]}" >&2
  echo "(Tests and benchmarks that need them are skipped until then.)" >&2
fi
