zxvm_test(NAME pmm_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/pmm_test.c LIBS zxvm_pmm)
