add_executable(pager_bench ${CMAKE_CURRENT_LIST_DIR}/pager_bench.c)
target_link_libraries(pager_bench PRIVATE zxvm_vm Threads::Threads)
target_compile_definitions(pager_bench PRIVATE _GNU_SOURCE)
