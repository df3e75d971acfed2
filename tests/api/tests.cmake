# ABI conformance of the public zircon/ headers. Owner: public headers (include/zircon/).
zxvm_test(NAME abi_layout_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/abi_layout_test.c LIBS zxvm_base)

# The headers must also compile as strict C11 and as C++ (extern "C", no C-only constructs), as a
# program including them would. Syntax-only compiles of one file that includes every header.
set(ZXVM_ABI_HEADERS_CHECK ${CMAKE_CURRENT_LIST_DIR}/abi_headers_check.inc)
add_test(NAME abi_headers_c11
         COMMAND ${CMAKE_C_COMPILER} -std=c11 -pedantic -Wall -Wextra -Werror -fsyntax-only
                 -I${CMAKE_SOURCE_DIR}/include -x c ${ZXVM_ABI_HEADERS_CHECK})
find_program(ZXVM_CXX_PROG NAMES c++ g++ clang++)
if(ZXVM_CXX_PROG)
  add_test(NAME abi_headers_cxx
           COMMAND ${ZXVM_CXX_PROG} -std=c++17 -pedantic -Wall -Wextra -Werror -fsyntax-only
                   -I${CMAKE_SOURCE_DIR}/include -x c++ ${ZXVM_ABI_HEADERS_CHECK})
endif()

# The zx_ API, black box (public headers only). Owner: the zx layer (src/zx/).
foreach(t zx_handle_test zx_vmo_test zx_vmar_test zx_object_test)
  zxvm_test(NAME api_${t} SOURCES ${CMAKE_CURRENT_LIST_DIR}/${t}.c LIBS zxvm_zx)
endforeach()
zxvm_test(NAME api_zx_handle_concurrency_test
          SOURCES ${CMAKE_CURRENT_LIST_DIR}/zx_handle_concurrency_test.c LIBS zxvm_zx
          LABELS concurrency)
# VMO children through the zx_ API (snapshots, slices, references, ZERO_CHILDREN, info, rights).
zxvm_test(NAME api_zx_clone_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/zx_clone_test.c LIBS zxvm_zx)
# Fuchsia's core clone, slice and zero tests (vmo-clone2.cc, vmo-clone.cc, vmo-slice.cc,
# vmo-zero.cc) restated: snapshot trees, resizes, attribution, slices, ZERO on clones.
zxvm_test(NAME api_conf_clone_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/conf_clone_test.c LIBS zxvm_zx)
# ZX_VMO_OP_ZERO on clones with Fuchsia's newest accounting (zero markers).
zxvm_test(NAME api_conf_zero_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/conf_zero_test.c LIBS zxvm_zx)
# ZX_VM_FAULT_BEYOND_STREAM_SIZE mappings, as Fuchsia's vmar core tests expect.
zxvm_test(NAME api_conf_stream_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/conf_stream_test.c
          LIBS zxvm_zx)
# Randomized bad input through the whole API (seeded, replayable): no crash, documented statuses.
zxvm_test(NAME api_zx_fuzz_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/zx_fuzz_test.c LIBS zxvm_zx
          LABELS concurrency)
# zxvm's own statistics (zxvm_get_stats) where other suites do not already check them.
zxvm_test(NAME api_zxvm_stats_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/zxvm_stats_test.c
          LIBS zxvm_zx)
# Fuchsia's core VMO tests (vmo.cc, vmo-signal.cc) restated against the zx_ API.
zxvm_test(NAME api_conf_vmo_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/conf_vmo_test.c LIBS zxvm_zx)

# Both backends (DESIGN.md "Backends": the same API suites run against both). Owner of these lines:
# the host backend. At the end of the directory, every api_* test (whatever was added above or
# after these lines) runs with ZXVM_BACKEND=soft, and again as <name>_host with ZXVM_BACKEND=host
# (the default where the host backend is built: Linux). ASan: zxvm's SIGSEGV handler sits on top of
# ASan's and passes it every fault that is not zxvm's, so ASan still reports wild accesses.
function(zxvm_api_tests_on_both_backends)
  get_property(tests DIRECTORY PROPERTY TESTS)
  foreach(t ${tests})
    if(NOT t MATCHES "^api_" OR t MATCHES "_host$")
      continue()
    endif()
    get_test_property(${t} LABELS labels)
    get_test_property(${t} ENVIRONMENT env)
    if(NOT env)
      set(env "")
    endif()
    set_tests_properties(${t} PROPERTIES ENVIRONMENT "${env};ZXVM_BACKEND=soft")
    add_test(NAME ${t}_host COMMAND ${t})
    set_tests_properties(${t}_host PROPERTIES TIMEOUT 600 ENVIRONMENT
                         "${env};ZXVM_BACKEND=host;TSAN_OPTIONS=report_signal_unsafe=0")
    if(labels)
      set_tests_properties(${t}_host PROPERTIES LABELS "${labels}")
    endif()
  endforeach()
endfunction()
cmake_language(DEFER CALL zxvm_api_tests_on_both_backends)

# Pager calls (issue #4); labelled concurrency: every pager test runs pager threads (make tsan).
zxvm_test(NAME api_zx_pager_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/zx_pager_test.c LIBS zxvm_zx
          LABELS concurrency)
# Fuchsia's core VMAR tests (vmar/vmar.cc, vmar/protect.cc) restated against zxvm.
zxvm_test(NAME api_conf_vmar_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/conf_vmar_test.c LIBS zxvm_zx)
# Fuchsia's pager core tests (pager/pager.cc, pager/snapshot.cc) restated (conf_pager_util.h).
zxvm_test(NAME api_conf_pager_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/conf_pager_test.c LIBS zxvm_zx
          LABELS concurrency)
zxvm_test(NAME api_conf_pager2_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/conf_pager2_test.c LIBS zxvm_zx
          LABELS concurrency)
zxvm_test(NAME api_conf_pager_snapshot_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/conf_pager_snapshot_test.c LIBS zxvm_zx
          LABELS concurrency)
