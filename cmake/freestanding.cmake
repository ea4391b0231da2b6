# Freestanding kernel image: the portable kernel plus one architecture
# (kernel/arch/<arch>/) linked by its own linker script. No libc, no C++
# runtime: the image depends on nothing but the compiler.
set(MOTE_FREESTANDING_FLAGS
    -ffreestanding -nostdlibinc -fno-exceptions -fno-rtti -fno-threadsafe-statics
    -fno-stack-protector -fno-pic -fno-omit-frame-pointer -ffunction-sections -fdata-sections
    -g ${MOTE_ARCH_FLAGS} ${MOTE_REPRODUCIBLE_FLAGS})
# Size over speed for the image (target: <= 96 KiB stripped); the loop's hot
# paths are short, and -Os keeps them in far fewer cache lines. Whole-image
# LTO lets the optimiser see across files (inline single-use helpers, drop
# unused virtual overrides' callees): about 12% less text.
list(APPEND MOTE_FREESTANDING_FLAGS -Os -flto)

file(GLOB MOTE_ARCH_SOURCES CONFIGURE_DEPENDS
     ${CMAKE_SOURCE_DIR}/kernel/arch/${MOTE_ARCH}/*.cpp
     ${CMAKE_SOURCE_DIR}/kernel/arch/${MOTE_ARCH}/*.S)
if(NOT MOTE_ARCH_SOURCES)
  message(FATAL_ERROR "kernel/arch/${MOTE_ARCH}/ has no sources")
endif()
# What every bare-metal port shares, written against the arch facade
# (kernel/arch/*.cpp, e.g. fault_catch.cpp).
file(GLOB MOTE_ARCH_SHARED_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/kernel/arch/*.cpp)
list(APPEND MOTE_ARCH_SOURCES ${MOTE_ARCH_SHARED_SOURCES})
set(MOTE_LINKER_SCRIPT ${CMAKE_SOURCE_DIR}/kernel/arch/${MOTE_ARCH}/kernel.ld)

# The bare-metal platform (QEMU virt: devicetree discovery, memory map, crash
# reports, self-tests; PVH on x86_64: start info and ACPI) and the drivers it
# binds.
if(MOTE_ARCH STREQUAL "x86_64")
  set(MOTE_PLATFORM_DEFAULT pvh)
else()
  set(MOTE_PLATFORM_DEFAULT virt)
endif()
set(MOTE_PLATFORM ${MOTE_PLATFORM_DEFAULT} CACHE STRING "Bare-metal platform under kernel/platform/")
file(GLOB MOTE_PLATFORM_SOURCES CONFIGURE_DEPENDS
     ${CMAKE_SOURCE_DIR}/kernel/platform/${MOTE_PLATFORM}/*.cpp
     ${CMAKE_SOURCE_DIR}/kernel/platform/bare_metal/*.cpp
     ${CMAKE_SOURCE_DIR}/kernel/dev/uart/*.cpp)
# platform/bare_metal/ is what every bare-metal machine (virt and PVH)
# shares: the crash report, the symbol table, the memory map and its
# reports, running the kernel, DMA, attaching virtio devices, user mode and
# the self-tests.
# The minimal profile (cmake/kernel_sources.cmake) has no device drivers to
# attach, so neither their platform glue.
if(NOT MOTE_HAVE_DRIVERS)
  list(FILTER MOTE_PLATFORM_SOURCES EXCLUDE REGEX
       ".*/platform/(virt/(virt_virtio|virt_pci)|bare_metal/(bare_metal_virtio|dma|virtio_selftest)|pvh/(pvh_pci|pvh_virtio))\\.cpp$")
endif()
list(APPEND MOTE_ARCH_SOURCES ${MOTE_PLATFORM_SOURCES})
# riscv64 boot code runs C++ before the MMU is on, at the physical load
# address: jump tables would hold link (virtual) addresses, so none anywhere.
if(MOTE_ARCH STREQUAL "riscv64")
  list(APPEND MOTE_FREESTANDING_FLAGS -fno-jump-tables)
endif()

# Every object once; two links use them (see the symbol table below).
add_library(mote_objects OBJECT ${MOTE_PORTABLE_SOURCES} ${MOTE_ARCH_SOURCES}
            ${CMAKE_SOURCE_DIR}/kernel/base/libc_symbols.cpp)
target_include_directories(mote_objects PRIVATE ${CMAKE_SOURCE_DIR}/kernel ${CMAKE_BINARY_DIR}/generated)
target_compile_options(mote_objects PRIVATE ${MOTE_FREESTANDING_FLAGS}
                       $<$<COMPILE_LANGUAGE:CXX>:${MOTE_WARNINGS}>)
# The memory routines must not be compiled into calls to themselves.
set_source_files_properties(${CMAKE_SOURCE_DIR}/kernel/base/memory.cpp PROPERTIES COMPILE_OPTIONS -fno-builtin)

# lld-19 itself: the x86_64-unknown-elf driver links through gcc, whose
# -fuse-ld=lld runs the first `ld.lld` on PATH, and LTO needs the LLVM that
# wrote the bitcode. The link step runs with LLVM 19's bin directory first.
find_program(MOTE_LLD NAMES ld.lld-19 REQUIRED)
get_filename_component(MOTE_LLD_REAL ${MOTE_LLD} REALPATH)
get_filename_component(MOTE_LLD_DIR ${MOTE_LLD_REAL} DIRECTORY)
find_program(MOTE_NM NAMES llvm-nm-19 llvm-nm REQUIRED)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

# The symbol table for backtraces (kernel/platform/bare_metal/symbols.hpp) lives
# in the image's .ksyms section, sized to fit exactly, in two links:
#  1. mote.pass1.elf reserves 16 bytes. Its function symbols are the final
#     image's: .ksyms comes after .text, and no link here relaxes code, so
#     its size moves no function. tools/ksyms.py measures the table and
#     writes ksyms/ksyms_size.ld ("KSYMS_BYTES = N;").
#  2. mote.elf reserves N bytes (the linker script INCLUDEs ksyms_size.ld),
#     and tools/ksyms.py fills the section in place after the link.
file(WRITE ${CMAKE_BINARY_DIR}/ksyms-pass1/ksyms_size.ld "KSYMS_BYTES = 16;\n")
function(mote_link target ksyms_dir)
  add_executable(${target} $<TARGET_OBJECTS:mote_objects>)
  set_target_properties(${target} PROPERTIES LINKER_LANGUAGE CXX
                        CXX_LINKER_LAUNCHER "env;PATH=${MOTE_LLD_DIR}:$ENV{PATH}")
  target_link_options(${target} PRIVATE -flto -Os ${MOTE_ARCH_FLAGS} -fuse-ld=lld -nostdlib -static
                      -Wl,--gc-sections -Wl,-L,${ksyms_dir} -Wl,-T,${MOTE_LINKER_SCRIPT} -Wl,--build-id=none
                      -Wl,--nmagic)
endfunction()
mote_link(mote.pass1.elf ${CMAKE_BINARY_DIR}/ksyms-pass1)
set_target_properties(mote.pass1.elf PROPERTIES LINK_DEPENDS ${MOTE_LINKER_SCRIPT})
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/ksyms/ksyms_size.ld
                   COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tools/ksyms.py --nm ${MOTE_NM}
                           --size-script ${CMAKE_BINARY_DIR}/ksyms/ksyms_size.ld $<TARGET_FILE:mote.pass1.elf>
                   DEPENDS mote.pass1.elf ${CMAKE_SOURCE_DIR}/tools/ksyms.py
                   COMMENT "Measuring the kernel symbol table")
add_custom_target(mote_ksyms_size DEPENDS ${CMAKE_BINARY_DIR}/ksyms/ksyms_size.ld)
mote_link(mote.elf ${CMAKE_BINARY_DIR}/ksyms)
add_dependencies(mote.elf mote_ksyms_size)
set_target_properties(mote.elf PROPERTIES LINK_DEPENDS
                      "${MOTE_LINKER_SCRIPT};${CMAKE_BINARY_DIR}/ksyms/ksyms_size.ld;${CMAKE_SOURCE_DIR}/tools/ksyms.py")
add_custom_command(TARGET mote.elf POST_BUILD
                   COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tools/ksyms.py --nm ${MOTE_NM}
                           --objcopy ${CMAKE_OBJCOPY} $<TARGET_FILE:mote.elf>)
# aarch64 boots the raw image, whose arm64 Image header tells QEMU where to
# load it (kernel/arch/aarch64/entry.S).
if(MOTE_ARCH STREQUAL "aarch64")
  add_custom_command(TARGET mote.elf POST_BUILD
                     COMMAND ${CMAKE_OBJCOPY} -O binary $<TARGET_FILE:mote.elf> ${CMAKE_BINARY_DIR}/mote.bin)
endif()
# A stripped copy, whose size `./mote bench` reports.
add_custom_command(TARGET mote.elf POST_BUILD
                   COMMAND ${CMAKE_STRIP} -o ${CMAKE_BINARY_DIR}/mote.stripped.elf $<TARGET_FILE:mote.elf>)
