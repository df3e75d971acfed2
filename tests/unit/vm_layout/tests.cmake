# Mapping-layer data structures: protection ranges and the VMAR region list. They link a small
# library of just those two files (plus zxvm_base), so they stay independent of the rest of
# src/vm while it changes. They need the testing build (allocation-failure hook, debug counters).
if(ZXVM_TESTING)
  add_library(vm_layout_under_test STATIC
    ${CMAKE_SOURCE_DIR}/src/vm/mapping_protection_ranges.c
    ${CMAKE_SOURCE_DIR}/src/vm/vm_region_list.c)
  target_link_libraries(vm_layout_under_test PUBLIC zxvm_base)
  zxvm_test(NAME protection_ranges_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/protection_ranges_test.c LIBS vm_layout_under_test)
  zxvm_test(NAME region_list_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/region_list_test.c LIBS vm_layout_under_test)
endif()
