# Copy-on-write clones: VM core (snapshots, slices, references, merges, model test) and through
# mappings (COW faults, write-protect at snapshot, ForceWritable).
zxvm_test(NAME clones_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/clones_test.c LIBS zxvm_vm)
zxvm_test(NAME clones_mapping_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/clones_mapping_test.c
          LIBS zxvm_vm)
zxvm_test(NAME clones_alloc_fail_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/clones_alloc_fail_test.c
          LIBS zxvm_vm)
zxvm_test(NAME clones_pager_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/clones_pager_test.c LIBS zxvm_vm)
