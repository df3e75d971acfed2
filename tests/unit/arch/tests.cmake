zxvm_test(NAME arch_soft_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/arch_soft_test.c LIBS zxvm_arch)
zxvm_test(NAME arch_concurrency_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/arch_concurrency_test.c
          LIBS zxvm_arch LABELS concurrency)
