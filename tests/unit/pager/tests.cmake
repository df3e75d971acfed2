# User pagers: page sources, pager-backed VMOs (supply, fail, dirty tracking, detach), eviction.
zxvm_test(NAME page_source_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/page_source_test.c LIBS zxvm_vm
          LABELS concurrency)
zxvm_test(NAME pager_vmo_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/pager_vmo_test.c LIBS zxvm_vm
          LABELS concurrency)
zxvm_test(NAME pager_concurrency_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/pager_concurrency_test.c LIBS zxvm_vm
          LABELS concurrency)
