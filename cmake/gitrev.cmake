# Writes OUT (a header defining GILLAB_GIT_REV) from `git describe` of SRC,
# touching it only when the revision changed, so a build after a commit
# records the new revision without rebuilding everything each time.
execute_process(COMMAND git -C "${SRC}" describe --always --dirty --abbrev=10
  OUTPUT_VARIABLE rev OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT rev)
  set(rev "unknown")
endif()
set(text "#define GILLAB_GIT_REV \"${rev}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE "${OUT}" "${text}")
endif()
