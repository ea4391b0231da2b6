// A kernel object for handle and process tests: a File-typed object that
// only records whether its last reference went (destroy()).
#pragma once

#include "proc/kernel_object.hpp"

namespace mote::test {

class TestObject final : public KernelObject {
public:
    TestObject() : KernelObject(ObjectType::File) {}
    void destroy() override { destroyed = true; }
    bool destroyed = false;
};

}  // namespace mote::test
