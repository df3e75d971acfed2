// The page-table contract: the one interface through which the VM core (src/vm) installs,
// changes, queries and removes hardware translations. The core never sees a page-table entry; it
// speaks in (virtual address, physical address, ARCH_MMU_FLAG_*) triples. Each backend
// (struct arch_aspace_ops) keeps the translations its own way: the soft backend (src/arch/soft/)
// in x86-64 4-level page tables made of pmm pages, walked by a simulated CPU; the host backend
// (src/arch/host/) as real mappings of a memfd in this process, with the soft tables kept beside
// them as the shadow that answers every query.
//
// Main invariant: after any call returns, every present translation in the aspace lies inside
// [base, base + size), was installed by arch_aspace_map or arch_aspace_map_contiguous with a valid
// flag set, and the backend's bookkeeping (page-table pages, present-entry count) is exact.
// Out-of-memory never leaves a half-done change: a failed map changes nothing.
//
// Locking: each arch aspace has its own mutex, lock class rank LOCK_RANK_ARCH (38). It is taken
// by every function below (none of them requires it on entry, none holds it on exit) and may be
// taken while holding region, aspace, VMO or pager locks. Under it the backend allocates and frees
// page-table pages from the pmm (rank 40). Callbacks (the accessed hook, harvest and
// check_entries callbacks) run with the arch lock held: they must not call back into the same
// arch aspace and may take only locks ranked above LOCK_RANK_ARCH (pmm, leaf locks).
#ifndef ZXVM_ARCH_ARCH_ASPACE_H_
#define ZXVM_ARCH_ARCH_ASPACE_H_

#include "arch/fault_flags.h"
#include "base/assert.h"

// MMU flags (Zircon's ARCH_MMU_FLAG_*, values as in the kernel).
typedef uint32_t arch_mmu_flags_t;
#define ARCH_MMU_FLAG_CACHED 0x00u
#define ARCH_MMU_FLAG_UNCACHED 0x01u
#define ARCH_MMU_FLAG_UNCACHED_DEVICE 0x02u
#define ARCH_MMU_FLAG_WRITE_COMBINING 0x03u
#define ARCH_MMU_FLAG_CACHE_MASK 0x03u
#define ARCH_MMU_FLAG_PERM_USER 0x04u
#define ARCH_MMU_FLAG_PERM_READ 0x08u
#define ARCH_MMU_FLAG_PERM_WRITE 0x10u
#define ARCH_MMU_FLAG_PERM_EXECUTE 0x20u
#define ARCH_MMU_FLAG_PERM_RWX_MASK 0x38u
#define ARCH_MMU_FLAG_NS 0x40u
#define ARCH_MMU_FLAG_INVALID 0x80u

// What arch_aspace_map does with an entry that is already present.
enum arch_existing_entry_action {
  // Leave the existing entry exactly as it is; map the absent ones.
  ARCH_EXISTING_ENTRY_SKIP,
  // Fail the whole call with ZX_ERR_ALREADY_EXISTS, changing nothing.
  ARCH_EXISTING_ENTRY_ERROR,
  // Existing entry with a different paddr: replaced by the new paddr and flags (accessed/dirty
  // cleared). Same paddr: permissions become the union of old and new (write may be added,
  // nothing is ever removed), cache policy the new one.
  ARCH_EXISTING_ENTRY_UPGRADE,
};

// arch_aspace_unmap / arch_aspace_protect options (Zircon's ArchUnmapOptions).
#define ARCH_UNMAP_OPTION_NONE 0u
// The implementation may unmap a larger, aligned range (user aspaces only). The soft backend
// treats it as a hint and unmaps exactly the range asked.
#define ARCH_UNMAP_OPTION_ENLARGE (1u << 0)
// Report every entry whose accessed bit is set to the aspace's accessed hook before clearing it.
#define ARCH_UNMAP_OPTION_HARVEST (1u << 1)

// arch_aspace_create flags.
#define ARCH_ASPACE_FLAG_KERNEL 0u
#define ARCH_ASPACE_FLAG_USER (1u << 0)

// Simulated CPU access kinds for arch_soft_translate: exactly one of READ/WRITE/EXECUTE, plus
// USER for an access made in user mode.
#define ARCH_ACCESS_READ (1u << 0)
#define ARCH_ACCESS_WRITE (1u << 1)
#define ARCH_ACCESS_EXECUTE (1u << 2)
#define ARCH_ACCESS_USER (1u << 3)

enum arch_backend {
  ARCH_BACKEND_SOFT = 0,  // x86-64 page tables in pmm pages, simulated CPU (src/arch/soft/)
  ARCH_BACKEND_HOST = 1,  // real host mappings (src/arch/host/), registered when built
  ARCH_BACKEND_COUNT_,
};

// Accessed-page hook: called for each present entry whose accessed bit was set when it is
// cleared by an unmap with ARCH_UNMAP_OPTION_HARVEST or by arch_aspace_free_unaccessed, and the
// callback type of arch_aspace_harvest_accessed. Runs under the arch lock (see above).
typedef void (*arch_accessed_fn)(void* ctx, paddr_t pa, vaddr_t va);
// Leaf-entry enumeration callback for arch_aspace_check_entries. Runs under the arch lock.
typedef void (*arch_entry_fn)(void* ctx, vaddr_t va, paddr_t pa, arch_mmu_flags_t flags);
// Hardware fault handler (arch_aspace_set_fault_handler): resolves a fault that real hardware
// reported at |va| with |pf_flags| (VMM_PF_FLAG_*). Returns ZX_OK when the access may be retried.
// Called with no lock held (host backend: from its signal handler, on the faulting thread).
typedef zx_status_t (*arch_fault_fn)(void* ctx, vaddr_t va, uint32_t pf_flags);

struct arch_aspace;

struct arch_aspace_counts {
  uint64_t table_pages;      // page-table pages held, the root table included
  uint64_t present_entries;  // present leaf (4 KiB) entries
  uint64_t tlb_flushes;      // invalidation requests: one per call that changed or removed a
                             // present entry (unmap, protect, upgrade, harvest, free-unaccessed)
  uint64_t translations;     // successful arch_soft_translate calls
  uint64_t faults;           // arch_soft_translate calls that reported a fault
};

// Creates an arch aspace of |backend| covering [|base|, |base| + |size|). |flags| is
// ARCH_ASPACE_FLAG_USER or ARCH_ASPACE_FLAG_KERNEL. The range must be page aligned, non-empty and
// lie inside one canonical half of the 48-bit x86-64 address space (below 2^47, or at or above
// 0xffff800000000000; a range may end exactly at 2^64).
// ARCH_BACKEND_HOST: the range is a real reservation in this process. |base| 0 lets the host
// choose where (read it back with arch_aspace_base); a non-zero |base| must be free in this process
// (else ZX_ERR_NO_RESOURCES). The pmm must have a PMM_ARENA_SHARED arena (else
// ZX_ERR_NOT_SUPPORTED).
// Returns ZX_OK (|*out| owned by the caller, freed with arch_aspace_destroy),
// ZX_ERR_INVALID_ARGS (bad flags, unaligned or empty range), ZX_ERR_OUT_OF_RANGE (range not inside
// a canonical half), ZX_ERR_NOT_SUPPORTED (backend not built or not registered),
// ZX_ERR_NO_MEMORY (no memory for the aspace or its root table).
zx_status_t arch_aspace_create(enum arch_backend backend, vaddr_t base, size_t size, uint32_t flags,
                               struct arch_aspace** out) WARN_UNUSED;
// Destroys |aspace|: whatever is still mapped is unmapped (without reporting accessed bits) and
// every page-table page, the root included, goes back to the pmm. The caller guarantees no other
// thread uses |aspace| any more.
void arch_aspace_destroy(struct arch_aspace* aspace);

// Registers |fn(ctx, ...)| as the accessed hook (NULL to remove). Takes the arch lock.
void arch_aspace_set_accessed_hook(struct arch_aspace* aspace, arch_accessed_fn fn, void* ctx);
// Registers |fn(ctx, va, pf_flags)| as the handler of faults the hardware reports on this aspace
// (the host backend's SIGSEGV handler calls it; the soft backend never does: its faults are the
// return value of arch_soft_translate). Set once, right after create and before the first map;
// |ctx| must outlive the arch aspace. Takes no lock (an atomic store).
void arch_aspace_set_fault_handler(struct arch_aspace* aspace, arch_fault_fn fn, void* ctx);

// Maps |count| pages at |va| to the physical pages |pages[0..count)| with |flags|; existing
// entries are handled by |action|. |flags| needs at least one of READ/WRITE/EXECUTE; write-only
// and execute-only are widened to include read (x86 cannot express them). On ZX_OK every page of
// the range is mapped and |*mapped| (may be NULL) = |count| (skipped entries included).
// Returns ZX_ERR_INVALID_ARGS (unaligned va or paddr, no RWX bit, INVALID or unknown flag bits,
// paddr beyond 52 bits), ZX_ERR_OUT_OF_RANGE (range outside the aspace or overflowing),
// ZX_ERR_ALREADY_EXISTS (action ERROR and an entry of the range is present),
// ZX_ERR_NO_MEMORY (a page-table page could not be allocated). On any error nothing changed and
// |*mapped| is not written. |count| == 0 is ZX_OK with nothing done.
zx_status_t arch_aspace_map(struct arch_aspace* aspace, vaddr_t va, const paddr_t* pages,
                            size_t count, arch_mmu_flags_t flags,
                            enum arch_existing_entry_action action, size_t* mapped) WARN_UNUSED;
// Same as arch_aspace_map with ARCH_EXISTING_ENTRY_ERROR, for the physically contiguous pages
// [|pa|, |pa| + |count| pages).
zx_status_t arch_aspace_map_contiguous(struct arch_aspace* aspace, vaddr_t va, paddr_t pa,
                                       size_t count, arch_mmu_flags_t flags,
                                       size_t* mapped) WARN_UNUSED;

// Removes every present entry in [|va|, |va| + |count| pages) and frees the page tables left
// empty (never the root). |options|: ARCH_UNMAP_OPTION_*. |*unmapped| (may be NULL) = number of
// present entries removed. Returns ZX_ERR_INVALID_ARGS (unaligned va, unknown option),
// ZX_ERR_OUT_OF_RANGE (outside the aspace); nothing changed then. Cannot run out of memory.
zx_status_t arch_aspace_unmap(struct arch_aspace* aspace, vaddr_t va, size_t count,
                              uint32_t options, size_t* unmapped) WARN_UNUSED;

// Changes the flags of the present entries in the range to |flags| (absent entries stay absent;
// accessed/dirty bits are kept). |flags| without any RWX bit unmaps the range instead (with
// |options|). Errors as arch_aspace_unmap, plus ZX_ERR_INVALID_ARGS for INVALID or unknown flag
// bits. The soft backend never allocates here (4 KiB pages only: there is no large page to
// split), so it cannot return ZX_ERR_NO_MEMORY; the contract allows it for backends that split.
zx_status_t arch_aspace_protect(struct arch_aspace* aspace, vaddr_t va, size_t count,
                                arch_mmu_flags_t flags, uint32_t options) WARN_UNUSED;

// Looks up the translation of the page containing |va|. On ZX_OK writes |*pa| (the page's
// address plus |va|'s offset in it) and |*flags| (READ always; WRITE, EXECUTE, USER and the cache
// policy as mapped); either may be NULL. ZX_ERR_NOT_FOUND if absent, ZX_ERR_OUT_OF_RANGE if |va|
// is outside the aspace.
zx_status_t arch_aspace_query(struct arch_aspace* aspace, vaddr_t va, paddr_t* pa,
                              arch_mmu_flags_t* flags) WARN_UNUSED;

// Clears the accessed bit of every present leaf entry in the range, calling |fn(ctx, pa, va)| for
// each whose bit was set. Errors as arch_aspace_unmap; |fn| may be NULL (just clear).
zx_status_t arch_aspace_harvest_accessed(struct arch_aspace* aspace, vaddr_t va, size_t count,
                                         arch_accessed_fn fn, void* ctx) WARN_UNUSED;
// Sets the accessed bit of every present leaf entry in the range and of the tables above them
// (what the hardware does on an access; used for VMM_PF_FLAG_ACCESS faults). Errors as unmap.
zx_status_t arch_aspace_mark_accessed(struct arch_aspace* aspace, vaddr_t va,
                                      size_t count) WARN_UNUSED;
// Zircon's FreeUnaccessed harvest of non-terminal entries. For each page table whose whole span
// lies inside the range: if it was not accessed since the previous call (its parent entry's
// accessed bit is clear), all its entries are unmapped (the accessed hook is told of leaves still
// marked accessed) and it is freed with every table below it; otherwise its accessed bit is
// cleared. Tables that straddle the range's ends are descended into but never freed themselves.
// A fresh table counts as accessed, and mapping into a table or accessing through it marks it
// accessed, so a mapping survives one call and goes at the second with no access in between.
// |*freed_tables| (may be NULL) = page-table pages freed. User aspaces only:
// ZX_ERR_NOT_SUPPORTED for kernel aspaces; other errors as arch_aspace_unmap.
zx_status_t arch_aspace_free_unaccessed(struct arch_aspace* aspace, vaddr_t va, size_t count,
                                        size_t* freed_tables) WARN_UNUSED;

// The lowest address above |va| that starts a new last-level page table (the next 2 MiB boundary
// with 4 KiB pages). Wraps to 0 above the top 2 MiB of the 64-bit space. Takes no lock.
vaddr_t arch_aspace_next_user_page_table_offset(const struct arch_aspace* aspace, vaddr_t va);

// Accessors; take no lock.
vaddr_t arch_aspace_base(const struct arch_aspace* aspace);
size_t arch_aspace_size(const struct arch_aspace* aspace);
bool arch_aspace_is_user(const struct arch_aspace* aspace);
enum arch_backend arch_aspace_backend(const struct arch_aspace* aspace);
// A consistent snapshot of the counters (taken under the arch lock).
void arch_aspace_get_counts(struct arch_aspace* aspace, struct arch_aspace_counts* out);

// Debug walkers. arch_aspace_check_entries calls |fn(ctx, va, pa, flags)| for every present leaf
// entry in ascending address order (flags as arch_aspace_query reports them). arch_aspace_check
// validates the backend's bookkeeping (per-table present counts, table-page and present-entry
// counters, table pages in the pmm's MMU state, no entry outside the aspace) and panics on the
// first broken invariant.
void arch_aspace_check_entries(struct arch_aspace* aspace, arch_entry_fn fn, void* ctx);
void arch_aspace_check(struct arch_aspace* aspace);
// Page-table pages held by all live arch aspaces together (every backend). Equals the pmm's
// VM_PAGE_STATE_MMU count as long as only this layer allocates MMU-state pages.
uint64_t arch_debug_total_table_pages(void);

// The simulated CPU (soft backend only). Performs what the MMU does for one access of kind
// |access| (ARCH_ACCESS_*) to |va|: walks the tables, checks present, user, write and no-execute
// permission at every level; on success sets the accessed bit on every entry walked (and the
// dirty bit of the leaf on a write), writes |*out_pa| (|va|'s physical address) and returns ZX_OK.
// Either out-pointer may be NULL.
// On a miss or violation returns ZX_ERR_NOT_FOUND ("page fault") and writes |*out_pf_flags| with
// the VMM_PF_FLAG_* bits the hardware reports: HW_FAULT always; WRITE, USER, INSTRUCTION per
// |access|; NOT_PRESENT when an entry on the walk was absent. ZX_ERR_INVALID_ARGS for a bad
// |access|; ZX_ERR_NOT_SUPPORTED for an aspace without soft tables (ops->soft_layout false; the
// host backend has them, as its shadow, so zxvm_user_read/write work there too). There is no TLB:
// every call walks the tables under the arch lock (one acquisition, no allocation). |va| outside
// the aspace faults as not present.
zx_status_t arch_soft_translate(struct arch_aspace* aspace, vaddr_t va, uint32_t access,
                                paddr_t* out_pa, uint32_t* out_pf_flags) WARN_UNUSED;

// Performs one simulated access of |len| bytes (within one page) at |va|: walks the tables as
// arch_soft_translate does and, on success, copies between |buf| and the page (WRITE: into the
// page; READ/EXECUTE: out of it) while still holding the arch lock, so the access is atomic with
// respect to protect/unmap of that entry (a software TLB shootdown). |buf| must not be memory any
// zxvm host aspace maps (the copy would fault under the arch lock). Same statuses as
// arch_soft_translate.
zx_status_t arch_soft_access(struct arch_aspace* aspace, vaddr_t va, uint32_t access, void* buf,
                             size_t len, uint32_t* out_pf_flags) WARN_UNUSED;

// Backend interface. Every _locked operation is called with the aspace's arch lock held and with
// arguments already validated by arch_aspace.c (range page aligned and inside the aspace, count
// >= 1, flags valid). A backend embeds struct arch_aspace first in its own struct.
struct arch_aspace_ops {
  const char* name;
  // The aspace begins with a struct soft_aspace (src/arch/soft/soft_pte.h) whose tables are exact:
  // arch_soft_translate may walk them. True for soft and host.
  bool soft_layout;
  // Allocates the backend's aspace (zeroed; the common part is filled in by the caller) and its
  // root state. ZX_ERR_NO_MEMORY on failure. A backend that places the aspace itself (host, |base|
  // 0) writes the base it chose into the common part's |base| field; the caller keeps it.
  zx_status_t (*create)(vaddr_t base, size_t size, uint32_t flags, struct arch_aspace** out);
  // Unmaps everything and frees the aspace (the common part's lock is already destroyed).
  void (*destroy)(struct arch_aspace* aspace);
  // |pages| != NULL: page i is |pages[i]|; else page i is |contig_pa| + i pages.
  zx_status_t (*map_locked)(struct arch_aspace* aspace, vaddr_t va, const paddr_t* pages,
                            paddr_t contig_pa, size_t count, arch_mmu_flags_t flags,
                            enum arch_existing_entry_action action);
  size_t (*unmap_locked)(struct arch_aspace* aspace, vaddr_t va, size_t count, uint32_t options);
  zx_status_t (*protect_locked)(struct arch_aspace* aspace, vaddr_t va, size_t count,
                                arch_mmu_flags_t flags);
  zx_status_t (*query_locked)(struct arch_aspace* aspace, vaddr_t va, paddr_t* pa,
                              arch_mmu_flags_t* flags);
  void (*harvest_locked)(struct arch_aspace* aspace, vaddr_t va, size_t count, arch_accessed_fn fn,
                         void* ctx);
  void (*mark_accessed_locked)(struct arch_aspace* aspace, vaddr_t va, size_t count);
  size_t (*free_unaccessed_locked)(struct arch_aspace* aspace, vaddr_t va, size_t count);
  void (*enumerate_locked)(struct arch_aspace* aspace, arch_entry_fn fn, void* ctx);
  void (*check_locked)(struct arch_aspace* aspace);
};

// Registers the ops of a backend built outside this file (the host backend). ZX_ERR_BAD_STATE if
// |backend| already has ops. Not thread-safe: call once at library init, before any create.
zx_status_t arch_aspace_register_backend(enum arch_backend backend,
                                         const struct arch_aspace_ops* ops) WARN_UNUSED;

// Registers ARCH_BACKEND_HOST (src/arch/host/) where it is built (Linux). Idempotent and
// thread-safe: every call after the first successful one returns ZX_OK. ZX_ERR_NOT_SUPPORTED where
// the host backend is not built. Call before pmm_init_ex(..., PMM_ARENA_SHARED) or after: host
// aspaces need the shared arena only when they are created.
zx_status_t arch_host_backend_register(void) WARN_UNUSED;

// True when [|base|, |base|+|len|) of this process intersects a live host aspace's reservation:
// memory whose pages zxvm itself maps, so touching it may fault into the VM. Lock-free; callers
// use it to avoid touching such memory while holding a VM lock. False for len 0.
bool arch_host_range_overlaps(vaddr_t base, size_t len);

#endif  // ZXVM_ARCH_ARCH_ASPACE_H_
