# VM core: VMARs, aspaces, the fault path through the simulated CPU, a randomized model test and a
# concurrency test (run it under ThreadSanitizer: -DZXVM_TSAN=ON).
zxvm_test(NAME vmar_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/vmar_test.c LIBS zxvm_vm)
zxvm_test(NAME vm_fault_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/vm_fault_test.c LIBS zxvm_vm)
zxvm_test(NAME vm_model_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/vm_model_test.c LIBS zxvm_vm)
zxvm_test(NAME vm_concurrency_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/vm_concurrency_test.c
          LIBS zxvm_vm LABELS concurrency)
zxvm_test(NAME vm_alloc_fail_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/vm_alloc_fail_test.c LIBS zxvm_vm)
zxvm_test(NAME vm_enumerator_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/vm_enumerator_test.c
          LIBS zxvm_vm LABELS concurrency)
