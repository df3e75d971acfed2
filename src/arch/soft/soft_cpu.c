// The simulated CPU: one memory access through the soft backend's page tables, as an x86-64 MMU
// with CR0.WP and EFER.NXE set and no SMAP/SMEP performs it. This is the load/store path of every
// simulated access, so it allocates nothing and takes the arch lock once.
//
// Why the lock and not a lock-free walk: an unmap may free a table page while a walker is inside
// it, and the page may be reused at once by the pmm. A lock-free walk would need deferred freeing
// of table pages (epochs); the uncontended lock costs a few tens of nanoseconds (bench/arch_bench)
// and keeps the accessed/dirty updates simple.
#include <string.h>

#include "arch/soft/soft_pte.h"
#include "pmm/pmm.h"

#define ACCESS_KIND_MASK (ARCH_ACCESS_READ | ARCH_ACCESS_WRITE | ARCH_ACCESS_EXECUTE)

static uint32_t pf_flags_of(uint32_t access) {
  uint32_t pf = VMM_PF_FLAG_HW_FAULT;
  if (access & ARCH_ACCESS_WRITE) pf |= VMM_PF_FLAG_WRITE;
  if (access & ARCH_ACCESS_USER) pf |= VMM_PF_FLAG_USER;
  if (access & ARCH_ACCESS_EXECUTE) pf |= VMM_PF_FLAG_INSTRUCTION;
  return pf;
}

// The page walk of one access, arch lock held: on success sets accessed (and dirty on a write)
// like hardware and returns ZX_OK with the physical address; otherwise ZX_ERR_NOT_FOUND with the
// fault flags the hardware would report in |*pf_out|.
static zx_status_t soft_walk_locked(struct arch_aspace* aspace, vaddr_t va, uint32_t access,
                                    paddr_t* pa_out, uint32_t* pf_out) {
  struct soft_aspace* sa = soft_from_common(aspace);
  // Every entry on the walk must have these; no-execute is checked separately.
  pte_t need = PTE_P;
  if (access & ARCH_ACCESS_USER) need |= PTE_U;
  if (access & ARCH_ACCESS_WRITE) need |= PTE_W;
  pte_t forbid = (access & ARCH_ACCESS_EXECUTE) ? PTE_NX : 0;
  uint32_t pf = pf_flags_of(access);
  pte_t* walked[SOFT_LEVELS];
  if (va < aspace->base || va > aspace->last) {
    *pf_out = pf | VMM_PF_FLAG_NOT_PRESENT;
    aspace->counts.faults++;
    return ZX_ERR_NOT_FOUND;
  }
  pte_t* table = sa->root;
  pte_t e = 0;
  for (int level = SOFT_TOP_LEVEL; level >= 0; level--) {
    pte_t* slot = &table[soft_index(va, level)];
    e = *slot;
    if (!(e & PTE_P)) pf |= VMM_PF_FLAG_NOT_PRESENT;
    if (!(e & PTE_P) || (e & need) != need || (e & forbid) != 0) {
      *pf_out = pf;
      aspace->counts.faults++;
      return ZX_ERR_NOT_FOUND;
    }
    walked[level] = slot;
    if (level > 0) table = soft_table_of(e);
  }
  // Success: the hardware sets accessed on every entry it used, dirty on the leaf of a write.
  for (int level = 0; level < SOFT_LEVELS; level++) {
    if (!(*walked[level] & PTE_A)) *walked[level] |= PTE_A;
  }
  if ((access & ARCH_ACCESS_WRITE) && !(e & PTE_D)) *walked[0] |= PTE_D;
  aspace->counts.translations++;
  *pa_out = (paddr_t)(e & PTE_ADDR_MASK) | (va & PAGE_MASK);
  return ZX_OK;
}

static zx_status_t check_access(struct arch_aspace* aspace, uint32_t access) {
  ZX_DEBUG_ASSERT_MAGIC(aspace, ARCH_ASPACE_MAGIC);
  uint32_t kind = access & ACCESS_KIND_MASK;
  if ((access & ~(ACCESS_KIND_MASK | ARCH_ACCESS_USER)) != 0 || kind == 0 ||
      (kind & (kind - 1)) != 0) {
    return ZX_ERR_INVALID_ARGS;
  }
  return aspace->ops->soft_layout ? ZX_OK : ZX_ERR_NOT_SUPPORTED;
}

zx_status_t arch_soft_translate(struct arch_aspace* aspace, vaddr_t va, uint32_t access,
                                paddr_t* out_pa, uint32_t* out_pf_flags) {
  zx_status_t status = check_access(aspace, access);
  if (status != ZX_OK) return status;
  paddr_t pa = 0;
  uint32_t pf = 0;
  mutex_lock(&aspace->lock);
  status = soft_walk_locked(aspace, va, access, &pa, &pf);
  mutex_unlock(&aspace->lock);
  if (status == ZX_OK && out_pa) *out_pa = pa;
  if (status != ZX_OK && out_pf_flags) *out_pf_flags = pf;
  return status;
}

zx_status_t arch_soft_access(struct arch_aspace* aspace, vaddr_t va, uint32_t access, void* buf,
                             size_t len, uint32_t* out_pf_flags) {
  zx_status_t status = check_access(aspace, access);
  if (status != ZX_OK) return status;
  ZX_DEBUG_ASSERT(len <= PAGE_SIZE - (va & PAGE_MASK));
  paddr_t pa = 0;
  uint32_t pf = 0;
  mutex_lock(&aspace->lock);
  status = soft_walk_locked(aspace, va, access, &pa, &pf);
  if (status == ZX_OK && buf != NULL && len > 0) {
    // The copy happens under the same lock as the walk: a protect or unmap of this entry (the
    // software TLB shootdown) waits for the access in flight, as real hardware's does.
    if (access & ARCH_ACCESS_WRITE) {
      memcpy(paddr_to_physmap(pa), buf, len);
    } else {
      memcpy(buf, paddr_to_physmap(pa), len);
    }
  }
  mutex_unlock(&aspace->lock);
  if (status != ZX_OK && out_pf_flags) *out_pf_flags = pf;
  return status;
}

pte_t arch_soft_debug_leaf_entry(struct arch_aspace* aspace, vaddr_t va) {
  ZX_ASSERT(aspace->ops == &arch_soft_ops);
  pte_t result = 0;
  mutex_lock(&aspace->lock);
  if (va >= aspace->base && va <= aspace->last) {
    pte_t* table = soft_from_common(aspace)->root;
    for (int level = SOFT_TOP_LEVEL; level >= 0; level--) {
      pte_t e = table[soft_index(va, level)];
      if (!(e & PTE_P)) break;
      if (level == 0)
        result = e;
      else
        table = soft_table_of(e);
    }
  }
  mutex_unlock(&aspace->lock);
  return result;
}
