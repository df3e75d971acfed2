// What the zx_ call files share: the library's once-init, the process-wide defaults (the self
// process, its root VMAR, the default job), the configuration new address spaces get, and the
// testing-build validation run after every call that changes an address space.
#ifndef ZXVM_ZX_ZX_PRIV_H_
#define ZXVM_ZX_ZX_PRIV_H_

#include <zircon/syscalls.h>

#include "zx/handle_table.h"
#include "zx/object.h"

// Initializes the library from the environment (ZXVM_BACKEND, ZXVM_PHYS_MB, ZXVM_ASLR_BITS,
// ZXVM_ASLR_SEED) unless zxvm_init already did. Thread-safe; cheap once done. Returns ZX_OK or
// the status the initialization failed with (later calls try again).
zx_status_t kernel_ensure_init(void) WARN_UNUSED;

// The configuration of every address space the library creates.
const struct vm_aspace_config* kernel_aspace_config(void);

// The process zx_process_self() names (no new reference), or NULL before init.
struct process_dispatcher* kernel_self_process(void);

// Testing build: vm_aspace_check on |aspace| (or on every live process's address space), the
// rule "zxvm_check runs after every operation". No-ops otherwise.
void kernel_validate_aspace(struct vm_aspace* aspace);
void kernel_validate_all(void);

// vm_object_paged_read / _write for a caller's buffer. The VM copies with the VMO lock held, so a
// buffer that is itself zxvm-mapped host memory (reading a VMO into a mapping of the same VMO) is
// copied through a bounce buffer instead, touched only with no lock held. Statuses as the VM's,
// plus ZX_ERR_NO_MEMORY if the bounce buffer cannot be allocated; a transfer that fails part way
// through a bounced copy may have moved the chunks before the failure.
zx_status_t zx_vmo_read_user(struct vm_object_paged* vmo, void* buffer, uint64_t offset,
                             size_t len) WARN_UNUSED;
zx_status_t zx_vmo_write_user(struct vm_object_paged* vmo, const void* buffer, uint64_t offset,
                              size_t len) WARN_UNUSED;

// Largest transfer of zx_process_read_memory / write_memory.
#define KERNEL_MAX_DEBUG_TRANSFER ((size_t)64 << 20)

// Overflow-safe "[offset, offset + len) lies within [0, size)".
static inline bool range_within(uint64_t offset, uint64_t len, uint64_t size) {
  uint64_t end;
  return !__builtin_add_overflow(offset, len, &end) && end <= size;
}

#endif  // ZXVM_ZX_ZX_PRIV_H_
