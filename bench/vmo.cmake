add_executable(vmo_bench ${CMAKE_CURRENT_LIST_DIR}/vmo_bench.c)
target_link_libraries(vmo_bench PRIVATE zxvm_vm Threads::Threads)
target_compile_definitions(vmo_bench PRIVATE _GNU_SOURCE)
