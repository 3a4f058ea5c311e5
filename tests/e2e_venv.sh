#!/usr/bin/env bash
# End-to-end: the user's environment (issue 13). What the user installed
# into a runtime's site-packages or into a virtual environment is importable
# in every model, as that Python would import it (.pth files processed);
# the records say what was added, read back in the main process, in each
# worker process (fork, spawn, forkserver) and in each subinterpreter; the
# metadata lists each runtime's distributions; a venv made by another
# Python exits 2; --no-site leaves the standard library alone; on a
# free-threaded runtime, a C extension without Py_mod_gil turns the GIL on,
# and the record and the summary name it.
#
# The imports are made by the hidden workload debug.imports, which imports
# the module GILLAB_TEST_IMPORT names. The package is installed by hand, as
# pip leaves it (the package and its .dist-info): the venvs are made
# --without-pip and no index is reachable.
# Usage: e2e_venv.sh BUILD_DIR
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/e2e_lib.sh"
build=${1:?usage: e2e_venv.sh BUILD_DIR}
gillab="$build/gillab"
export GILLAB_TEST_IMPORT=gillabtest_pkg

# runtime lines: TAG VERSION GIL|free-threaded RUNNER
"$gillab" list --runtimes | tail -n +2 >"$tmp/runtimes"
def=$(awk 'NR == 1 { print $1 }' "$tmp/runtimes")
# The first GIL runtime of 3.12 or newer (own-GIL subinterpreters), and the
# first free-threaded one.
new=$(awk '$3 == "GIL" { split($2, v, "."); if (v[1] > 3 || v[2] >= 12) { print $1; exit } }' "$tmp/runtimes")
ft=$(awk '$3 == "free-threaded" { print $1; exit }' "$tmp/runtimes")

# python_of TAG: the python of that runtime (PREFIX/bin/pythonX.Y).
python_of() {
  "$build/gillab-runner-$1" --info |
    jq -r '"\(.prefix)/bin/python\(.version | split(".")[:2] | join("."))"'
}

# make_venv TAG DIR: a venv made by the runtime's python, holding
# gillabtest_pkg 1.2.3 and a .pth file that puts $tmp/extra on sys.path
# (the package imports gillabtest_pthmod from there). Prints its
# site-packages, as its own python names it.
mkdir -p "$tmp/extra"
echo 'VALUE = 42' >"$tmp/extra/gillabtest_pthmod.py"
make_venv() {
  local py site
  py=$(python_of "$1")
  "$py" -m venv --without-pip "$2" >&2 || return 1
  site=$("$2/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
  mkdir -p "$site/gillabtest_pkg" "$site/gillabtest_pkg-1.2.3.dist-info"
  printf '__version__ = "1.2.3"\nimport gillabtest_pthmod\nANSWER = 4200 + gillabtest_pthmod.VALUE\n' \
    >"$site/gillabtest_pkg/__init__.py"
  printf 'Metadata-Version: 2.1\nName: gillabtest-pkg\nVersion: 1.2.3\n' \
    >"$site/gillabtest_pkg-1.2.3.dist-info/METADATA"
  echo gillabtest_pkg >"$site/gillabtest_pkg-1.2.3.dist-info/top_level.txt"
  echo "$tmp/extra" >"$site/gillabtest_extra.pth"
  echo "$site"
}

# 1. One venv for the run, on the default runtime: threads, asyncio,
# processes with every start method, and subinterpreters (shared GIL on
# 3.11).
venv=$(cd "$tmp" && mkdir v1 && cd v1 && pwd -P)
site=$(make_venv "$def" "$venv")
"$gillab" run -w debug.imports -m threads,asyncio,processes,subinterpreters -n 2 -r 1 \
  --start-method fork,spawn,forkserver --runtime "$def" --venv "$venv" \
  -o "$tmp/one" -q >/dev/null 2>"$tmp/one.err"
check "--venv DIR: the run exits 0" test $? -eq 0
res="$tmp/one/results.jsonl"
cells='[.[] | select(.type == "cell")]'
check "every cell imported the venv's package (answer 4242 per worker)" jqtrue "$res" \
  "$cells | length == 12 and all(.status == \"ok\" and .answer == 4242 * .workers)"
check "each worker's import found the venv's file, version 1.2.3 (subinterpreters' too)" jqtrue "$res" \
  "$cells | all(.workers as \$n | .imported | length == \$n and all(.file == \"$site/gillabtest_pkg/__init__.py\" and .version == \"1.2.3\"))"
check "applied: the venv and the sys.path entries added (the .pth's too), read back in the main process" jqtrue "$res" \
  "$cells | all(.applied.venv == \"$venv\" and .applied.sys_path_added == [\"$site\", \"$tmp/extra\"])"
for sm in fork spawn forkserver; do
  check "processes ($sm): every worker process sees the same paths and the venv" jqtrue "$res" \
    "$cells | map(select(.model == \"processes\" and .start_method == \"$sm\")) | length == 2 and all(.applied.workers | all(.start_method == \"$sm\" and .venv == \"$venv\" and .sys_path_added == [\"$site\", \"$tmp/extra\"]))"
done
check "subinterpreters: each interpreter has the venv on its own sys.path" jqtrue "$res" \
  "$cells | map(select(.model == \"subinterpreters\")) | length == 2 and all(.applied.workers | all(.venv == \"$venv\" and .sys_path_added == [\"$site\", \"$tmp/extra\"]))"
check "the metadata: the runtime's venv, its paths and its distributions" jqtrue "$res" \
  ".[0].runtimes[0].environment | .site_packages and .venv == \"$venv\" and .user_site == false and (.sys_path_added | index(\"$tmp/extra\")) and .distributions == [{\"name\": \"gillabtest-pkg\", \"version\": \"1.2.3\"}]"
check "the metadata's spec: the venv, resolved, per runtime" jqtrue "$res" \
  ".[0].spec.venvs == {\"$def\": \"$venv\"} and .[0].spec.site_packages"
check "summary.md states the runtime's environment" \
  grep -qF -- "- environment $def: venv $venv (made by Python" "$tmp/one/summary.md"

# 1b. A user's own file (as a stranger writes it, not debug.imports)
# importing the venv's package: threads and processes, with --venv; and
# without it the same file fails in its cells with the ImportError while
# gillab itself exits 0.
mkdir -p "$tmp/mine"
cat >"$tmp/mine/pricing.py" <<'PY'
"""Prices a basket with our in-house package (installed in the venv)."""
import gillabtest_pkg

UNITS = 2000


def work(worker, nworkers, units):
    lo, hi = units * worker // nworkers, units * (worker + 1) // nworkers
    total = sum((i * gillabtest_pkg.ANSWER) % 97 for i in range(lo, hi))
    return hi - lo, total
PY
"$gillab" run -w "$tmp/mine/pricing.py" -m threads,processes -n 1,2 -r 1 \
  --start-method fork,spawn --runtime "$def" --venv "$venv" \
  -o "$tmp/mine-venv" -q >/dev/null 2>&1
check "a user file importing the venv's package: exit 0" test $? -eq 0
check "a user file importing the venv's package runs in threads and processes (fork, spawn) cells" \
  jqtrue "$tmp/mine-venv/results.jsonl" "$cells | length == 6 and all(.status == \"ok\") and (map(.answer) | unique | length == 1)"
"$gillab" run -w "$tmp/mine/pricing.py" -m threads -n 1 -r 1 --runtime "$def" \
  --units 10 -o "$tmp/mine-novenv" -q >/dev/null 2>"$tmp/mine-novenv.err"
rc=$?
check "without --venv: gillab refuses before any cell or the cell fails with the ImportError" \
  bash -c "[ $rc -eq 2 ] && grep -q gillabtest_pkg '$tmp/mine-novenv.err' || jq -se '[.[] | select(.type == \"cell\")] | all(.status == \"failed\" and (.error | test(\"gillabtest_pkg\")))' '$tmp/mine-novenv/results.jsonl' >/dev/null"

# 2. One venv per runtime: the 3.12+ runtime's in own-GIL subinterpreters
# and threads; the default runtime, without one, has its site-packages only.
if [ -n "$new" ]; then
  venv2=$(cd "$tmp" && mkdir v2 && cd v2 && pwd -P)
  site2=$(make_venv "$new" "$venv2")
  "$gillab" run -w debug.imports -m threads,subinterpreters -n 2 -r 1 \
    --runtime "$def,$new" --venv "$new=$venv2" -o "$tmp/per" -q >/dev/null 2>&1
  check "--venv TAG=DIR: the run exits 0 (the cells without the venv fail, the run goes on)" test $? -eq 0
  res="$tmp/per/results.jsonl"
  check "$new: threads and subinterpreters imported its venv's package" jqtrue "$res" \
    "$cells | map(select(.runtime == \"$new\")) | length == 4 and all(.status == \"ok\" and .answer == 4242 * .workers and .applied.venv == \"$venv2\")"
  check "$new: each subinterpreter (own GIL) has the venv on its own sys.path" jqtrue "$res" \
    "$cells | map(select(.runtime == \"$new\" and .model == \"subinterpreters\")) | all(.interpreters == \"own GIL\" and (.applied.workers | all(.venv == \"$venv2\" and .sys_path_added == [\"$site2\", \"$tmp/extra\"])))"
  check "$def (no venv given): its cells fail with the ImportError" jqtrue "$res" \
    "$cells | map(select(.runtime == \"$def\")) | length == 4 and all(.status == \"failed\" and (.error | test(\"No module named .gillabtest_pkg.\")))"
  check "$def (no venv given): the metadata says its own site-packages, no venv" jqtrue "$res" \
    ".[0].runtimes | map(select(.tag == \"$def\"))[0].environment | .site_packages and .venv == null"
  # A venv made by another Python version: refused before any cell.
  "$gillab" run -w debug.imports -m threads --runtime "$new" --venv "$venv" \
    -o "$tmp/bad" -q >/dev/null 2>"$tmp/bad.err"
  rc=$?
  check "a venv made by another Python version exits 2, saying which versions" \
    test $rc -eq 2 -a ! -e "$tmp/bad" -a -n "$(grep -F "was made by Python $(awk -v t="$def" '$1 == t { print $2 }' "$tmp/runtimes")" "$tmp/bad.err" | grep -F "CPython $(awk -v t="$new" '$1 == t { print $2 }' "$tmp/runtimes")")"
else
  echo "skipped: the per-runtime --venv and own-GIL subinterpreters need a 3.12+ GIL runtime (scripts/bootstrap --pythons auto)"
fi
"$gillab" run -w debug.imports -m threads --venv "$tmp/nowhere" -o "$tmp/bad2" -q >/dev/null 2>"$tmp/bad2.err"
check "a --venv that does not exist exits 2" test $? -eq 2
"$gillab" run -w debug.imports -m threads --venv "$tmp/extra" -o "$tmp/bad3" -q >/dev/null 2>"$tmp/bad3.err"
check "a directory that is no venv exits 2 (no pyvenv.cfg)" \
  test $? -eq 2 -a -n "$(grep 'not a virtual environment' "$tmp/bad3.err")"
"$gillab" run -w debug.imports -m threads --venv "$venv" --no-site -o "$tmp/bad4" -q >/dev/null 2>&1
check "--venv with --no-site exits 2" test $? -eq 2

# 3. The runtime's own site-packages, on by default, off with --no-site:
# pip where a runtime has it there.
pip_rt=""
while read -r tag _; do
  if "$build/gillab-runner-$tag" --info --site-packages |
    jq -e '.environment.distributions | any(.name == "pip")' >/dev/null; then
    pip_rt=$tag
    break
  fi
done <"$tmp/runtimes"
if [ -n "$pip_rt" ]; then
  GILLAB_TEST_IMPORT=pip "$gillab" run -w debug.imports -m threads,asyncio -n 1 -r 1 \
    --runtime "$pip_rt" -o "$tmp/site" -q >/dev/null 2>&1
  res="$tmp/site/results.jsonl"
  check "site-packages by default: pip imports from one of the runtime's site directories ($pip_rt)" jqtrue "$res" \
    ".[0].runtimes[0].environment.sys_path_added as \$dirs | $cells | length == 2 and all(.status == \"ok\" and .imported[0].module == \"pip\" and (.imported[0].file as \$f | \$dirs | any(. as \$d | \$f | startswith(\$d))) and .applied.sys_path_added == \$dirs and .applied.venv == null)"
  GILLAB_TEST_IMPORT=pip "$gillab" run -w debug.imports -m threads,asyncio -n 1 -r 1 \
    --runtime "$pip_rt" --no-site -o "$tmp/nosite" -q >/dev/null 2>&1
  check "--no-site: the run exits 0" test $? -eq 0
  res="$tmp/nosite/results.jsonl"
  check "--no-site: each cell fails with the ImportError, nothing added to sys.path" jqtrue "$res" \
    "$cells | length == 2 and all(.status == \"failed\" and (.error | test(\"No module named .pip.\")))"
  check "--no-site: the metadata says the standard library only" jqtrue "$res" \
    '(.[0].spec.site_packages | not) and (.[0].runtimes[0].environment | .site_packages == false and .sys_path_added == [] and .distributions == [])'
  check "--no-site: summary.md's header says so" \
    grep -qF "the standard library only (--no-site)" "$tmp/nosite/summary.md"
  check "--no-site: summary.md lists the failed cells with their reason" \
    grep -q "No module named 'pip'" "$tmp/nosite/summary.md"
else
  echo "skipped: no runtime of this build has pip in its site-packages, to import without and with --no-site"
fi

# 4. Free-threaded: a C extension without Py_mod_gil, in a venv made by
# the free-threaded python, turns the GIL back on.
if [ -n "$ft" ]; then
  venv3=$(cd "$tmp" && mkdir v3 && cd v3 && pwd -P)
  site3=$(make_venv "$ft" "$venv3")
  ftpy=$(python_of "$ft")
  inc=$("$ftpy" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
  suffix=$("$ftpy" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
  cat >"$tmp/ext.c" <<'EOF'
/* A module that declares no Py_mod_gil slot: importing it turns a
 * free-threaded build's GIL on. It may load in own-GIL subinterpreters. */
#include <Python.h>

static int exec_mod(PyObject *m) {
  if (PyModule_AddIntConstant(m, "ANSWER", 4242) < 0)
    return -1;
  return PyModule_AddStringConstant(m, "__version__", "0.1");
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_mod},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {0, NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "gillabtest_ext",
                                 NULL, 0, NULL, slots};

PyMODINIT_FUNC PyInit_gillabtest_ext(void) { return PyModuleDef_Init(&def); }
EOF
  cc -shared -fPIC -I"$inc" "$tmp/ext.c" -o "$site3/gillabtest_ext$suffix"
  check "the C extension builds against $ft's headers" test -f "$site3/gillabtest_ext$suffix"
  "$gillab" run -w debug.imports -m threads -n 2 -r 1 --runtime "$ft" \
    --venv "$ft=$venv3" -o "$tmp/ftpure" -q >/dev/null 2>&1
  res="$tmp/ftpure/results.jsonl"
  check "$ft: a pure-Python package leaves the GIL off" jqtrue "$res" \
    "$cells | all(.status == \"ok\" and .answer == 4242 * .workers and .gil.enabled == false and .python.gil_enabled_after == false and .python.gil_enabled_by == null)"
  check "$ft: no finding about the GIL when it stayed off" \
    test -z "$(grep 're-enabled' "$tmp/ftpure/summary.md")"
  GILLAB_TEST_IMPORT=gillabtest_ext "$gillab" run -w debug.imports \
    -m threads,processes,subinterpreters -n 2 -r 1 --start-method spawn \
    --runtime "$ft" --venv "$ft=$venv3" -o "$tmp/ftext" -q >/dev/null 2>&1
  res="$tmp/ftext/results.jsonl"
  check "$ft: the extension ran in every model" jqtrue "$res" \
    "$cells | length == 6 and all(.status == \"ok\" and .answer == 4242 * .workers)"
  check "$ft: every record says the GIL was on after the run and names the module" jqtrue "$res" \
    "$cells | all(.python.free_threaded and .python.gil_enabled_after and .python.gil_enabled_by == \"gillabtest_ext\")"
  check "$ft: threads say the workload's import re-enabled the GIL" jqtrue "$res" \
    "$cells | map(select(.model == \"threads\")) | all(.gil.enabled and .gil.reenabled)"
  check "$ft: each worker process and subinterpreter saw its own GIL turned on" jqtrue "$res" \
    "$cells | map(select(.model != \"threads\")) | all(.applied.workers | all(.gil_enabled and .gil_enabled_by == \"gillabtest_ext\"))"
  check "$ft: summary.md names the import and the models that ran with a GIL" \
    grep -qF "on $ft the GIL was re-enabled by importing gillabtest\\_ext: threads, processes, subinterpreters ran with a GIL (6 of 6 cells)" "$tmp/ftext/summary.md"
  # A venv of the GIL build of the same version does not fit.
  gil_twin=$(awk -v v="${ft%t}" '$1 == v && $3 == "GIL" { print $1 }' "$tmp/runtimes")
  if [ -n "$gil_twin" ]; then
    mkdir "$tmp/v4" && "$(python_of "$gil_twin")" -m venv --without-pip "$tmp/v4"
    "$gillab" run -w debug.imports -m threads --runtime "$ft" --venv "$tmp/v4" \
      -o "$tmp/bad5" -q >/dev/null 2>"$tmp/bad5.err"
    check "a venv of the GIL build ($gil_twin) given to $ft exits 2, saying so" \
      test $? -eq 2 -a -n "$(grep 'made by a GIL build' "$tmp/bad5.err")"
  fi
else
  echo "skipped: the GIL re-enabled by an import needs a free-threaded runtime (scripts/get-python 3.13t, then scripts/bootstrap --pythons auto)"
fi

# 5. The reports from a crafted results file: the fixture with an
# environment per runtime and 3.13t's cpu.primes cells marked as having
# had the GIL turned on by numpy.
fixture="$(dirname "${BASH_SOURCE[0]}")/data/report/results.jsonl"
mkdir -p "$tmp/craft"
jq -c 'if .type == "meta" then .runtimes |= map(.environment = (if .tag == "3.13t"
      then {site_packages: true, venv: "/home/me/.venv313t", venv_version: "3.13.5",
            sys_path_added: ["/home/me/.venv313t/lib/python3.13t/site-packages"],
            distributions: [{name: "gillabtest-pkg", version: "1.2.3"}, {name: "numpy", version: "2.1.0"}]}
      else {site_packages: true, venv: null, sys_path_added: ["/usr/local/lib/python3.11/dist-packages", "/usr/lib/python3/dist-packages"],
            distributions: [{name: "pip", version: "23.0.1"}]} end))
    elif .type == "cell" and .runtime == "3.13t" and .workload == "cpu.primes"
    then .python = {free_threaded: true, gil_enabled_after: true, gil_enabled_by: "numpy._core._multiarray_umath"}
    else . end' "$fixture" >"$tmp/craft/results.jsonl"
"$gillab" report "$tmp/craft" >/dev/null 2>&1
check "crafted: the finding names the module and the models" \
  grep -qF '**Finding:** on 3.13t the GIL was re-enabled by importing numpy.\_core.\_multiarray\_umath: threads ran with a GIL (6 of 6 cells)' "$tmp/craft/summary.md"
check "crafted: only where it happened (cpu.primes, not mixed.convoy)" \
  test "$(grep -c 're-enabled' "$tmp/craft/summary.md")" -eq 1
check "crafted: the header states each runtime's environment" \
  grep -qF -- '- environment 3.13t: venv /home/me/.venv313t (made by Python 3.13.5), 2 distributions' "$tmp/craft/summary.md"
check "crafted: ... the site-packages of one without a venv" \
  grep -qF -- "- environment 3.11: the runtime's site-packages (2 directories), 1 distribution" "$tmp/craft/summary.md"
check "crafted: results.csv's header too" \
  grep -qF '# environment 3.13t: venv /home/me/.venv313t' "$tmp/craft/results.csv"
check "the fixture without environments has no such line (golden summary.md)" \
  test -z "$(grep -e '- environment' -e 're-enabled' "$(dirname "$fixture")/summary.md")"
e2e_finish
