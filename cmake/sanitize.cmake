# sanitize.cmake — -DGILLAB_SANITIZE=ON (./scripts/test --sanitize): the
# orchestrator and its reports under AddressSanitizer and
# UndefinedBehaviorSanitizer, the runners under UBSan only.
#
# A runner embeds an uninstrumented libpython and interposes on pthread
# calls (embed/gilprobe.c); ASan's allocator and interceptors there would
# measure something else, so runners, and what they share with the
# orchestrator (gillab_core, gillab_workloads), get UBSan alone. The probe
# library and the tests' modules are loaded into other programs (with
# LD_PRELOAD or dlopen) and stay uninstrumented. ./scripts/test runs the
# unit tests and the e2e tests labelled `sanitize` (tests/CMakeLists.txt)
# in this build: CI's sanitizer stage. Included after every target is
# defined.
option(GILLAB_SANITIZE "ASan+UBSan in the orchestrator, UBSan in the runners" OFF)
if(NOT GILLAB_SANITIZE)
  return()
endif()

set(gillab_ubsan -fsanitize=undefined -fno-sanitize-recover=undefined
  -fno-omit-frame-pointer)
set(gillab_asan -fsanitize=address ${gillab_ubsan})

# What runners link: UBSan.
foreach(t gillab_core gillab_workloads)
  target_compile_options(${t} PRIVATE ${gillab_ubsan})
endforeach()
foreach(tag IN LISTS GILLAB_RUNTIME_TAGS)
  target_compile_options(gillab_embed_${tag} PRIVATE ${gillab_ubsan})
  target_link_options(gillab-runner-${tag} PRIVATE -fsanitize=undefined)
endforeach()

# The orchestrator: ASan and UBSan.
foreach(t gillab_report gillab_lab gillab)
  target_compile_options(${t} PRIVATE ${gillab_asan})
endforeach()
target_link_options(gillab PRIVATE -fsanitize=address,undefined)

# The tests: those that embed a runtime as runners do, the others as the
# orchestrator.
get_property(gillab_test_targets DIRECTORY ${CMAKE_SOURCE_DIR}/tests
  PROPERTY BUILDSYSTEM_TARGETS)
foreach(t IN LISTS gillab_test_targets)
  get_target_property(kind ${t} TYPE)
  if(NOT kind STREQUAL "EXECUTABLE")
    continue()
  endif()
  if(t MATCHES "^test_embed_" OR t STREQUAL "test_gilprobe")
    target_compile_options(${t} PRIVATE ${gillab_ubsan})
    target_link_options(${t} PRIVATE -fsanitize=undefined)
  else()
    target_compile_options(${t} PRIVATE ${gillab_asan})
    target_link_options(${t} PRIVATE -fsanitize=address,undefined)
  endif()
endforeach()
