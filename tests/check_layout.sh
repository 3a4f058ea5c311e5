#!/usr/bin/env bash
# check_layout.sh — the source folders depend one way only.
#
#   tests/check_layout.sh [SRC]        (SRC: the source tree; default ..)
#
# Reads every `#include "..."` of the C sources, finds the folder of the
# included header, and prints the folder graph. Fails when a folder includes
# a header of a folder it may not depend on, when the graph has a cycle,
# when hwloc.h is included outside core/place.c, or Python.h outside embed/,
# or when a cellspec (core/cellspec.h) is built with a positional
# initializer: filled by position, a runner was once told the wrong
# warm-up (issue 12).
# The allowed dependencies (a folder may always include its own headers):
#   core           nothing
#   workloads      core
#   embed          core, workloads
#   lab/report     core              (a report comes from results.jsonl alone)
#   lab            core, workloads, lab/report
set -euo pipefail
src=$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/..}" && pwd)
cd "$src"

declare -A allowed=(
  [core]=""
  [workloads]="core"
  [embed]="core workloads"
  [lab/report]="core"
  [lab]="core workloads lab/report"
)

# The folder a file belongs to: the deepest of the folders above.
folder_of() {
  case "$1" in
  core/*) echo core ;;
  workloads/*) echo workloads ;;
  embed/*) echo embed ;;
  lab/report/*) echo lab/report ;;
  lab/*) echo lab ;;
  *) echo other ;;
  esac
}

# Every header of the tree, by name (names are unique; a duplicate fails).
declare -A header_at=()
fail=0
while IFS= read -r h; do
  name=$(basename "$h")
  if [ -n "${header_at[$name]:-}" ]; then
    echo "FAIL two headers named $name: ${header_at[$name]} and $h"
    fail=1
  fi
  header_at[$name]=$h
done < <(find core workloads embed lab -name '*.h' | sort)

declare -A edges=()
while IFS= read -r f; do
  from=$(folder_of "$f")
  while IFS= read -r inc; do
    [ -n "$inc" ] || continue
    h=${header_at[$(basename "$inc")]:-}
    [ -n "$h" ] || continue # generated (gitrev.h) or a library's
    to=$(folder_of "$h")
    [ "$from" = "$to" ] && continue
    edges["$from -> $to"]+="$f:$inc "
    case " ${allowed[$from]} " in
    *" $to "*) ;;
    *)
      echo "FAIL $f includes $inc ($to): $from may depend on ${allowed[$from]:-nothing}"
      fail=1
      ;;
    esac
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
  if grep -q '^#include <hwloc' "$f" && [ "$f" != core/place.c ]; then
    echo "FAIL $f includes hwloc: only core/place.c may"
    fail=1
  fi
  if grep -q '^#include <Python.h>\|^#include "Python.h"' "$f" && [ "$from" != embed ]; then
    echo "FAIL $f includes Python.h: only embed/ may"
    fail=1
  fi
done < <(find core workloads embed lab -name '*.[ch]' | sort)

# Every `cellspec NAME = {`, `(cellspec){` or `static const cellspec NAME
# = {` must open with a designated member (or be empty).
while IFS= read -r hit; do
  echo "FAIL $hit: build a cellspec with designated initializers (.field = ...)"
  fail=1
done < <(find core workloads embed lab tests -name '*.[ch]' -print0 |
  xargs -0 perl -0777 -ne '
    while (/(?:\bcellspec\s+\w+\s*=\s*|\(cellspec\)\s*)\{\s*([^\s])/g) {
      next if $1 eq "." || $1 eq "}";
      my $line = 1 + (substr($_, 0, pos) =~ tr/\n//);
      print "$ARGV:$line\n";
    }')

# One naming rule: what a header exports begins with its name.
while IFS= read -r h; do
  m=$(basename "$h" .h)
  M=$(echo "$m" | tr '[:lower:]' '[:upper:]')
  while IFS= read -r name; do
    case "$name" in
    "$m" | "$m"_* | "$M"_* | GILLAB_*) ;;
    *)
      echo "FAIL $h exports $name: names a header exports begin with ${m}_ (or ${M}_)"
      fail=1
      ;;
    esac
  done < <(
    # Functions declared at the top level, typedef names, macros.
    grep -oE '^[a-zA-Z_][a-zA-Z_0-9 *]*[ *]([a-zA-Z_][a-zA-Z_0-9]*)\(' "$h" |
      grep -oE '[a-zA-Z_][a-zA-Z_0-9]*\($' | tr -d '('
    grep -oE '^\} *[a-zA-Z_0-9]+;|^typedef [^;(]* \**([a-zA-Z_0-9]+);' "$h" |
      grep -oE '[a-zA-Z_0-9]+;$' | tr -d ';'
    grep -oE '^typedef [^;]*\(\*([a-zA-Z_0-9]+)\)' "$h" |
      grep -oE '[a-zA-Z_0-9]+\)$' | tr -d ')'
    sed -n 's/^#define \([A-Za-z_0-9]*\).*/\1/p' "$h"
  )
done < <(find core workloads embed lab -name '*.h' | sort)

echo "folder graph (includes between folders):"
for e in "${!edges[@]}"; do
  echo "  $e"
done | sort

# A cycle: a folder reaching itself through the edges (depth-first).
declare -A state=()
cycle=0
visit() {
  local n=$1
  state[$n]=open
  local e
  for e in "${!edges[@]}"; do
    [ "${e%% -> *}" = "$n" ] || continue
    local m=${e##* -> }
    if [ "${state[$m]:-}" = open ]; then
      echo "FAIL cycle through $n -> $m"
      cycle=1
    elif [ -z "${state[$m]:-}" ]; then
      visit "$m"
    fi
  done
  state[$n]=done
}
for n in core workloads embed lab/report lab; do
  [ -n "${state[$n]:-}" ] || visit "$n"
done
[ "$cycle" = 0 ] || fail=1

if [ "$fail" = 0 ]; then
  echo "ok: no folder includes a header of a folder that depends on it; no cycle;"
  echo "    every header's exported names begin with its name"
fi
exit "$fail"
