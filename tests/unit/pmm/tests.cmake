zxvm_test(NAME pmm_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/pmm_test.c LIBS zxvm_pmm)
zxvm_test(NAME pmm_concurrency_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/pmm_concurrency_test.c
          LIBS zxvm_pmm LABELS concurrency)
