# The host backend (src/arch/host/). Owner: the host backend.
# Tests that watch a forked child die of SIGSEGV need the host's default action, not a sanitizer's
# report: ASan's own SEGV handler (installed before ours, so ours passes unresolved faults to it)
# would turn the death into "exit 1". handle_segv=0 keeps ASan out of SIGSEGV. ThreadSanitizer
# delivers the synchronous SIGSEGV straight to our handler, but flags every allocation the fault
# path makes inside it ("signal-unsafe call"): by design (see src/arch/host/host_fault.c on
# async-signal-safety), so that report is turned off for these tests.
set(ZXVM_HOST_TEST_ENV "ASAN_OPTIONS=handle_segv=0:allow_user_segv_handler=1"
                       "TSAN_OPTIONS=report_signal_unsafe=0")
zxvm_test(NAME host_arch_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/host_arch_test.c LIBS zxvm_arch)
set_tests_properties(host_arch_test PROPERTIES ENVIRONMENT "${ZXVM_HOST_TEST_ENV}")
zxvm_test(NAME host_vm_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/host_vm_test.c LIBS zxvm_zx
          LABELS concurrency)
set_tests_properties(host_vm_test PROPERTIES ENVIRONMENT "${ZXVM_HOST_TEST_ENV}")
# Regression: reading/writing a VMO from/to a buffer inside its own host mapping (MapRead).
add_executable(host_vmo_read_into_mapping ${CMAKE_CURRENT_LIST_DIR}/host_vmo_read_into_mapping.c)
target_link_libraries(host_vmo_read_into_mapping PRIVATE zxvm_zx)
target_compile_definitions(host_vmo_read_into_mapping PRIVATE _GNU_SOURCE)
target_include_directories(host_vmo_read_into_mapping PRIVATE ${CMAKE_SOURCE_DIR}/src)
add_test(NAME host_vmo_read_into_mapping COMMAND host_vmo_read_into_mapping)
set_tests_properties(host_vmo_read_into_mapping PROPERTIES TIMEOUT 60
                     ENVIRONMENT "${ZXVM_HOST_TEST_ENV}")
