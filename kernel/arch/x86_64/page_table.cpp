#include "arch/x86_64/page_table.hpp"

namespace mote::x86 {

namespace {
alignas(4096) u8 g_pool_pages[kPoolPages][4096];
arch::TablePool g_pool;
PageTables g_tables;
}  // namespace

PageTables& kernel_page_tables() { return g_tables; }
arch::TablePool& page_table_pool() { return g_pool; }

u64 page_table_pool_phys() { return reinterpret_cast<u64>(&g_pool_pages[0][0]) - kKernelOffset; }

}  // namespace mote::x86
