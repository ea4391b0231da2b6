# The user runtime's portable sources and the shell's pure logic: built into
# every program (user/CMakeLists.txt) and into the host unit tests
# (tests/CMakeLists.txt), which stand in for mote_syscall.
set(MOTE_USER_PORTABLE_SOURCES
    ${CMAKE_SOURCE_DIR}/user/runtime/capability.cpp ${CMAKE_SOURCE_DIR}/user/runtime/caps_policy.cpp
    ${CMAKE_SOURCE_DIR}/user/runtime/error_name.cpp ${CMAKE_SOURCE_DIR}/user/runtime/fs_text.cpp
    ${CMAKE_SOURCE_DIR}/user/runtime/heap.cpp
    ${CMAKE_SOURCE_DIR}/user/runtime/parse.cpp ${CMAKE_SOURCE_DIR}/user/runtime/print.cpp
    ${CMAKE_SOURCE_DIR}/user/runtime/spawn.cpp ${CMAKE_SOURCE_DIR}/user/runtime/startup.cpp
    ${CMAKE_SOURCE_DIR}/user/runtime/strings.cpp ${CMAKE_SOURCE_DIR}/user/runtime/sys.cpp)
# init's etc/services decoder: pure, tested by tests/unit/service_list_test.cpp
# and the service_list_fuzz fuzzer.
set(MOTE_USER_INIT_SOURCES ${CMAKE_SOURCE_DIR}/user/programs/init/service_list.cpp)
set(MOTE_USER_SHELL_LOGIC_SOURCES ${CMAKE_SOURCE_DIR}/user/programs/sh/arguments.cpp
    ${CMAKE_SOURCE_DIR}/user/programs/sh/line_editor.cpp ${CMAKE_SOURCE_DIR}/user/programs/sh/command_line.cpp
    ${CMAKE_SOURCE_DIR}/user/programs/sh/command_list.cpp ${CMAKE_SOURCE_DIR}/user/programs/sh/working_path.cpp
    ${CMAKE_SOURCE_DIR}/user/programs/sh/completion.cpp)
# fsck's checker core (user/programs/fsck/ less its main, fsck.cpp): pure
# logic over a Disk, checked against e2fsprogs by tests/unit/fsck_test.cpp.
set(fsck ${CMAKE_SOURCE_DIR}/user/programs/fsck)
set(MOTE_USER_FSCK_SOURCES
    ${fsck}/block_walk.cpp ${fsck}/checker.cpp ${fsck}/directory_repair.cpp ${fsck}/orphans.cpp ${fsck}/pass1.cpp
    ${fsck}/pass2.cpp ${fsck}/pass3.cpp ${fsck}/pass4.cpp ${fsck}/pass5.cpp ${fsck}/problem.cpp)
# httpd's pure logic (user/programs/httpd/): the request parser, target
# decoding, ranges, dates, MIME types, response heads and directory
# listings, the answer to a request (responder), the connection state
# machine and the server's loop over a ServerHost, with no syscalls; tested
# by tests/unit/http_*_test.cpp and tests/fuzz/http_request_fuzz.cpp. It
# needs base/civil_time.cpp, which the unit tests have already.
set(httpd ${CMAKE_SOURCE_DIR}/user/programs/httpd)
set(MOTE_USER_HTTPD_SOURCES
    ${httpd}/directory_listing.cpp ${httpd}/http_connection.cpp ${httpd}/http_date.cpp ${httpd}/http_range.cpp
    ${httpd}/http_request.cpp ${httpd}/http_response.cpp ${httpd}/http_server.cpp ${httpd}/http_status.cpp
    ${httpd}/http_syntax.cpp ${httpd}/http_target.cpp ${httpd}/mime_type.cpp ${httpd}/responder.cpp
    ${httpd}/text_sink.cpp)
# wget's pure logic (user/programs/wget/ less its main and its output
# file): URL parsing and redirect resolution, the request, the response
# parser; tested by tests/unit/wget_*_test.cpp and the wget_response_fuzz
# fuzzer. It uses httpd's HTTP syntax (http_syntax.cpp).
set(wget ${CMAKE_SOURCE_DIR}/user/programs/wget)
set(MOTE_USER_WGET_SOURCES ${wget}/request.cpp ${wget}/response_parser.cpp ${wget}/url.cpp)
# The ext2 format layer fsck builds on, compiled into the program (the
# kernel and the unit tests have it already).
file(GLOB MOTE_EXT2_FORMAT_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/kernel/fs/ext2/*.cpp)
set(MOTE_USER_INCLUDE_DIRS ${CMAKE_SOURCE_DIR}/user/runtime ${CMAKE_SOURCE_DIR}/user/programs/sh
    ${CMAKE_SOURCE_DIR}/user/programs)
