// Numbers from the virtio 1.2 specification (OASIS, virtio-v1.2-cs01) that
// every part of the virtio stack shares: device IDs (5), the device status
// bits (2.1) and the transport-independent feature bits (6).
#pragma once

#include "base/types.hpp"

namespace mote::virtio {

// 5 Device Types.
enum class DeviceId : u32 {
    None = 0,  // an empty virtio-mmio slot (4.2.3.1.1: "ignore the device")
    Net = 1,
    Block = 2,
    Console = 3,
    Entropy = 4,
};

const char* device_id_name(u32 id);

// 2.1 Device Status Field.
inline constexpr u8 kStatusAcknowledge = 1;
inline constexpr u8 kStatusDriver = 2;
inline constexpr u8 kStatusDriverOk = 4;
inline constexpr u8 kStatusFeaturesOk = 8;
inline constexpr u8 kStatusNeedsReset = 64;
inline constexpr u8 kStatusFailed = 128;

// 6 Reserved Feature Bits (those this kernel looks at).
inline constexpr u64 kFeatureIndirectDesc = u64(1) << 28;
inline constexpr u64 kFeatureEventIdx = u64(1) << 29;
inline constexpr u64 kFeatureVersion1 = u64(1) << 32;
inline constexpr u64 kFeatureAccessPlatform = u64(1) << 33;
inline constexpr u64 kFeatureRingPacked = u64(1) << 34;

// 2.7.5 The Virtqueue Descriptor Table: descriptor flags.
inline constexpr u16 kDescNext = 1;
inline constexpr u16 kDescWrite = 2;
inline constexpr u16 kDescIndirect = 4;

// 2.7.10 / 2.7.7: the device asks not to be notified.
inline constexpr u16 kUsedNoNotify = 1;
// 2.7.7: the driver asks not to be interrupted.
inline constexpr u16 kAvailNoInterrupt = 1;

// 4.2.2 / 4.1.4.5: ISR bits.
inline constexpr u32 kIsrQueue = 1;
inline constexpr u32 kIsrConfig = 2;

}  // namespace mote::virtio
