#include "arch/riscv64/plic.hpp"

#include "arch/arch.hpp"
#include "arch/riscv64/csr.hpp"

namespace mote::riscv {

namespace {
// Register offsets (PLIC spec, "Memory Map").
constexpr u64 kPriority = 0x0;             // + 4 * source
constexpr u64 kEnable = 0x2000;            // + 0x80 * context + 4 * (source / 32)
constexpr u64 kThreshold = 0x200000;       // + 0x1000 * context
constexpr u64 kClaim = 0x200004;           // + 0x1000 * context
constexpr u32 kMaxSources = 1023;

Plic g_plic;
}  // namespace

Result<void> Plic::init(const fdt::Fdt& fdt, fdt::Node node, u32 hart) {
    fdt::Reg regs = TRY(node.reg(0));
    fdt::Property ndev = TRY(node.property("riscv,ndev"));
    u32 sources = TRY(ndev.as_u32());
    if (sources == 0 || sources > kMaxSources) return Error::Malformed;

    // interrupts-extended lists one (controller, cause) pair per context, in
    // context order. Ours points at the hart's local interrupt controller
    // with cause 9, the S-mode external interrupt.
    auto cpu = TRY(fdt.find_node("/cpus"));
    u32 target = 0;
    for (fdt::Node c : cpu.children()) {
        if (!(c.base_name() == StringView("cpu")) || !c.is_enabled()) continue;
        auto id = c.reg(0);
        if (id.is_error() || id.value().base != hart) continue;
        auto intc = c.child("interrupt-controller");
        if (intc.ok()) target = intc.value().phandle().value_or(0);
    }
    if (target == 0) return Error::NotFound;
    usize count = TRY(node.interrupt_count());
    bool found = false;
    for (usize i = 0; i < count && !found; ++i) {
        auto irq = node.interrupt(i);
        if (irq.is_error()) continue;
        auto phandle = irq.value().controller.phandle();
        if (phandle.ok() && phandle.value() == target && irq.value().cell_count == 1 &&
            irq.value().cells[0] == kIntExternal) {
            m_context = u32(i);
            found = true;
        }
    }
    if (!found) return Error::NotFound;

    m_base = TRY(Arch::map_device(regs.base, regs.size));
    m_sources = sources;
    // Every source off for our context: a whole enable word at a time
    // (source 0 does not exist, its bit is hardwired to 0). Priorities are
    // left alone: a disabled source cannot interrupt this context whatever
    // its priority, and enable() sets it. Each register access is a trap
    // into the device model under an emulator; per-source read-modify-write
    // plus a priority store was ~300 of them here.
    for (u32 word = 0; word <= m_sources / 32; ++word) *reg(kEnable + 0x80 * u64(m_context) + 4 * u64(word)) = 0;
    // Threshold 0: every source with a priority above 0 may interrupt.
    *reg(kThreshold + 0x1000 * u64(m_context)) = 0;
    return {};
}

void Plic::set_enabled(u32 source, bool on) {
    volatile u32* word = reg(kEnable + 0x80 * u64(m_context) + 4 * (source / 32));
    u32 bit = u32(1) << (source % 32);
    *word = on ? (*word | bit) : (*word & ~bit);
}

Result<void> Plic::enable(u32 source) {
    if (source == 0 || source > m_sources) return Error::OutOfRange;
    *reg(kPriority + 4 * u64(source)) = 1;
    set_enabled(source, true);
    return {};
}

void Plic::mask(u32 source) {
    if (source != 0 && source <= m_sources) set_enabled(source, false);
}

void Plic::unmask(u32 source) {
    if (source == 0 || source > m_sources) return;
    // The loop unmasks with interrupts on, and the trap handler masks other
    // sources in the same enable word: without this, a mask could land
    // between our read and write and be undone.
    bool was_on = Arch::disable_interrupts();
    set_enabled(source, true);
    // A source that became pending while masked must interrupt now. QEMU's
    // PLIC only re-evaluates its output on claim, complete and line changes,
    // not on an enable write, so a UART byte that arrived while the console
    // was masked sat pending with nothing to wake the hart: typed input
    // stalled until some other interrupt came by. A completion for a source
    // that is not in service is harmless (the spec does not check it against
    // the last claim) and makes the PLIC look again.
    *reg(kClaim + 0x1000 * u64(m_context)) = source;
    Arch::restore_interrupts(was_on);
}

u32 Plic::claim() {
    u32 source = *reg(kClaim + 0x1000 * u64(m_context));
    return source == 0 ? kNone : source;
}

void Plic::complete(u32 source) { *reg(kClaim + 0x1000 * u64(m_context)) = source; }

Result<u32> Plic::decode(const u32* cells, u32 count) const {
    if (count != 1 || cells[0] == 0 || cells[0] > m_sources) return Error::Malformed;
    return cells[0];
}

}  // namespace mote::riscv

namespace mote {

Result<IrqController*> Arch::irq_controller(const fdt::Fdt& fdt, fdt::Node node) {
    if (!node.is_compatible("riscv,plic0") && !node.is_compatible("sifive,plic-1.0.0")) return Error::NotFound;
    TRY(riscv::g_plic.init(fdt, node, fdt.boot_cpuid()));
    return static_cast<IrqController*>(&riscv::g_plic);
}

}  // namespace mote
