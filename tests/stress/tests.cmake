# Stress tests: threads racing on shared VM state (run under ThreadSanitizer in CI).
zxvm_test(NAME clone_stress_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/clone_stress_test.c
          LIBS zxvm_vm LABELS concurrency)
