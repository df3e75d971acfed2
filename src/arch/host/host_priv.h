// Internals of the host backend shared by its two files: host_aspace.c (the ops: soft shadow
// tables mirrored to real mappings) and host_fault.c (the SIGSEGV handler and the registry of
// live host aspaces it searches).
#ifndef ZXVM_ARCH_HOST_HOST_PRIV_H_
#define ZXVM_ARCH_HOST_HOST_PRIV_H_

#include "arch/host/arch_host.h"
#include "arch/soft/soft_pte.h"

// A host aspace. Legend as struct arch_aspace: (c) constant after create, (L) the arch lock.
struct host_aspace {
  struct soft_aspace shadow;  // first: the soft ops run on it unchanged (ops->soft_layout)
  int fd;                     // (c) the pmm's memory file (pmm_arena_fd() at create)
  unsigned slot;              // (c) registry slot (host_registry_add)
  uint64_t host_calls;        // (L) mmap/mprotect calls made to mirror the shadow
  uint64_t host_failures;     // (L) mirror calls the host refused (ENOMEM: max_map_count)
};

static inline struct host_aspace* host_from_common(struct arch_aspace* a) {
  return containerof(a, struct host_aspace, shadow.common);
}

// Bumped (relaxed) by every mirror call that changed host mappings; read by the signal handler's
// livelock guard.
extern uint64_t host_mirror_generation;

// The signal handler's fast path for a page trapped by an accessed-bit harvest: if the shadow
// entry at |va| is present and allows the access |pf_flags| (VMM_PF_FLAG_*), gives the host
// mapping its permissions back, marks the entry accessed and returns true. Takes the arch lock.
bool arch_host_fault_untrap(struct arch_aspace* a, vaddr_t va, uint32_t pf_flags);

// Puts the SIGSEGV/SIGBUS handler on top unless it is there already (called at every host aspace
// creation). ZX_ERR_INTERNAL if sigaction failed.
zx_status_t host_fault_install(void) WARN_UNUSED;

// The registry: a fixed array of slots, searched lock-free by the signal handler.
// host_registry_add publishes |a| covering [|base|, |last|] and returns its slot in |*slot|
// (ZX_ERR_NO_RESOURCES when every slot is taken). host_registry_remove unpublishes it and waits
// until no signal handler is still using it; after it returns no handler will call into |a|.
zx_status_t host_registry_add(struct arch_aspace* a, vaddr_t base, vaddr_t last,
                              unsigned* slot) WARN_UNUSED;
void host_registry_remove(unsigned slot);

#endif  // ZXVM_ARCH_HOST_HOST_PRIV_H_
