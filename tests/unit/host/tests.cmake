# The host backend (src/arch/host/). Owner: the host backend.
# Tests that watch a forked child die of SIGSEGV need the host's default action, not a sanitizer's
# report: ASan's own SEGV handler (installed before ours, so ours passes unresolved faults to it)
# would turn the death into "exit 1". handle_segv=0 keeps ASan out of SIGSEGV.
set(ZXVM_HOST_TEST_ENV "ASAN_OPTIONS=handle_segv=0:allow_user_segv_handler=1"
                       "TSAN_OPTIONS=handle_segv=0")
zxvm_test(NAME host_arch_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/host_arch_test.c LIBS zxvm_arch)
set_tests_properties(host_arch_test PROPERTIES ENVIRONMENT "${ZXVM_HOST_TEST_ENV}")
