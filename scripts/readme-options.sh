#!/usr/bin/env bash
# Rewrites the option table in README.md (between <!-- options --> and <!-- /options -->)
# from `build/pforte options`, the one table of settings in src/core/config.c.
set -euo pipefail
cd "$(dirname "$0")/.."
table=$(build/pforte options)
TABLE="$table" perl -0pi -e 's/(<!-- options -->\n).*?(<!-- \/options -->)/$1$ENV{TABLE}\n$2/s' README.md
