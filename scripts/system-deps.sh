#!/usr/bin/env bash
# Installs the Debian packages the project needs at run time, if any is missing:
# Pango and HarfBuzz's subsetter for WeasyPrint (without the subsetter a CJK PDF takes
# seconds), a Chinese font (without one WeasyPrint draws empty boxes and says nothing),
# gettext to compile the translations, and poppler-utils, whose `pdfsig` is the second,
# independent check that a signed contract validates (libnss3-tools' `certutil` gives it the
# platform's root certificate to trust), and Chromium for the browser suite (Playwright drives
# it; it never downloads a browser of its own). As root it installs them; otherwise
# it prints the exact command to run and stops.
set -euo pipefail

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-zenhei gettext poppler-utils
  libnss3-tools chromium)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

command="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "These system packages are missing: ${missing[*]}" >&2
  echo "Install them as root, then run make again:" >&2
  echo "    sudo sh -c '$command'" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
