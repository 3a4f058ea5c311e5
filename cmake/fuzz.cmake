# fuzz.cmake — -DGILLAB_FUZZ=ON with clang (CC=clang): libFuzzer targets
# (tests/fuzz/fuzz_*.c) for the results reader and report writers, the
# quoting of text for gnuplot, the run options and placement parser, the
# experiment-file path, and a probe's files (process files merged,
# results.jsonl read, its reports written); the libraries they reach are
# built with coverage, ASan and UBSan. ctest label `fuzz`: each target for a few
# seconds from its seed corpus (tests/fuzz/corpus/TARGET); scripts/fuzz runs
# them longer. Included after every target is defined.
option(GILLAB_FUZZ "libFuzzer targets (clang)" OFF)
if(NOT GILLAB_FUZZ)
  return()
endif()
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "GILLAB_FUZZ needs clang: CC=clang cmake ...")
endif()

set(gillab_fuzz_flags -fsanitize=fuzzer-no-link,address,undefined
  -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
foreach(t gillab_core gillab_workloads gillab_report gillab_lab)
  target_compile_options(${t} PRIVATE ${gillab_fuzz_flags})
endforeach()
# clang warns of things in the workloads' C twins that GCC, the build's
# compiler, does not (a volatile sink set but not read, string literals
# joined in an array): warnings there, not errors, in this build only.
target_compile_options(gillab_workloads PRIVATE -Wno-error)

# The fuzz tests register without the unit tests (BUILD_TESTING=OFF), so a
# fuzz build need not compile those with clang.
enable_testing()
# GILLAB_FUZZ_SECONDS: how long the ctest run of each target lasts.
set(GILLAB_FUZZ_SECONDS 10 CACHE STRING "seconds of each fuzz target in ctest")
foreach(name results chart_quote spec experiment probe)
  add_executable(fuzz_${name} tests/fuzz/fuzz_${name}.c)
  target_link_libraries(fuzz_${name} PRIVATE gillab_lab)
  target_include_directories(fuzz_${name} PRIVATE lab/report)
  target_compile_options(fuzz_${name} PRIVATE ${gillab_fuzz_flags})
  target_link_options(fuzz_${name} PRIVATE
    -fsanitize=fuzzer,address,undefined)
  add_test(NAME fuzz.${name}
    COMMAND ${CMAKE_SOURCE_DIR}/tests/fuzz/run.sh
      $<TARGET_FILE:fuzz_${name}> ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${name}
      ${GILLAB_FUZZ_SECONDS})
  set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz TIMEOUT 600)
endforeach()
