add_executable(arch_bench ${CMAKE_CURRENT_LIST_DIR}/arch_bench.c)
target_link_libraries(arch_bench PRIVATE zxvm_arch Threads::Threads)
target_compile_definitions(arch_bench PRIVATE _GNU_SOURCE)
