# The portable kernel: every layer that is the same on all targets. Each
# layer is a folder of one-concept files; new files are picked up by the glob
# (CONFIGURE_DEPENDS re-runs it on every build).
set(MOTE_PORTABLE_LAYERS base crypto core mm dev dev/virtio dev/pci net shell boot)

set(MOTE_PORTABLE_SOURCES "")
foreach(layer IN LISTS MOTE_PORTABLE_LAYERS)
  file(GLOB layer_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/kernel/${layer}/*.cpp)
  list(APPEND MOTE_PORTABLE_SOURCES ${layer_sources})
endforeach()
# The C symbols for the compiler are only for images without a libc.
list(FILTER MOTE_PORTABLE_SOURCES EXCLUDE REGEX ".*/libc_symbols\\.cpp$")

configure_file(${CMAKE_SOURCE_DIR}/kernel/base/version.hpp.in ${CMAKE_BINARY_DIR}/generated/base/version.hpp @ONLY)
