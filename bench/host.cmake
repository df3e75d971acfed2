# The host backend's fault and map costs against Linux (bench/host_bench.c). Linux only.
if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  add_executable(host_bench ${CMAKE_CURRENT_LIST_DIR}/host_bench.c)
  target_link_libraries(host_bench PRIVATE zxvm_zx Threads::Threads)
  target_compile_definitions(host_bench PRIVATE _GNU_SOURCE)
endif()
