# Run at every build (src/CMakeLists.txt, target mf_git_commit): write OUT with the
# commit the sources are at, "-dirty" when tracked files differ from it, so that a
# binary rebuilt after new commits names its own tree rather than the one CMake was
# configured at. OUT changes only when the commit does, so nothing else recompiles.
#   cmake -DSRC=<source dir> -DOUT=<header> -P git-commit.cmake
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR commit STREQUAL "")
  set(commit "unknown")
else()
  execute_process(COMMAND git diff --quiet HEAD -- WORKING_DIRECTORY ${SRC} RESULT_VARIABLE dirty ERROR_QUIET)
  if(NOT dirty EQUAL 0)
    string(APPEND commit "-dirty")
  endif()
endif()
file(WRITE ${OUT}.tmp "/* Generated at build time by cmake/git-commit.cmake. */\n#define MF_GIT_COMMIT \"${commit}\"\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
file(REMOVE ${OUT}.tmp)
