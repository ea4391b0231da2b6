# The portable kernel: every layer that is the same on all targets. Each
# layer is a folder of one-concept files; new files are picked up by the glob
# (CONFIGURE_DEPENDS re-runs it on every build).
set(MOTE_PORTABLE_LAYERS base firmware crypto core mm dev dev/rtc dev/virtio dev/pci dev/watchdog block net net/tcp proc ipc fs fs/ext2 fs/jbd2 exec syscall socket shell boot)

set(MOTE_PORTABLE_SOURCES "")
foreach(layer IN LISTS MOTE_PORTABLE_LAYERS)
  file(GLOB layer_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/kernel/${layer}/*.cpp)
  list(APPEND MOTE_PORTABLE_SOURCES ${layer_sources})
endforeach()
# The C symbols for the compiler are only for images without a libc.
list(FILTER MOTE_PORTABLE_SOURCES EXCLUDE REGEX ".*/libc_symbols\\.cpp$")

# The profile picks what a bare-metal image contains (the hosted build is
# always full):
#   full     everything: virtio (mmio and pci) drivers, the block layer, the
#            IPv4 stack and their shell commands
#   minimal  the kernel without them and without user space: boot,
#            traps, memory, timers, the console and the shell's core
#            commands, for the smallest systems
# The code tests MOTE_HAVE_DRIVERS (generated/base/config.hpp) where the
# two meet; whole files are left out here.
set(MOTE_PROFILE "full" CACHE STRING "Image profile: full or minimal")
set_property(CACHE MOTE_PROFILE PROPERTY STRINGS full minimal)
if(MOTE_PROFILE STREQUAL "minimal" AND NOT MOTE_ARCH STREQUAL "host")
  set(MOTE_HAVE_DRIVERS 0)
  # Issue 3's kernel has no user space either: no processes, syscalls,
  # filesystems or loader (the kernel shell is its interface).
  set(MOTE_HAVE_USER 0)
  list(FILTER MOTE_PORTABLE_SOURCES EXCLUDE REGEX ".*/kernel/(proc|ipc|fs|exec|syscall|socket)/.*|.*/kernel/boot/(user_space|sys_tree|dev_tree|disk_mount)\\.cpp$")
  list(FILTER MOTE_PORTABLE_SOURCES EXCLUDE REGEX
       ".*/kernel/(dev/virtio|dev/pci|dev/watchdog|block|net)/.*|.*/kernel/dev/(block_device|block_registry|net_device|packet_buffer)\\.cpp$|.*/kernel/boot/epitaph_dump\\.cpp$|.*/kernel/shell/(commands_net.*|commands_block|commands_blk_bench|hexdump)\\.cpp$")
elseif(MOTE_PROFILE STREQUAL "full" OR MOTE_ARCH STREQUAL "host")
  set(MOTE_HAVE_DRIVERS 1)
  set(MOTE_HAVE_USER 1)
else()
  message(FATAL_ERROR "MOTE_PROFILE must be full or minimal, not '${MOTE_PROFILE}'")
endif()
configure_file(${CMAKE_SOURCE_DIR}/kernel/base/config.hpp.in ${CMAKE_BINARY_DIR}/generated/base/config.hpp @ONLY)

configure_file(${CMAKE_SOURCE_DIR}/kernel/base/version.hpp.in ${CMAKE_BINARY_DIR}/generated/base/version.hpp @ONLY)
