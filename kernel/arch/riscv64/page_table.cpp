#include "arch/riscv64/page_table.hpp"

#include "arch/runtime_address.hpp"

namespace mote::riscv {

namespace {
alignas(4096) u8 g_pool_pages[kPoolPages][4096];
arch::TablePool g_pool;
PageTables g_tables;
}  // namespace

PageTables& kernel_page_tables() { return g_tables; }
arch::TablePool& page_table_pool() { return g_pool; }
u64 page_table_pool_address() { return arch::runtime_address(&g_pool_pages[0][0]); }

}  // namespace mote::riscv
