#!/usr/bin/env bash
# Install the Debian packages that some tests use (chromium for browser tests, poppler-utils
# for PDF checks, ffmpeg for the video tests' rotated/blacked-out/cut clips). Never fails the
# build: without them those tests skip with a reason.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${need[*]} with apt-get (browser, PDF and video tests use them)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null 2>&1 \
        || echo "could not install ${need[*]}: the tests that need them will skip"
else
    echo "not root or no apt-get: ${need[*]} not installed; the tests that need them will skip"
fi
exit 0
