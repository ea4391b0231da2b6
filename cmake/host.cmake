# Hosted build: the portable kernel as a Linux process, plus tests, fuzzers
# and benchmarks.
set(MOTE_HOST_FLAGS -fno-omit-frame-pointer)
set(MOTE_KERNEL_FLAGS -fno-exceptions -fno-rtti)
if(MOTE_SANITIZE)
  list(APPEND MOTE_HOST_FLAGS -fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=undefined)
  set(MOTE_COVERAGE_FLAGS -fsanitize=fuzzer-no-link)
  add_link_options(-fsanitize=address,undefined)
endif()
add_compile_options(${MOTE_HOST_FLAGS})

# The portable kernel plus the hosted platform (everything but main) as one
# library; the tests, fuzzers, benchmarks and the hosted kernel all link it.
# The portable part gets libFuzzer coverage instrumentation in the sanitizer
# build, so fuzz targets see its branches.
file(GLOB MOTE_HOSTED_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/kernel/platform/hosted/*.cpp)
list(FILTER MOTE_HOSTED_SOURCES EXCLUDE REGEX ".*/main\\.cpp$")
find_library(URING_LIBRARY uring REQUIRED)
add_library(mote_hosted STATIC ${MOTE_PORTABLE_SOURCES} ${MOTE_HOSTED_SOURCES})
target_include_directories(mote_hosted PUBLIC ${CMAKE_SOURCE_DIR}/kernel ${CMAKE_BINARY_DIR}/generated)
target_compile_definitions(mote_hosted PUBLIC MOTE_HOSTED=1)
target_link_libraries(mote_hosted PUBLIC ${URING_LIBRARY})
target_compile_options(mote_hosted PRIVATE ${MOTE_WARNINGS} ${MOTE_KERNEL_FLAGS})
if(MOTE_COVERAGE_FLAGS)
  set_source_files_properties(${MOTE_PORTABLE_SOURCES} PROPERTIES COMPILE_OPTIONS "${MOTE_COVERAGE_FLAGS}")
endif()

add_executable(mote-hosted ${CMAKE_SOURCE_DIR}/kernel/platform/hosted/main.cpp)
target_link_libraries(mote-hosted PRIVATE mote_hosted)
target_compile_options(mote-hosted PRIVATE ${MOTE_WARNINGS} ${MOTE_KERNEL_FLAGS})

enable_testing()
add_subdirectory(tests)
if(MOTE_BENCH)
  add_subdirectory(bench)
endif()
