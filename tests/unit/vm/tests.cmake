# Paged VMOs: page list, cow pages, VMO operations, mapping tree.
zxvm_test(NAME vmo_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/vmo_test.c LIBS zxvm_vm)
zxvm_test(NAME vmo_model_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/vmo_model_test.c LIBS zxvm_vm)
zxvm_test(NAME vmo_mapping_tree_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/vmo_mapping_tree_test.c
          LIBS zxvm_vm)
