// Ordering between the CPU's writes to shared rings and the device.
//
// The split-ring protocol (virtio 1.2, 2.7.13) needs three orderings:
//   * descriptors and ring entries are visible before the index that
//     publishes them (the driver's release, "wmb"),
//   * the device's used index is read before the used elements it covers
//     (the driver's acquire, "rmb"),
//   * the published avail index is visible before the notification register
//     write, which is device memory (a full barrier including I/O, "mb").
// QEMU virt DMA is coherent, so these are ordering fences, not cache
// maintenance.
#pragma once

namespace mote::virtio {

inline void dma_wmb() {
#if defined(__riscv)
    asm volatile("fence w, w" ::: "memory");
#elif defined(__aarch64__)
    asm volatile("dmb oshst" ::: "memory");
#else
    __atomic_thread_fence(__ATOMIC_RELEASE);
#endif
}

inline void dma_rmb() {
#if defined(__riscv)
    asm volatile("fence r, r" ::: "memory");
#elif defined(__aarch64__)
    asm volatile("dmb oshld" ::: "memory");
#else
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
#endif
}

inline void io_mb() {
#if defined(__riscv)
    asm volatile("fence iorw, iorw" ::: "memory");
#elif defined(__aarch64__)
    asm volatile("dsb sy" ::: "memory");
#else
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

}  // namespace mote::virtio
