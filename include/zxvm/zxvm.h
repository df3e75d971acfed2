// zxvm's own API, next to the Fuchsia zx_ calls of <zircon/syscalls.h>: library initialization,
// simulated user-mode accesses through a process's address space, diagnostics (dump, invariant
// checker) and statistics.
#ifndef ZXVM_ZXVM_H_
#define ZXVM_ZXVM_H_

#include <stdint.h>
#include <stdio.h>
#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

#ifndef ZXVM_API
#define ZXVM_API __attribute__((visibility("default")))
#endif

// How page tables are given life (see DESIGN.md, "Backends").
typedef uint32_t zxvm_backend_t;
// The host backend where it is built, else the soft one.
#define ZXVM_BACKEND_DEFAULT ((zxvm_backend_t)0)
// x86-64 page tables in simulated physical memory, walked by a simulated CPU.
#define ZXVM_BACKEND_SOFT ((zxvm_backend_t)1)
// Real host mappings (Linux); ZX_ERR_NOT_SUPPORTED where not built.
#define ZXVM_BACKEND_HOST ((zxvm_backend_t)2)

typedef struct zxvm_config {
  zxvm_backend_t backend;
  // Simulated physical memory in bytes; 0 = ZXVM_PHYS_MB from the environment, else 1 GiB.
  uint64_t phys_mem_bytes;
  // Address-space layout randomization: bits of placement entropy (at most 36); 0 turns ASLR
  // off (placements are then first-fit and reproducible).
  uint32_t aslr_entropy_bits;
  uint32_t reserved0;
  // Seed of the placement generator; 0 = from host entropy.
  uint64_t aslr_seed;
} zxvm_config_t;

// Initializes the library. Optional: without it the first zx_ call initializes from the
// environment (ZXVM_BACKEND=soft|host, ZXVM_PHYS_MB, ZXVM_ASLR_BITS, ZXVM_ASLR_SEED; defaults:
// the default backend, 1 GiB, 30 bits of entropy, a random seed). |config| NULL = those defaults.
// Returns ZX_OK; ZX_ERR_BAD_STATE if the library is already initialized; ZX_ERR_INVALID_ARGS
// for an unknown backend or entropy above 36; ZX_ERR_NOT_SUPPORTED for a backend not built;
// ZX_ERR_NO_MEMORY. Thread-safe.
ZXVM_API zx_status_t zxvm_init(const zxvm_config_t* config);

// Simulated user-mode accesses by the CPU of |process|: protections are honoured and faults are
// resolved as Zircon would (pager waits included). ZX_OK, or the page-fault status Zircon
// reports: ZX_ERR_NOT_FOUND (nothing mapped), ZX_ERR_ACCESS_DENIED (protection),
// ZX_ERR_OUT_OF_RANGE (beyond the VMO), or a pager's failure. Bytes before the faulting page may
// already have been transferred. ZX_ERR_BAD_HANDLE / ZX_ERR_WRONG_TYPE for a bad |process|;
// ZX_ERR_INVALID_ARGS for a NULL buffer with a non-zero |len|.
ZXVM_API zx_status_t zxvm_user_read(zx_handle_t process, zx_vaddr_t va, void* buffer, size_t len);
ZXVM_API zx_status_t zxvm_user_write(zx_handle_t process, zx_vaddr_t va, const void* buffer,
                                     size_t len);
// An instruction fetch at |va|.
ZXVM_API zx_status_t zxvm_user_fetch(zx_handle_t process, zx_vaddr_t va);

// Prints the address-space tree of |process| (VMARs, mappings, protection runs, VMOs) to |out|.
ZXVM_API zx_status_t zxvm_dump(zx_handle_t process, FILE* out);

// Runs the invariant checker on |process|'s address space and its VMOs. Returns ZX_OK or panics
// at the first broken invariant; ZX_ERR_BAD_HANDLE / ZX_ERR_WRONG_TYPE for a bad handle.
ZXVM_API zx_status_t zxvm_check(zx_handle_t process);

typedef struct zxvm_stats {
  // Physical memory manager.
  uint64_t pmm_total_pages;
  uint64_t pmm_free_pages;
  uint64_t pmm_object_pages;  // owned by VMOs
  uint64_t pmm_mmu_pages;     // page tables
  uint64_t pmm_wired_pages;
  // Page faults, all live processes together.
  uint64_t faults;
  uint64_t faults_not_found;
  uint64_t faults_access_denied;
  uint64_t faults_out_of_range;
  uint64_t faults_retried;
  uint64_t fault_pages_mapped;  // pages installed by faults
  // Present page-table entries, all live processes together.
  uint64_t pages_mapped;
  // Pages copied by copy-on-write (a page moved to its last sharer is not a copy), and page
  // requests (READ and DIRTY) sent to pagers.
  uint64_t cow_copies;
  uint64_t pager_requests;
  // Objects.
  uint64_t handles;
  uint64_t processes;
} zxvm_stats_t;

// Fills |stats|. ZX_ERR_INVALID_ARGS for NULL.
ZXVM_API zx_status_t zxvm_get_stats(zxvm_stats_t* stats);

__END_CDECLS

#endif  // ZXVM_ZXVM_H_
