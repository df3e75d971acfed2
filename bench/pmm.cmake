add_executable(pmm_bench ${CMAKE_CURRENT_LIST_DIR}/pmm_bench.c)
target_link_libraries(pmm_bench PRIVATE zxvm_pmm Threads::Threads)
target_compile_definitions(pmm_bench PRIVATE _GNU_SOURCE)
