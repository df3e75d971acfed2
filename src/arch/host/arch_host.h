// The host backend's extras beyond struct arch_aspace_ops, for tests and benchmarks (the VM core
// never includes this: it selects the backend by enum arch_backend and registers nothing itself).
// See host_aspace.c for the design.
#ifndef ZXVM_ARCH_HOST_ARCH_HOST_H_
#define ZXVM_ARCH_HOST_ARCH_HOST_H_

#include "arch/arch_aspace.h"

struct arch_host_counts {
  uint64_t host_calls;     // mmap/mprotect calls made to mirror the shadow tables
  uint64_t host_failures;  // of those, refused by the host (the range was then left unmapped)
};

// Counters of a host aspace (taken under the arch lock). |aspace| must be a host aspace.
void arch_host_get_counts(struct arch_aspace* aspace, struct arch_host_counts* out);

// Compares the host's real mappings of |aspace| (read from /proc/self/maps) with its shadow
// tables: every present shadow entry is mapped from the memory file at offset paddr -
// PMM_PADDR_BASE with exactly its permissions, and every other page of the aspace is an
// inaccessible anonymous reservation. Returns true when they agree; otherwise prints the first
// disagreement and returns false. Takes the arch lock; O(host mappings + present entries). Slow:
// for tests, not for the validators that run after every change.
bool arch_host_debug_check_host_state(struct arch_aspace* aspace);

// Faults the signal handler resolved and passed on since the process started (all aspaces).
struct arch_host_fault_counts {
  uint64_t resolved;  // the fault handler returned ZX_OK: the access was retried
  uint64_t passed;    // not a host aspace address, or the fault failed: previous disposition
};
void arch_host_get_fault_counts(struct arch_host_fault_counts* out);

// Puts zxvm's SIGSEGV/SIGBUS handler back on top if something replaced it since the last host
// aspace was created (which does this by itself), chaining to the replacement for faults that are
// not zxvm's. For programs and test harnesses (cmocka installs its own handler around every test)
// that install a handler without chaining to the previous one. ZX_ERR_INTERNAL if sigaction
// failed.
zx_status_t arch_host_fault_handler_install(void) WARN_UNUSED;

// Tests: from now on, faults the handler does not resolve go to the host's default action instead
// of the handler that was installed before zxvm's (a test harness catches SIGSEGV to report a
// failure; a forked child that must die of the fault calls this first). Not thread-safe.
void arch_host_debug_pass_faults_to_default(void);

#endif  // ZXVM_ARCH_HOST_ARCH_HOST_H_
