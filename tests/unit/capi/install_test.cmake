# Installs the build's libminibitconsensus component into a fresh prefix, then
# compiles and runs a C program against only what was installed (header, .so,
# pkg-config file), and checks the library exports nothing but the API.
# Inputs: BUILD_DIR, WORK_DIR, C_COMPILER, SOURCE, LIBDIR.
foreach(var BUILD_DIR WORK_DIR C_COMPILER SOURCE LIBDIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "install_test.cmake: ${var} not set")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(RUN_OUTPUT "${out}" PARENT_SCOPE)
endfunction()

set(prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}" --component minibitconsensus)

foreach(f include/minibitconsensus.h ${LIBDIR}/libminibitconsensus.so
          ${LIBDIR}/pkgconfig/libminibitconsensus.pc)
  if(NOT EXISTS "${prefix}/${f}")
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
file(GLOB sonames "${prefix}/${LIBDIR}/libminibitconsensus.so.*")
if(NOT sonames)
  message(FATAL_ERROR "no versioned libminibitconsensus.so.* installed")
endif()

# Prefer the flags pkg-config gives, as a user would; fall back to plain flags.
find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  run(${CMAKE_COMMAND} -E env "PKG_CONFIG_PATH=${prefix}/${LIBDIR}/pkgconfig"
      ${PKG_CONFIG} --cflags --libs libminibitconsensus)
  string(STRIP "${RUN_OUTPUT}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
else()
  set(flags "-I${prefix}/include" "-L${prefix}/${LIBDIR}" -lminibitconsensus)
endif()
message(STATUS "compile flags: ${flags}")

set(exe "${WORK_DIR}/install_smoke")
run(${C_COMPILER} -std=c11 -Wall -Wextra -Werror ${EXTRA_FLAGS} "${SOURCE}" ${flags} -o "${exe}")
run(${CMAKE_COMMAND} -E env "LD_LIBRARY_PATH=${prefix}/${LIBDIR}" "${exe}")
message(STATUS "${RUN_OUTPUT}")

find_program(NM nm)
if(NM)
  run(${NM} -D --defined-only "${prefix}/${LIBDIR}/libminibitconsensus.so")
  string(REPLACE "\n" ";" lines "${RUN_OUTPUT}")
  set(api_count 0)
  foreach(line IN LISTS lines)
    if(line MATCHES " [A-Za-z] ([^ ]+)$")
      set(sym "${CMAKE_MATCH_1}")
      if(sym MATCHES "^minibitconsensus_")
        math(EXPR api_count "${api_count} + 1")
      else()
        message(FATAL_ERROR "unexpected exported symbol: ${sym}")
      endif()
    endif()
  endforeach()
  if(NOT api_count EQUAL 4)
    message(FATAL_ERROR "expected 4 exported functions, found ${api_count}")
  endif()
endif()
