zxvm_test(NAME vm_mapping_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/vm_mapping_test.c LIBS zxvm_vm)
