#include "proc/kernel_object.hpp"

namespace mote {

const char* object_type_name(ObjectType type) {
    switch (type) {
    case ObjectType::File: return "file";
    case ObjectType::Directory: return "directory";
    case ObjectType::Stream: return "stream";
    case ObjectType::Process: return "process";
    case ObjectType::Device: return "device";
    }
    return "?";
}

}  // namespace mote
