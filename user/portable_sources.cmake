# The user runtime's portable sources and the shell's pure logic: built into
# every program (user/CMakeLists.txt) and into the host unit tests
# (tests/CMakeLists.txt), which stand in for mote_syscall.
set(MOTE_USER_PORTABLE_SOURCES
    ${CMAKE_SOURCE_DIR}/user/runtime/capability.cpp ${CMAKE_SOURCE_DIR}/user/runtime/caps_policy.cpp
    ${CMAKE_SOURCE_DIR}/user/runtime/error_name.cpp ${CMAKE_SOURCE_DIR}/user/runtime/heap.cpp
    ${CMAKE_SOURCE_DIR}/user/runtime/parse.cpp ${CMAKE_SOURCE_DIR}/user/runtime/print.cpp
    ${CMAKE_SOURCE_DIR}/user/runtime/spawn.cpp ${CMAKE_SOURCE_DIR}/user/runtime/startup.cpp
    ${CMAKE_SOURCE_DIR}/user/runtime/strings.cpp ${CMAKE_SOURCE_DIR}/user/runtime/sys.cpp)
set(MOTE_USER_SHELL_LOGIC_SOURCES ${CMAKE_SOURCE_DIR}/user/programs/sh/command_line.cpp)
set(MOTE_USER_INCLUDE_DIRS ${CMAKE_SOURCE_DIR}/user/runtime ${CMAKE_SOURCE_DIR}/user/programs/sh)
