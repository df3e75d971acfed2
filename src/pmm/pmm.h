// The physical memory manager: one arena of "physical" pages reserved from the host at init,
// page frames (struct vm_page) describing each page, allocation of single pages and contiguous
// runs, the physmap (paddr <-> host pointer), and the shared zero page.
//
// Physical addresses are offsets into the arena plus PMM_PADDR_BASE (so paddr 0 is never a
// valid page). The pmm is a process-wide singleton: pmm_init once (zxvm_init does it), and
// pmm_shutdown only in tests, with every page returned.
//
// Locking: the pmm lock (rank LOCK_RANK_PMM) guards the global free list; per-thread caches hold
// batches of free pages so the fast path takes no global lock. Page-frame fields other than the
// free-list linkage belong to the page's owner (the VMO lock for object pages).
#ifndef ZXVM_PMM_PMM_H_
#define ZXVM_PMM_PMM_H_

#include "base/assert.h"

// Page frame states.
enum vm_page_state {
  VM_PAGE_STATE_FREE = 0,
  VM_PAGE_STATE_ALLOC,   // allocated, not yet given a role
  VM_PAGE_STATE_OBJECT,  // owned by a VMO's page storage (owner/object_offset valid)
  VM_PAGE_STATE_MMU,     // a page-table page
  VM_PAGE_STATE_WIRED,   // wired for internal use
  VM_PAGE_STATE_ZERO,    // the shared zero page
  VM_PAGE_STATE_COUNT_,
};

#define PMM_PADDR_BASE ((paddr_t)0x100000)

// A page frame: 32 bytes per 4 KiB page (0.78%). Queue linkage uses 32-bit page frame numbers
// (index + 1; 0 = none), which bounds the arena to 2^32 - 1 pages (16 TiB).
struct vm_page {
  uint32_t queue_prev;         // (P) free list, or (O) owner's page queue; 0 = none
  uint32_t queue_next;         // as queue_prev
  void* owner;                 // (O) the object (vm_cow_pages) owning the page, in OBJECT state
  uint64_t object_page_index;  // (O) offset in the owner / PAGE_SIZE
  uint8_t state;               // enum vm_page_state; (P) for free/alloc transitions
  uint8_t flags;               // (O) VM_PAGE_FLAG_* owner-defined bits (dirty state, age, ...)
  uint16_t share_count;        // (O) copy-on-write sharing count, used by clones
  uint32_t pin_count;          // (O) pins by in-library users
};
_Static_assert(sizeof(struct vm_page) == 32, "struct vm_page must stay 32 bytes");

// Allocation flags.
#define PMM_ALLOC_FLAG_ANY 0u
// (No other flags yet; loaned/contiguous-pool flags come later.)

struct pmm_counts {
  uint64_t total_pages;
  uint64_t free_pages;  // on the global list and in per-thread caches
  uint64_t by_state[VM_PAGE_STATE_COUNT_];
  uint64_t metadata_bytes;  // bytes of page frames for the whole arena
};

// Initializes the arena with |arena_bytes| (rounded down to pages; 0 = default 1 GiB).
// ZX_ERR_BAD_STATE if already initialized; ZX_ERR_NO_MEMORY if the reservation fails.
// Same as pmm_init_ex(|arena_bytes|, PMM_ARENA_PRIVATE).
zx_status_t pmm_init(size_t arena_bytes) WARN_UNUSED;

// Arena kinds for pmm_init_ex.
// Anonymous private memory (platform_reserve_memory): enough for the soft backend.
#define PMM_ARENA_PRIVATE 0u
// A shared memory file (platform_shared_memory_create) mapped once as the physmap: the host
// backend maps its pages a second time at user addresses (file offset = paddr - PMM_PADDR_BASE).
// Every backend works on it.
#define PMM_ARENA_SHARED (1u << 0)
// pmm_init with an arena kind: |flags| is PMM_ARENA_PRIVATE or PMM_ARENA_SHARED. Errors as
// pmm_init, plus ZX_ERR_INVALID_ARGS for unknown flags and ZX_ERR_NOT_SUPPORTED when the host
// cannot make a shared memory file (the pmm then stays uninitialized).
zx_status_t pmm_init_ex(size_t arena_bytes, uint32_t flags) WARN_UNUSED;
// The file descriptor of a PMM_ARENA_SHARED arena, or -1 (private arena, or not initialized).
// Constant between pmm_init_ex and pmm_shutdown; takes no lock.
int pmm_arena_fd(void);
bool pmm_initialized(void);
// Tears the arena down. Panics if any page other than the zero page is still allocated.
void pmm_shutdown(void);

// Allocates one page (state ALLOC, contents unspecified). ZX_ERR_NO_MEMORY on exhaustion or when
// the testing hook fires. |out_pa| may be NULL.
zx_status_t pmm_alloc_page(uint32_t alloc_flags, struct vm_page** out_page,
                           paddr_t* out_pa) WARN_UNUSED;
// Allocates |count| pages onto |list| (a page list, below). All or nothing.
struct page_list;
zx_status_t pmm_alloc_pages(size_t count, uint32_t alloc_flags, struct page_list* list) WARN_UNUSED;
// Allocates |count| physically contiguous pages aligned to 2^|align_log2| bytes (>= page).
zx_status_t pmm_alloc_contiguous(size_t count, uint32_t alloc_flags, uint8_t align_log2,
                                 paddr_t* out_pa, struct page_list* list) WARN_UNUSED;
// Frees one page (any state but FREE/ZERO); the caller has unlinked it from any queue.
void pmm_free_page(struct vm_page* page);
// Frees every page on |list|; the list is left empty.
void pmm_free_pages(struct page_list* list);

// Changes a page's state, keeping the per-state counters right.
void pmm_page_set_state(struct vm_page* page, enum vm_page_state state);

// Conversions. paddr_to_vm_page returns NULL for an address outside the arena.
struct vm_page* paddr_to_vm_page(paddr_t pa);
paddr_t vm_page_to_paddr(const struct vm_page* page);
void* paddr_to_physmap(paddr_t pa);
void* vm_page_to_physmap(const struct vm_page* page);
// Zero-fills a page's contents.
void pmm_page_zero(struct vm_page* page);

// The shared zero page (state ZERO, never freed, contents always zero).
struct vm_page* pmm_zero_page(void);
paddr_t pmm_zero_page_paddr(void);

void pmm_get_counts(struct pmm_counts* out);
// Validates the pmm's own invariants (counters agree with the frames). Testing build.
void pmm_check(void);

// Per-thread caches and instrumentation (additions to the original API).
//
// Returns every free page held in the calling thread's cache to the global free list. Takes the
// pmm lock. Thread exit and pmm_shutdown do this implicitly.
void pmm_thread_cache_drain(void);
// Free pages currently held in per-thread caches (all threads). Takes the pmm lock and each cache
// lock in turn; exact only when no allocation runs concurrently.
uint64_t pmm_cached_pages(void);
// Number of times the global pmm lock was acquired since pmm_init (lock-free read).
uint64_t pmm_lock_acquisitions(void);

// A list of pages linked through vm_page.queue_prev/queue_next (page frame numbers). Used to move
// batches of pages between the pmm and owners without allocation.
struct page_list {
  uint32_t head;
  uint32_t tail;
  size_t count;
};
// All O(1) (page_list.c). The list has no lock of its own: whoever owns the list (and its pages)
// serializes these calls. A page is on at most one list; a page on none has both links 0.
// page_list_add_* panic in debug builds if |page| is already linked; page_list_remove requires
// |page| to be on |list|; page_list_remove_head and page_list_first return NULL on an empty list;
// page_list_next returns NULL after the last page.
void page_list_init(struct page_list* list);
bool page_list_is_empty(const struct page_list* list);
void page_list_add_tail(struct page_list* list, struct vm_page* page);
void page_list_add_head(struct page_list* list, struct vm_page* page);
struct vm_page* page_list_remove_head(struct page_list* list);
void page_list_remove(struct page_list* list, struct vm_page* page);
struct vm_page* page_list_first(const struct page_list* list);
struct vm_page* page_list_next(const struct vm_page* page);

#endif  // ZXVM_PMM_PMM_H_
