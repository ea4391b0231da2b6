// Fixed-width integer names used across the kernel. Freestanding: only the
// compiler's own headers are included.
#pragma once

#include <stddef.h>
#include <stdint.h>

// Placement new. The hosted build takes it from <new>; the freestanding kernel
// has no C++ library headers, so it declares its own.
#if defined(MOTE_HOSTED)
#include <new>
#else
inline void* operator new(size_t, void* where) noexcept { return where; }
inline void* operator new[](size_t, void* where) noexcept { return where; }
#endif

namespace mote {

using u8 = uint8_t;
using u16 = uint16_t;
using u32 = uint32_t;
using u64 = uint64_t;
using i8 = int8_t;
using i16 = int16_t;
using i32 = int32_t;
using i64 = int64_t;
using usize = size_t;
using uptr = uintptr_t;

// Minimal replacements for <utility>/<type_traits>, which the freestanding
// kernel image cannot include.
template <typename T> struct RemoveReference { using Type = T; };
template <typename T> struct RemoveReference<T&> { using Type = T; };
template <typename T> struct RemoveReference<T&&> { using Type = T; };

template <typename T>
constexpr typename RemoveReference<T>::Type&& move(T&& v) {
    return static_cast<typename RemoveReference<T>::Type&&>(v);
}

template <typename T>
constexpr T&& forward(typename RemoveReference<T>::Type& v) {
    return static_cast<T&&>(v);
}

template <typename T> constexpr T min(T a, T b) { return a < b ? a : b; }
template <typename T> constexpr T max(T a, T b) { return a < b ? b : a; }

// Pointer to the object that contains `member`, from a pointer to the member.
// Used by intrusive containers to get from a node back to its owner.
template <typename Owner, typename Member>
Owner* container_of(Member* member, Member Owner::*field) {
    // Evaluate the member offset against a fake, suitably aligned, non-null
    // address (nullptr would trip UBSan's null check); nothing is dereferenced.
    constexpr uptr kFake = 0x10000;
    auto* fake = reinterpret_cast<Owner*>(kFake);
    auto offset = reinterpret_cast<uptr>(&(fake->*field)) - kFake;
    return reinterpret_cast<Owner*>(reinterpret_cast<uptr>(member) - offset);
}

}  // namespace mote
