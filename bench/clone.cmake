add_executable(clone_bench ${CMAKE_CURRENT_LIST_DIR}/clone_bench.c)
target_link_libraries(clone_bench PRIVATE zxvm_vm Threads::Threads)
target_compile_definitions(clone_bench PRIVATE _GNU_SOURCE)
