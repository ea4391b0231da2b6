# The portable kernel: every layer that is the same on all targets. Each
# layer is a folder of one-concept files; new files are picked up by the glob
# (CONFIGURE_DEPENDS re-runs it on every build).
set(MOTE_PORTABLE_LAYERS base firmware crypto core mm dev dev/rtc dev/virtio dev/pci dev/watchdog block net net/tcp proc ipc fs fs/ext2 fs/jbd2 exec syscall socket boot)

set(MOTE_PORTABLE_SOURCES "")
foreach(layer IN LISTS MOTE_PORTABLE_LAYERS)
  file(GLOB layer_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/kernel/${layer}/*.cpp)
  list(APPEND MOTE_PORTABLE_SOURCES ${layer_sources})
endforeach()
# The C symbols for the compiler are only for images without a libc.
list(FILTER MOTE_PORTABLE_SOURCES EXCLUDE REGEX ".*/libc_symbols\\.cpp$")

# The profile picks what a bare-metal image contains (the hosted build is
# always full). Both run programs from the initramfs: the user shell is the
# only shell.
#   full     everything: virtio (mmio and pci) drivers, the block layer, the
#            IPv4 stack and TCP, sockets, ext2 and its journal
#   minimal  the kernel without them, for the smallest systems: boot, traps,
#            memory, timers, the console, processes, syscalls, channels and
#            the initramfs with sys/ and dev/
# The code tests MOTE_HAVE_DRIVERS (generated/base/config.hpp) where the
# two meet; whole files are left out here.
set(MOTE_PROFILE "full" CACHE STRING "Image profile: full or minimal")
set_property(CACHE MOTE_PROFILE PROPERTY STRINGS full minimal)
if(MOTE_PROFILE STREQUAL "minimal" AND NOT MOTE_ARCH STREQUAL "host")
  set(MOTE_HAVE_DRIVERS 0)
  list(FILTER MOTE_PORTABLE_SOURCES EXCLUDE REGEX
       ".*/kernel/(dev/virtio|dev/pci|dev/watchdog|block|net|socket|fs/ext2|fs/jbd2)/.*|.*/kernel/dev/(block_device|block_registry|net_device|packet_buffer)\\.cpp$|.*/kernel/boot/(epitaph_dump|disk_mount)\\.cpp$|.*/kernel/fs/block_file\\.cpp$|.*/kernel/syscall/socket_calls\\.cpp$")
elseif(MOTE_PROFILE STREQUAL "full" OR MOTE_ARCH STREQUAL "host")
  set(MOTE_HAVE_DRIVERS 1)
else()
  message(FATAL_ERROR "MOTE_PROFILE must be full or minimal, not '${MOTE_PROFILE}'")
endif()
configure_file(${CMAKE_SOURCE_DIR}/kernel/base/config.hpp.in ${CMAKE_BINARY_DIR}/generated/base/config.hpp @ONLY)

configure_file(${CMAKE_SOURCE_DIR}/kernel/base/version.hpp.in ${CMAKE_BINARY_DIR}/generated/base/version.hpp @ONLY)

# The key that signs the initramfs manifest (tools/sign_manifest.py) and
# whose public half the kernel trusts (kernel/exec/program_trust.hpp).
# Development builds use the test key kept in the tree, and boot says so; a
# release passes its own, kept outside the tree:
#   cmake --preset riscv64 -DMOTE_SIGNING_KEY=/secure/place/release.pem
# (or MOTE_SIGNING_KEY in the environment of the first configure).
set(MOTE_TEST_SIGNING_KEY ${CMAKE_SOURCE_DIR}/keys/test-signing-key.pem)
set(MOTE_SIGNING_KEY "$ENV{MOTE_SIGNING_KEY}" CACHE FILEPATH
    "Ed25519 private key (PEM) that signs the initramfs; empty: the test key in keys/")
if(MOTE_SIGNING_KEY)
  set(MOTE_SIGNING_KEY_FILE ${MOTE_SIGNING_KEY})
else()
  set(MOTE_SIGNING_KEY_FILE ${MOTE_TEST_SIGNING_KEY})
endif()
if(NOT EXISTS ${MOTE_SIGNING_KEY_FILE})
  message(FATAL_ERROR "MOTE_SIGNING_KEY: no such file: ${MOTE_SIGNING_KEY_FILE}")
endif()
find_program(MOTE_OPENSSL openssl REQUIRED)
# The raw 32-byte public key is the last 32 bytes of its DER form.
function(mote_public_key key out)
  execute_process(COMMAND ${MOTE_OPENSSL} pkey -in ${key} -pubout -outform DER
                          -out ${CMAKE_BINARY_DIR}/generated/signing_key.der
                  RESULT_VARIABLE status ERROR_VARIABLE message)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${key} is not a private key openssl can read: ${message}")
  endif()
  file(READ ${CMAKE_BINARY_DIR}/generated/signing_key.der der HEX)
  string(LENGTH "${der}" length)
  if(NOT length EQUAL 88)  # 44 bytes: SubjectPublicKeyInfo of an Ed25519 key
    message(FATAL_ERROR "${key} is not an Ed25519 key (openssl genpkey -algorithm ed25519)")
  endif()
  string(SUBSTRING "${der}" 24 64 hex)
  set(${out} ${hex} PARENT_SCOPE)
endfunction()
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/generated/exec)
mote_public_key(${MOTE_TEST_SIGNING_KEY} mote_test_public_key)
mote_public_key(${MOTE_SIGNING_KEY_FILE} mote_public_key)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1, " MOTE_SIGNING_PUBLIC_KEY_BYTES "${mote_public_key}")
if(mote_public_key STREQUAL mote_test_public_key)
  set(MOTE_SIGNING_KEY_IS_TEST true)
else()
  set(MOTE_SIGNING_KEY_IS_TEST false)
endif()
configure_file(${CMAKE_SOURCE_DIR}/kernel/exec/signing_key.hpp.in ${CMAKE_BINARY_DIR}/generated/exec/signing_key.hpp @ONLY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${MOTE_SIGNING_KEY_FILE} ${MOTE_TEST_SIGNING_KEY})
