// The soft backend's page-table format: x86-64 4-level paging (PML4 -> PDPT -> PD -> PT), 512
// 8-byte entries per 4 KiB table, tables kept in pmm pages (state VM_PAGE_STATE_MMU) and reached
// through the physmap. Shared by soft_aspace.c (table management) and soft_cpu.c (the walker).
//
// Entry bits: present (0), write (1), user (2), accessed (5), dirty (6, leaves only), the cache
// policy in the software-available bits 9..10, the physical address in bits 12..51, no-execute
// (63). Upper-level entries are always present|write|user (plus accessed): permission is decided
// at the leaf. Only 4 KiB leaves exist (no large pages).
#ifndef ZXVM_ARCH_SOFT_SOFT_PTE_H_
#define ZXVM_ARCH_SOFT_SOFT_PTE_H_

#include "arch/arch_aspace_priv.h"
#include "pmm/pmm.h"

typedef uint64_t pte_t;

#define PTE_P ((pte_t)1 << 0)
#define PTE_W ((pte_t)1 << 1)
#define PTE_U ((pte_t)1 << 2)
#define PTE_A ((pte_t)1 << 5)
#define PTE_D ((pte_t)1 << 6)
#define PTE_CACHE_SHIFT 9
#define PTE_CACHE_MASK ((pte_t)3 << PTE_CACHE_SHIFT)
#define PTE_NX ((pte_t)1 << 63)
#define PTE_ADDR_MASK ((pte_t)0x000ffffffffff000ull)
#define PTE_UPPER_FLAGS (PTE_P | PTE_W | PTE_U)

#define SOFT_ENTRIES 512u
#define SOFT_LEVELS 4
#define SOFT_TOP_LEVEL 3  // PML4; level 0 is the last-level table (PT)

// The soft backend's aspace. Legend as struct arch_aspace: (c) constant, (L) arch lock.
struct soft_aspace {
  struct arch_aspace common;  // first: the common part
  struct vm_page* root_page;  // (c) the PML4
  pte_t* root;                // (c) its physmap address
};

static inline struct soft_aspace* soft_from_common(struct arch_aspace* a) {
  return containerof(a, struct soft_aspace, common);
}

// Bytes covered by one entry of a table at |level|.
static inline unsigned soft_entry_shift(int level) {
  return PAGE_SIZE_SHIFT + 9u * (unsigned)level;
}
static inline unsigned soft_index(vaddr_t va, int level) {
  return (unsigned)((va >> soft_entry_shift(level)) & (SOFT_ENTRIES - 1));
}
static inline pte_t* soft_table_of(pte_t entry) {
  return (pte_t*)paddr_to_physmap((paddr_t)(entry & PTE_ADDR_MASK));
}

// The soft tables of an aspace embedded in another backend's struct (the host backend keeps them as
// its shadow): arch_soft_aspace_init allocates the root table of |sa| (zeroed, common part not yet
// filled in; ZX_ERR_NO_MEMORY), arch_soft_aspace_fini unmaps whatever is left and frees every table
// page, the root included. The memory of |sa| stays the caller's.
zx_status_t arch_soft_aspace_init(struct soft_aspace* sa) WARN_UNUSED;
void arch_soft_aspace_fini(struct soft_aspace* sa);

// White-box accessor for tests: the raw leaf entry mapping |va| (0 when absent or outside the
// aspace). Takes the arch lock.
pte_t arch_soft_debug_leaf_entry(struct arch_aspace* aspace, vaddr_t va);

#endif  // ZXVM_ARCH_SOFT_SOFT_PTE_H_
