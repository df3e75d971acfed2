// The common part of every backend's arch aspace, shared by src/arch/arch_aspace.c and the
// backends under src/arch/. Never included by the VM core (it sees only arch_aspace.h).
#ifndef ZXVM_ARCH_ARCH_ASPACE_PRIV_H_
#define ZXVM_ARCH_ARCH_ASPACE_PRIV_H_

#include "arch/arch_aspace.h"
#include "base/mutex.h"

#define ARCH_ASPACE_MAGIC ZXVM_MAGIC('A', 'R', 'C', 'H')

// Legend: (c) constant after create; (L) the arch lock |lock|; (a) atomic.
struct arch_aspace {
  uint32_t magic;                     // (c) ARCH_ASPACE_MAGIC
  enum arch_backend backend;          // (c)
  const struct arch_aspace_ops* ops;  // (c)
  vaddr_t base;                       // (c)
  size_t size;                        // (c)
  vaddr_t last;                       // (c) base + size - 1 (the aspace may end at 2^64)
  uint32_t flags;                     // (c) ARCH_ASPACE_FLAG_*
  struct mutex lock;                  // the arch lock, rank LOCK_RANK_ARCH
  arch_accessed_fn accessed_hook;     // (L)
  arch_fault_fn fault_fn;             // (a) set once before the first map (host backend)
  void* fault_ctx;                    // (a) published with fault_fn (release/acquire)
  void* accessed_ctx;                 // (L)
  struct arch_aspace_counts counts;   // (L) kept by the backend
};

// Adds |delta| to |aspace|'s table-page counter and to the global one. Arch lock held.
void arch_account_table_pages(struct arch_aspace* aspace, int64_t delta);

// The soft backend's ops (src/arch/soft/soft_aspace.c).
extern const struct arch_aspace_ops arch_soft_ops;

#endif  // ZXVM_ARCH_ARCH_ASPACE_PRIV_H_
