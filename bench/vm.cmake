add_executable(vm_bench ${CMAKE_CURRENT_LIST_DIR}/vm_bench.c)
target_link_libraries(vm_bench PRIVATE zxvm_internal Threads::Threads)
target_compile_definitions(vm_bench PRIVATE _GNU_SOURCE)
