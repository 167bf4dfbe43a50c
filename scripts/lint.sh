#!/usr/bin/env bash
# Text-level checks of the rules in DESIGN.md and STYLE.md: layering, banned string
# functions, complete German translations. Prints one line per problem; exit 1 on any.
set -u
cd "$(dirname "$0")/.."
fail=0
problem() { echo "lint: $*"; fail=1; }

bad=$(grep -rlE '#include *<(sqlite3|libpq-fe)\.h>' src | grep -v '^src/store/')
[ -z "$bad" ] || problem "only src/store/ may include sqlite3.h or libpq-fe.h: $bad"
bad=$(grep -rlE '#include *<microhttpd\.h>' src | grep -v '^src/http/')
[ -z "$bad" ] || problem "only src/http/ may include microhttpd.h: $bad"
bad=$(grep -rlE '#include *"(\.\./)?(http|web|portal|desk|api)/' src/domain src/store src/core)
[ -z "$bad" ] || problem "domain, store and core must not include http, web or page headers: $bad"
bad=$(grep -rnE '\b(strcpy|strcat|sprintf|gets|strtok)\s*\(' src | grep -vE '^\S+:\s*(//|/?\*)')
[ -z "$bad" ] || problem "banned string functions (use Buf): $bad"
bad=$(grep -rlE '\b(SELECT|INSERT INTO|UPDATE [a-z_]+ SET|DELETE FROM)\b' src --include='*.c' |
      grep -vE '^src/store/')
[ -z "$bad" ] || problem "SQL belongs in src/store/: $bad"
# stylesheets: every { closed (a merge once dropped one and the rest of the file was lost)
for css in static/*.css; do
  depth=$(perl -0777 -ne 's{/\*.*?\*/}{}gs; my $d = 0; for (split //) { $d++ if $_ eq "{"; $d-- if $_ eq "}"; if ($d < 0) { print "negative"; exit } } print $d' "$css")
  [ "$depth" = 0 ] || problem "$css: unbalanced braces ($depth)"
done
bash scripts/check-translations.sh || fail=1
if [ "$fail" = 0 ]; then echo "lint: ok"; fi
exit "$fail"
