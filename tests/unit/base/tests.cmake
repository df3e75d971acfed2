zxvm_test(NAME base_misc_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/base_misc_test.c LIBS zxvm_base)
zxvm_test(NAME wavl_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/wavl_test.c LIBS zxvm_base)
