# One cell runner per CPython runtime: gillab_add_runtime(PYTHON_EXE) builds
# gillab-runner-<tag> from embed/ against that interpreter's own headers
# (internal ones included, for the probes) and links it to its own shared
# libpython, with an rpath to it. The tag is "3.12", or "3.13t" for a
# free-threaded build. Appends the tag to GILLAB_RUNTIME_TAGS.

function(gillab_add_runtime exe)
  execute_process(COMMAND "${exe}" "${CMAKE_SOURCE_DIR}/cmake/pyinfo.py"
    OUTPUT_VARIABLE out RESULT_VARIABLE rc ERROR_VARIABLE errout)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gillab: cannot run ${exe} to describe it: ${errout}")
  endif()
  string(REPLACE "\n" ";" lines "${out}")
  foreach(line IN LISTS lines)
    if(line MATCHES "^([a-z]+)=(.*)$")
      set(py_${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
    endif()
  endforeach()
  set(tag "${py_tag}")
  if(py_hex LESS 51052544) # 0x030B0000
    message(FATAL_ERROR "gillab: ${exe} is CPython ${py_version}; gillab needs 3.11 or newer")
  endif()
  if(tag IN_LIST GILLAB_RUNTIME_TAGS)
    message(FATAL_ERROR "gillab: two runtimes have the tag ${tag} (${exe} and an earlier one in GILLAB_PYTHONS); keep one")
  endif()
  if(NOT py_shared)
    message(FATAL_ERROR "gillab: ${exe} (CPython ${py_version}) has no shared libpython; build it with --enable-shared (scripts/get-python does)")
  endif()
  if(NOT EXISTS "${py_include}/internal/pycore_gil.h" AND NOT EXISTS "${py_include}/internal/pycore_ceval_state.h")
    message(FATAL_ERROR "gillab: ${exe} has no internal headers under ${py_include}/internal; the GIL probe needs them")
  endif()
  unset(GILLAB_LIBPYTHON CACHE)
  find_library(GILLAB_LIBPYTHON NAMES python${py_ldversion}
    PATHS ${py_libdirs} NO_DEFAULT_PATH)
  if(NOT GILLAB_LIBPYTHON)
    message(FATAL_ERROR "gillab: no libpython${py_ldversion}.so for ${exe} in ${py_libdirs}")
  endif()
  set(lib "${GILLAB_LIBPYTHON}")
  unset(GILLAB_LIBPYTHON CACHE)
  get_filename_component(libdir "${lib}" DIRECTORY)
  message(STATUS "gillab runtime ${tag}: CPython ${py_version} from ${exe} (${lib})")

  add_library(gillab_embed_${tag} STATIC
    embed/py.c
    embed/internal.c
    embed/gilprobe.c
    embed/gilprobe_watch.c
    embed/gillayout.c
    embed/tstat.c
    embed/coreuse.c
    embed/memuse.c
    embed/modgillab.c
    embed/workers.c
    embed/cell.c
    embed/subinterp.c
    embed/gcprobe.c
    embed/reftrace.c
    embed/hiccup.c
    embed/drive_threads.c
    embed/drive_procs.c
    embed/twin.c)
  target_include_directories(gillab_embed_${tag} PUBLIC embed)
  # SYSTEM: warnings inside CPython's (internal) headers are not ours.
  target_include_directories(gillab_embed_${tag} SYSTEM PUBLIC
    "${py_include}" "${py_confinclude}")
  target_link_libraries(gillab_embed_${tag} PUBLIC gillab_workloads "${lib}"
    ${CMAKE_DL_LIBS})
  target_compile_definitions(gillab_embed_${tag} PUBLIC
    GILLAB_PY_HOME="${py_home}"
    GILLAB_DRIVERS_DIR="${CMAKE_SOURCE_DIR}/embed/python"
    GILLAB_RUNTIME_TAG="${tag}")

  # Exported symbols (-rdynamic) let the probes interpose on libpython's
  # pthread calls.
  add_executable(gillab-runner-${tag} embed/runner.c)
  target_link_libraries(gillab-runner-${tag} PRIVATE gillab_embed_${tag})
  set_target_properties(gillab-runner-${tag} PROPERTIES ENABLE_EXPORTS ON
    BUILD_RPATH "${libdir}")

  list(APPEND GILLAB_RUNTIME_TAGS "${tag}")
  set(GILLAB_RUNTIME_TAGS "${GILLAB_RUNTIME_TAGS}" PARENT_SCOPE)
endfunction()
