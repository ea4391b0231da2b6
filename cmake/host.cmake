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

# The process every user program runs in under the hosted kernel
# (kernel/platform/hosted/user_stub/): freestanding, no sanitizers, linked
# far above the user half. Built straight with the compiler so none of the
# host build's flags reach it.
set(MOTE_USER_STUB_SOURCES ${CMAKE_SOURCE_DIR}/kernel/platform/hosted/user_stub/stub.cpp
    ${CMAKE_SOURCE_DIR}/kernel/platform/hosted/user_stub/linux_calls.hpp
    ${CMAKE_SOURCE_DIR}/kernel/platform/hosted/user_wire.hpp)
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/mote-user-stub
                   COMMAND ${CMAKE_CXX_COMPILER} -std=c++23 -O2 -g -ffreestanding -fno-exceptions -fno-rtti
                           -fno-stack-protector -fno-pic -fno-builtin -fno-jump-tables -mcmodel=large
                           -I${CMAKE_SOURCE_DIR}/kernel -static -nostdlib -fuse-ld=lld
                           -Wl,--image-base=0x500000000000 -Wall -Wextra ${MOTE_REPRODUCIBLE_FLAGS}
                           ${CMAKE_SOURCE_DIR}/kernel/platform/hosted/user_stub/stub.cpp
                           -o ${CMAKE_BINARY_DIR}/mote-user-stub
                   DEPENDS ${MOTE_USER_STUB_SOURCES}
                   COMMENT "Building mote-user-stub")
add_custom_target(mote_user_stub ALL DEPENDS ${CMAKE_BINARY_DIR}/mote-user-stub)
add_dependencies(mote-hosted mote_user_stub)

# The user programs for the hosted kernel: build/host/initramfs.cpio.
set(MOTE_USER_HOSTED ON)
add_subdirectory(user)

enable_testing()
add_subdirectory(tests)
if(MOTE_BENCH)
  add_subdirectory(bench)
endif()
