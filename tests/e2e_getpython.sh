#!/usr/bin/env bash
# e2e_getpython.sh BUILD — scripts/get-python's sources (issue 19): a
# CPython tarball fetched from a local HTTP server with --source URL
# (python3 -m http.server on 127.0.0.1, a free port) and from a local path,
# stopping after the fetch and check (--fetch-only; the build takes minutes
# and is not run here): the right --sha256 accepted and said so, a wrong
# one refused with exit 1, the version read from Include/patchlevel.h and
# held against VERSION and the file's name. The python.org path against a
# copy of its layout on the same server (GILLAB_PYTHON_ORG_FTP,
# GILLAB_PYTHON_ORG_API): the newest final 3.13.Z of the listing chosen
# over a newer directory holding only a release candidate, the digest of
# the downloads API checked (and a wrong one refused); python.org
# unreachable: an error with --from python.org, Debian's source otherwise.
#
# The tarball served is the one this machine can get: Debian trixie's
# python3.13_3.13.5.orig.tar.xz, fetched by get-python itself (--from
# debian --fetch-only, kept in the cache's sources/; about 20 MB, once).
# Skipped (exit 77) when it cannot be obtained.
set -uo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$src/tests/e2e_lib.sh"
gp=$src/scripts/get-python
: "$build"

skip() {
  echo "SKIP e2e.getpython: $*"
  exit 77
}
command -v curl >/dev/null || skip "curl is not installed"

# The fixture: the Debian tarball, from the cache or fetched now.
# (The cache as get-python computes it.)
deb=${GILLAB_PYTHONS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gillab/pythons}/sources/python3.13_3.13.5.orig.tar.xz
if [ ! -s "$deb" ]; then
  deb=$("$gp" --fetch-only --from debian 3.13 2>"$tmp/deb.err") ||
    skip "Debian's python3.13 source cannot be obtained here: $(tail -n 1 "$tmp/deb.err")"
  case "$deb" in
    */python3.13_3.13.5.orig.tar.xz) ;;
    *) skip "Debian now serves $(basename "$deb"), not 3.13.5's tarball this test expects" ;;
  esac
fi
sum=$(sha256sum "$deb" | awk '{ print $1 }')
bad=$(printf '%064d' 0)

# The server: a plain copy, a misnamed copy, python.org's layout (a final
# 3.13.5, a 3.13.10 with only a release candidate) and its downloads API
# (http.server serves a directory's index.html, whatever the query).
www=$tmp/www
mkdir -p "$www/ftp/python/3.13.5" "$www/ftp/python/3.13.10" "$www/ftp/python/3.12.9"
ln "$deb" "$www/Python-3.13.5.tar.xz" 2>/dev/null || cp "$deb" "$www/Python-3.13.5.tar.xz"
ln "$www/Python-3.13.5.tar.xz" "$www/Python-3.13.4.tar.xz"
ln "$www/Python-3.13.5.tar.xz" "$www/ftp/python/3.13.5/Python-3.13.5.tar.xz"
echo "not a tarball" >"$www/ftp/python/3.13.10/Python-3.13.10rc1.tar.xz"
echo "not a tarball" >"$www/notes.txt"
api() { # api DIR SHA256: a release and its files, as python.org's API lists them
  mkdir -p "$www/$1/downloads/release" "$www/$1/downloads/release_file"
  echo '[{"name": "Python 3.13.5", "resource_uri": "https://www.python.org/api/v2/downloads/release/1053/"}]' \
    >"$www/$1/downloads/release/index.html"
  printf '[{"name": "XZ compressed source tarball", "url": "https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tar.xz", "md5_sum": "00", "sha256_sum": "%s"}]\n' "$2" \
    >"$www/$1/downloads/release_file/index.html"
}
api api "$sum"
api api-bad "$bad"
python3 -u -m http.server --bind 127.0.0.1 --directory "$www" 0 \
  >"$tmp/server.out" 2>"$tmp/server.err" &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$tmp"' EXIT
port=""
for _ in $(seq 1 50); do
  port=$(sed -n 's/.* port \([0-9][0-9]*\) .*/\1/p' "$tmp/server.out" | head -n 1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || skip "python3 -m http.server did not start: $(cat "$tmp/server.err")"
url=http://127.0.0.1:$port
echo "serving $www on $url ($(basename "$deb"), SHA-256 $sum)"

# run NAME ARGS...: get-python with a cache of its own, output in $tmp/NAME.*
run() {
  local name=$1
  shift
  mkdir -p "$tmp/$name.cache"
  GILLAB_PYTHONS_CACHE=$tmp/$name.cache "$gp" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  echo $? >"$tmp/$name.rc"
  sed 's/^/    /' "$tmp/$name.err"
}
rc() { cat "$tmp/$1.rc"; }
err_has() { grep -qF -- "$2" "$tmp/$1.err"; }

# --source URL with the right SHA-256.
run ok --fetch-only --source "$url/Python-3.13.5.tar.xz" --sha256 "$sum" 3.13
kept=$tmp/ok.cache/sources/Python-3.13.5.tar.xz
check "--source URL --sha256 right: exit 0 ($(rc ok))" test "$(rc ok)" = 0
check "... prints the kept tarball's path" test "$(cat "$tmp/ok.out")" = "$kept"
check "... the same bytes as served" cmp -s "$kept" "$deb"
check "... says the version read from Include/patchlevel.h" \
  err_has ok "is CPython 3.13.5 (Include/patchlevel.h)"
check "... says the SHA-256 was checked" \
  err_has ok "checked: its SHA-256 is $sum, the one given with --sha256"
check "... builds nothing" test ! -e "$tmp/ok.cache/3.13"
# Upper-case hex is the same digest.
run upper --fetch-only --source "$url/Python-3.13.5.tar.xz" --sha256 "$(tr a-f A-F <<<"$sum")" 3.13
check "--sha256 in capitals: accepted" test "$(rc upper)" = 0

# A wrong SHA-256: refused, nothing kept.
run wrong --fetch-only --source "$url/Python-3.13.5.tar.xz" --sha256 "$bad" 3.13
check "--sha256 wrong: exit 1 ($(rc wrong))" test "$(rc wrong)" = 1
check "... says mismatch, both digests and refused" \
  sh -c "grep -q 'SHA-256 mismatch for Python-3.13.5.tar.xz' '$tmp/wrong.err' &&
         grep -q 'it is $sum, --sha256 says $bad; refused' '$tmp/wrong.err'"
check "... nothing kept" test ! -e "$tmp/wrong.cache/sources/Python-3.13.5.tar.xz"
check "... nothing on stdout" test ! -s "$tmp/wrong.out"

# Without --sha256: fetched, and said to be unchecked.
run nosum --fetch-only --source "$url/Python-3.13.5.tar.xz" 3.13
check "no --sha256: exit 0" test "$(rc nosum)" = 0
check "... says NOT checked" err_has nosum "NOT checked against any digest or signature"

# A local path.
run local --fetch-only --source "$www/Python-3.13.5.tar.xz" --sha256 "$sum" 3.13
check "--source FILE: exit 0, the same bytes" \
  sh -c "test '$(rc local)' = 0 && cmp -s '$tmp/local.cache/sources/Python-3.13.5.tar.xz' '$deb'"

# The version must be the one asked for, and the name's.
run v312 --fetch-only --source "$url/Python-3.13.5.tar.xz" 3.12
check "3.13.5's tarball for 3.12: exit 1" test "$(rc v312)" = 1
check "... says which it is" err_has v312 "is CPython 3.13.5, not 3.12 as asked; refused"
run v314t --fetch-only --source "$url/Python-3.13.5.tar.xz" 3.14t
check "... and for 3.14t: exit 1" test "$(rc v314t)" = 1
run misnamed --fetch-only --source "$url/Python-3.13.4.tar.xz" 3.13
check "a 3.13.5 tarball named 3.13.4: exit 1" test "$(rc misnamed)" = 1
check "... says so" err_has misnamed "is named 3.13.4 but its Include/patchlevel.h says 3.13.5"
run notar --fetch-only --source "$url/notes.txt" 3.13
check "not a .tar.xz/.tgz: exit 1" test "$(rc notar)" = 1
run missing --fetch-only --source "$url/Python-3.13.9.tar.xz" 3.13
check "a URL that is not there: exit 1, with the HTTP error" \
  sh -c "test '$(rc missing)' = 1 && grep -q 'cannot download.*404' '$tmp/missing.err'"
run usage --fetch-only --check 3.13
check "--fetch-only with --check: exit 2" test "$(rc usage)" = 2
run usage2 --from debian --source "$url/Python-3.13.5.tar.xz" 3.13
check "--from with --source: exit 2" test "$(rc usage2)" = 2

# python.org's layout: the newest final 3.13.Z, its digest from the API.
export GILLAB_PYTHON_ORG_FTP=$url/ftp/python GILLAB_PYTHON_ORG_API=$url/api
run org --fetch-only --from python.org 3.13
check "python.org layout: exit 0 ($(rc org))" test "$(rc org)" = 0
check "... 3.13.5 chosen (3.13.10 has only an rc)" \
  test "$(cat "$tmp/org.out")" = "$tmp/org.cache/sources/Python-3.13.5.tar.xz"
check "... downloaded from the listing" \
  err_has org "from python.org ($url/ftp/python/3.13.5/Python-3.13.5.tar.xz) is CPython 3.13.5"
check "... checked against the API's SHA-256" \
  err_has org "its SHA-256 $sum is the one python.org's downloads API lists"
run org312 --fetch-only --from python.org 3.12
check "python.org layout, 3.12 (a directory without a tarball): exit 1" \
  sh -c "test '$(rc org312)' = 1 && grep -q 'has a final Python-3.12.Z.tar.xz' '$tmp/org312.err'"
GILLAB_PYTHON_ORG_API=$url/api-bad run orgbad --fetch-only --from python.org 3.13
check "the API lists another SHA-256: exit 1, refused" \
  sh -c "test '$(rc orgbad)' = 1 && grep -q 'does not match the SHA256 python.org lists for it.*refused' '$tmp/orgbad.err'"
check "... nothing kept" test ! -e "$tmp/orgbad.cache/sources/Python-3.13.5.tar.xz"
GILLAB_PYTHON_ORG_API=$url/no-api run orgnoapi --fetch-only --from python.org 3.13
check "no digest anywhere: not used (exit 1), saying what is missing" \
  sh -c "test '$(rc orgnoapi)' = 1 && grep -q 'could not be checked: no --sha256 given' '$tmp/orgnoapi.err'"
GILLAB_PYTHON_ORG_API=$url/no-api run orgsum --fetch-only --from python.org --sha256 "$sum" 3.13
check "... unless --sha256 is given" test "$(rc orgsum)" = 0

# python.org unreachable (a closed port).
export GILLAB_PYTHON_ORG_FTP=http://127.0.0.1:1/ftp/python
run offline --fetch-only --from python.org 3.13
check "python.org unreachable, --from python.org: exit 1" \
  sh -c "test '$(rc offline)' = 1 && grep -q 'python.org cannot be reached' '$tmp/offline.err'"
run fallback --fetch-only 3.13
check "python.org unreachable: Debian's source instead, saying why" \
  sh -c "grep -q \"cannot be reached.*; taking Debian's source package instead\" '$tmp/fallback.err'"
if [ "$(rc fallback)" = 0 ]; then
  check "... Debian's tarball, checked by apt" \
    sh -c "cmp -s '$(cat "$tmp/fallback.out")' '$deb' && grep -q 'apt verified' '$tmp/fallback.err'"
else
  echo "note: Debian's archive did not answer this time; the fallback's download is not checked"
fi

e2e_finish
