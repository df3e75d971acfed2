// An address space (Zircon's VmAspace): the arch page tables, the root VMAR, the two locks every
// VMAR and mapping of the space shares, ASLR state, the last-fault cache and the fault entry
// points. Also the simulated CPU accesses (user read/write/fetch) that walk the page tables and
// fault through this aspace.
//
// Locking: region lock (R, rank LOCK_RANK_REGION) then aspace lock (A, LOCK_RANK_ASPACE); then VMO
// locks. The fault path takes A only to look the mapping up, then runs under the VMO lock alone.
//
// Main invariants: while the aspace is not destroyed, root_vmar is ALIVE; last_fault is NULL or an
// ALIVE mapping of this aspace; every present page-table entry lies inside an ALIVE mapping.
#ifndef ZXVM_VM_VM_ASPACE_H_
#define ZXVM_VM_VM_ASPACE_H_

#include <stdatomic.h>

#include "arch/arch_aspace.h"
#include "base/mutex.h"
#include "base/printer.h"
#include "base/prng.h"
#include "vm/vm_address_region.h"

// Zircon's x86-64 user address-space layout.
#define USER_ASPACE_BASE ((vaddr_t)0x0000000000200000ull)
#define USER_ASPACE_SIZE ((size_t)((1ull << 47) - 4096 - USER_ASPACE_BASE))

#define VM_ASPACE_MAGIC ZXVM_MAGIC('V', 'A', 'S', 'P')

// Default ASLR entropy (bits of page-granular placement randomness), capped at 36 as Zircon does.
#define VM_ASPACE_DEFAULT_ASLR_ENTROPY_BITS 30u
#define VM_ASPACE_MAX_ASLR_ENTROPY_BITS 36u

// A host-backend aspace is a real reservation in this process, so it cannot sit at Zircon's fixed
// USER_ASPACE_BASE: with base 0 the host places it (vm_aspace.base then says where), and size 0
// reserves VM_ASPACE_HOST_DEFAULT_SIZE.
#define VM_ASPACE_HOST_DEFAULT_SIZE ((size_t)64 << 30)

struct vm_aspace_config {
  enum arch_backend backend;
  vaddr_t base;  // 0 = USER_ASPACE_BASE (host: wherever the host reserves the range)
  size_t size;   // 0 = USER_ASPACE_SIZE (host: VM_ASPACE_HOST_DEFAULT_SIZE)
  bool aslr_enabled;
  unsigned aslr_entropy_bits;          // used when aslr_enabled
  unsigned aslr_compact_entropy_bits;  // for ZX_VM_COMPACT placements (Zircon: 0 by default)
  uint64_t aslr_seed;                  // 0 = seed from platform entropy
};

// Fault statistics (a): incremented without locks.
struct vm_aspace_stats {
  _Atomic uint64_t faults;            // PageFault entries
  _Atomic uint64_t faults_not_found;  // no mapping at the address
  _Atomic uint64_t faults_denied;     // protection
  _Atomic uint64_t faults_out_of_range;
  _Atomic uint64_t faults_retried;  // ZX_ERR_UNAVAILABLE / ZX_ERR_SHOULD_WAIT retries
  _Atomic uint64_t pages_mapped;    // pages installed by faults (optimistic ones included)
};

struct vm_aspace {
  uint32_t magic;                       // (c)
  _Atomic uint32_t refcount;            // (a)
  char name[ZX_MAX_NAME_LEN];           // (c)
  vaddr_t base;                         // (c)
  size_t size;                          // (c)
  struct mutex region_lock;             // R
  struct mutex lock;                    // A
  struct arch_aspace* arch;             // (c) the page tables
  struct vm_address_region* root_vmar;  // (R+A) one reference; NULL once destroyed
  struct vm_mapping* last_fault;        // (A) cache; cleared by the mapping when it dies
  bool destroyed;                       // (R+A)
  bool aslr_enabled;                    // (c)
  unsigned aslr_entropy_bits;           // (c)
  unsigned aslr_compact_entropy_bits;   // (c)
  struct prng aslr_prng;                // (A)
  struct vm_aspace_stats stats;         // (a)
};

// Creates an address space with its page tables and root VMAR (which can map anything:
// CAN_MAP_READ|WRITE|EXECUTE|SPECIFIC). |config| NULL = soft backend, user layout, ASLR off.
// The aspace and its root VMAR cover the arch aspace's range (for the host backend, the range the
// host chose: read it from |aspace->base|/|size|), and the arch aspace's fault handler is set to
// vm_aspace_page_fault on this aspace.
// ZX_ERR_NO_MEMORY, ZX_ERR_INVALID_ARGS (bad range or entropy), ZX_ERR_NOT_SUPPORTED (backend not
// built). The caller owns one reference.
zx_status_t vm_aspace_create(const struct vm_aspace_config* config, const char* name,
                             struct vm_aspace** out) WARN_UNUSED;
void vm_aspace_acquire(struct vm_aspace* aspace);
void vm_aspace_release(struct vm_aspace* aspace);
// Tears the address space down: destroys the root VMAR and everything in it, then frees the page
// tables (they are empty by then). Idempotent: a second call returns ZX_OK.
// Note (vm_aspace.c): the emptied arch aspace itself (its root table page) is freed with the last
// reference, not here, so a simulated access racing with destroy never walks freed tables.
zx_status_t vm_aspace_destroy(struct vm_aspace* aspace) WARN_UNUSED;
// The root VMAR with a new reference, or NULL once destroyed.
struct vm_address_region* vm_aspace_root_vmar(struct vm_aspace* aspace);

// Resolves a fault at |va| (VmAspace::PageFault): |pf_flags| are VMM_PF_FLAG_*. ZX_OK, or the
// status Zircon reports: ZX_ERR_NOT_FOUND (nothing mapped), ZX_ERR_ACCESS_DENIED (protection),
// ZX_ERR_OUT_OF_RANGE (beyond the VMO), ZX_ERR_NO_MEMORY, or a pager's failure. Must be called
// with no lock held; waits (pager) happen inside.
zx_status_t vm_aspace_page_fault(struct vm_aspace* aspace, vaddr_t va,
                                 uint32_t pf_flags) WARN_UNUSED;
// Faults in every page of [|va|, |va|+|len|) with |pf_flags| (SoftFaultInRange): the explicit
// range disables optimistic mapping. ZX_ERR_OUT_OF_RANGE if the range wraps.
zx_status_t vm_aspace_soft_fault_in_range(struct vm_aspace* aspace, vaddr_t va, uint32_t pf_flags,
                                          size_t len) WARN_UNUSED;

// The mapping containing |va| at any depth (aspace or region lock held), or NULL.
struct vm_mapping* vm_aspace_find_mapping_locked(struct vm_aspace* aspace, vaddr_t va);

// Simulated CPU access (soft backend): reads, writes or fetches through the page tables as the
// hardware would, faulting through vm_aspace_page_fault on a miss or violation and retrying.
// Returns ZX_OK or the fault's status. |access| is ARCH_ACCESS_READ/WRITE/EXECUTE (USER implied).
// On failure the bytes before the faulting page may already have been transferred.
zx_status_t vm_aspace_user_access(struct vm_aspace* aspace, vaddr_t va, void* buf, size_t len,
                                  uint32_t access) WARN_UNUSED;

// zxvm_check: validates every invariant of the address space (VMAR tree, mappings, their VMOs,
// each present PTE against the mapping and VMO, page-table accounting, pmm counters). Panics on
// the first violation. Takes the region and aspace locks.
void vm_aspace_check(struct vm_aspace* aspace);

// A snapshot of the fault statistics and the page-table counters, for the zx layer.
struct vm_aspace_counts {
  uint64_t faults;
  uint64_t faults_not_found;
  uint64_t faults_denied;
  uint64_t faults_out_of_range;
  uint64_t faults_retried;
  uint64_t fault_pages_mapped;  // pages installed by faults
  uint64_t present_entries;     // page-table entries present now
  uint64_t table_pages;         // page-table pages held
};
void vm_aspace_get_counts(struct vm_aspace* aspace, struct vm_aspace_counts* out);

// The aspace's range and name, for reports.
vaddr_t vm_aspace_base(const struct vm_aspace* aspace);
size_t vm_aspace_size(const struct vm_aspace* aspace);
const char* vm_aspace_name(const struct vm_aspace* aspace);

// Walks the whole tree under the aspace lock (vm_address_region_enumerate_locked from the root
// VMAR, which is at depth 0). ZX_ERR_BAD_STATE once the aspace is destroyed; otherwise what the
// walk returns. |fn| runs with the aspace lock held: it may take VMO locks, not aspace locks.
zx_status_t vm_aspace_enumerate(struct vm_aspace* aspace, vm_region_enum_fn fn,
                                void* ctx) WARN_UNUSED;

// True when the caller's buffer [|p|, |p|+|len|) is (partly) memory a host-backend aspace maps:
// touching it may fault into the VM, so it must never be touched with a VM lock held (copy
// through a bounce buffer instead). Lock-free.
bool vm_buffer_in_mapped_memory(const void* p, size_t len);

// Prints the whole tree (VMARs, mappings, protection runs, VMOs).
void vm_aspace_dump(struct vm_aspace* aspace, bool verbose, const struct printer* out);

// Internal helpers for the VM core.
// Picks a free spot for |size| bytes in |vmar| (ASLR when enabled and !compact). Aspace lock held.
zx_status_t vm_aspace_alloc_spot_locked(struct vm_aspace* aspace, struct vm_address_region* vmar,
                                        uint8_t align_pow2, size_t size, bool compact,
                                        vaddr_t upper_limit, vaddr_t* out) WARN_UNUSED;

#endif  // ZXVM_VM_VM_ASPACE_H_
