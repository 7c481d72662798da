#!/bin/sh
# The system tools some tests drive: Chromium and chromedriver (browser tests) and Raptor's
# rapper (dump tests). Missing ones are installed with apt-get, as root or through sudo without
# a password; where that cannot work, one line says so for each, and their tests are skipped
# (tests/conftest.py), except under CI=true, where everything must be installed.
set -u
tools="chromium chromedriver rapper"
packages="chromium chromium-driver raptor2-utils"

missing() {
    for tool in $tools; do
        command -v "$tool" >/dev/null 2>&1 || echo "$tool"
    done
}

[ -z "$(missing)" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
else
    as_root="none"
fi
if [ "$as_root" != none ] && command -v apt-get >/dev/null 2>&1; then
    echo "make: installing $packages with apt-get"
    $as_root apt-get update -qq &&
        $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends $packages
fi
still_missing=$(missing)
[ -z "$still_missing" ] && exit 0
for tool in $still_missing; do
    echo "make: $tool is not installed and apt-get could not install it here (it needs root or" \
         "sudo; Debian packages: $packages): the tests that need it will be skipped"
done
if [ "${CI:-}" = true ]; then
    echo "make: under CI=true every test runs, so every tool must be installed"
    exit 1
fi
