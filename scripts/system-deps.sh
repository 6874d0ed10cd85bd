#!/usr/bin/env bash
# System packages Clientcare needs beyond PyPI: a CJK font (charts, HTML, PDF), Pango (WeasyPrint's
# text layout, with HarfBuzz's subsetter for fast CJK PDFs) and poppler-utils (pdftotext/pdftoppm, used by tests and for looking at PDFs);
# chromium drives the portal's browser tests (Playwright, with the system browser).
# Installs them when running as root on Debian/Ubuntu; otherwise prints the exact command.
set -euo pipefail
missing=()
fc-list :lang=zh 2>/dev/null | grep -qi "cjk\|han sans\|wenquanyi\|noto sans sc" || missing+=(fonts-noto-cjk)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so" || missing+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so" || missing+=(libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q "libharfbuzz-subset.so" || missing+=(libharfbuzz-subset0)
command -v fc-list >/dev/null 2>&1 || missing+=(fontconfig)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fc-cache -f >/dev/null 2>&1 || true
else
  echo "Clientcare needs these system packages: ${missing[*]}" >&2
  echo "Run:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
