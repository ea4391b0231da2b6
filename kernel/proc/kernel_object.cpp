#include "proc/kernel_object.hpp"

namespace mote {

const char* object_type_name(ObjectType type) {
    switch (type) {
    case ObjectType::File: return "file";
    case ObjectType::Directory: return "directory";
    case ObjectType::Stream: return "stream";
    case ObjectType::Process: return "process";
    case ObjectType::Device: return "device";
    case ObjectType::Channel: return "channel";
    case ObjectType::Socket: return "socket";
    case ObjectType::Network: return "network";
    case ObjectType::Capability: return "capability";
    }
    return "?";
}

u32 KernelObject::next_id() {
    // One loop per CPU and one CPU: no atomics needed yet.
    static u32 counter = 0;
    return ++counter;
}

}  // namespace mote
