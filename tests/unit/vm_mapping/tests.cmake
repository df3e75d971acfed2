zxvm_test(NAME vm_mapping_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/vm_mapping_test.c LIBS zxvm_vm)
# Spec §7 behaviours the tests above left open or checked only weakly (audit of issue #3).
zxvm_test(NAME spec7_gaps_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/spec7_gaps_test.c LIBS zxvm_vm
          LABELS concurrency)
