// The physical memory manager: one arena of pages reserved from the host (MAP_NORESERVE, so
// untouched pages cost nothing), an array of 32-byte page frames reserved the same way, the free
// lists, per-thread caches of free pages and the shared zero page. The arena is anonymous private
// memory, or (pmm_init_ex with PMM_ARENA_SHARED, for the host backend) a shared memory file mapped
// once as the physmap, whose pages the host backend maps again at user addresses.
//
// Where a free page lives. Frames are handed out in two ways: from the global free list (LIFO,
// so recently freed, cache-hot pages go out first) and, when it is empty, from the "untouched"
// region [watermark, page_count) that no one has used since pmm_init. The untouched region lets a
// 1 GiB arena cost only what is used: neither its pages nor its frames are ever written until
// allocated. Each thread also keeps a small cache of free pages (at most PMM_CACHE_MAX), refilled
// from and drained to the global list in batches of PMM_CACHE_BATCH, so the alloc/free fast path
// takes only the thread's own, uncontended cache lock.
//
// Invariants (checked by pmm_check):
//  1. A frame at index >= watermark is all zero: state FREE, on no list, never handed out.
//  2. A frame below the watermark in state FREE is on exactly one list: the global free list or
//     one thread cache. A frame in any other state is on no pmm list.
//  3. The number of frames in state s is pmm.by_state[s] plus the sum of every registered
//     cache's delta[s]. (Counting through per-cache deltas keeps the fast path free of shared
//     cache lines; a thread's deltas are folded into by_state whenever its cache meets the pmm
//     lock.) The free count includes pages held in caches.
//  4. Exactly one frame (index 0) is in state ZERO, and its contents are zero.
//
// Locks: the pmm lock (rank LOCK_RANK_PMM) guards the global state; each cache has a lock of rank
// LOCK_RANK_PMM + 1, taken alone on the fast path or after the pmm lock on the slow path (refill,
// drain, reclaim). A thread never holds two cache locks. Exhaustion is never false: when the
// global list cannot satisfy a request, every cache is reclaimed into it before failing.
//
// Lock legend: (c) constant while initialized, (P) pmm lock, (K) the cache's own lock,
// (a) atomic, (T) the owning thread only.
#include "pmm/pmm.h"

#include "base/alloc_fail.h"
#include "base/checked_math.h"
#include "base/list.h"
#include "base/mutex.h"
#include "base/platform.h"
#include "pmm/pmm_priv.h"

#define PMM_DEFAULT_ARENA_BYTES ((size_t)1 << 30)

// The testing build shrinks the caches so that tests reach refill, drain and reclaim often.
#ifdef ZXVM_TESTING
#define PMM_CACHE_MAX 8u
#define PMM_CACHE_BATCH 4u
#else
#define PMM_CACHE_MAX 64u
#define PMM_CACHE_BATCH 32u
#endif
_Static_assert(PMM_CACHE_BATCH > 0 && PMM_CACHE_BATCH < PMM_CACHE_MAX, "cache sizes");

// A thread's cache of free pages. Lives in thread-local storage; registered on pmm.caches at the
// thread's first pmm call and unregistered by the thread-exit destructor.
struct pmm_cache {
  struct mutex lock;
  struct list_node node;                // (P) on pmm.caches while registered
  struct page_list pages;               // (K) free pages, LIFO
  int64_t delta[VM_PAGE_STATE_COUNT_];  // (K) invariant 3
  uint64_t seq;                         // (K) bumped by every frame state change made under it
  bool registered;                      // (T)
};

static struct pmm {
  struct mutex lock;
  bool lock_ready;                         // set once, by the first pmm_init
  bool initialized;                        // (a)
  char* arena;                             // (c) the physmap
  int arena_fd;                            // (c) PMM_ARENA_SHARED: the memory file; else -1
  size_t arena_bytes;                      // (c)
  size_t frames_bytes;                     // (c)
  uint32_t watermark;                      // (P) invariant 1
  struct page_list free_list;              // (P) LIFO
  int64_t by_state[VM_PAGE_STATE_COUNT_];  // (P) invariant 3
  struct list_node caches;                 // (P) registered caches
  struct vm_page* zero_page;               // (c)
  uint64_t lock_acquisitions;              // (a) written under (P)
  unsigned tls_key;                        // set once, with tls_key_ready
  bool tls_key_ready;
} pmm;

struct vm_page* pmm_frames;
uint32_t pmm_page_count;

static const struct lock_class pmm_lock_class = {"pmm", LOCK_RANK_PMM};
static const struct lock_class pmm_cache_lock_class = {"pmm_cache", LOCK_RANK_PMM + 1};

static _Thread_local struct pmm_cache tls_cache;

static void pmm_lock(void) ACQUIRE(pmm.lock) {
  mutex_lock(&pmm.lock);
  __atomic_fetch_add(&pmm.lock_acquisitions, 1, __ATOMIC_RELAXED);
}

static void pmm_unlock(void) RELEASE(pmm.lock) { mutex_unlock(&pmm.lock); }

static const char* const state_names[VM_PAGE_STATE_COUNT_] = {
    "free", "alloc", "object", "mmu", "wired", "zero",
};

// ---- Frame helpers ----

static bool page_in_arena(const struct vm_page* page) {
  return page >= pmm_frames && page < pmm_frames + pmm_page_count;
}

static uint32_t page_index(const struct vm_page* page) { return pmm_page_to_pfn(page) - 1; }

// Frame states are written only here, with relaxed atomic stores, and read atomically by the
// checker's census, which runs while other threads allocate and free (pmm_check).
static inline void set_state(struct vm_page* page, uint8_t state) {
  __atomic_store_n(&page->state, state, __ATOMIC_RELAXED);
}
static inline uint8_t get_state(const struct vm_page* page) {
  return __atomic_load_n(&page->state, __ATOMIC_RELAXED);
}

// A free page becomes ALLOC with every owner field cleared; it is on no list on entry.
static void page_prepare_alloc(struct vm_page* page) {
  ZX_ASSERT_MSG(page->state == VM_PAGE_STATE_FREE, "allocating page %u in state %u",
                page_index(page), page->state);
  page->owner = NULL;
  page->object_page_index = 0;
  set_state(page, VM_PAGE_STATE_ALLOC);
  page->flags = 0;
  page->share_count = 0;
  page->pin_count = 0;
}

// Checks that |page| may be freed and makes it FREE. Returns its previous state.
static uint8_t page_prepare_free(struct vm_page* page) {
  ZX_ASSERT_MSG(page_in_arena(page), "freeing %p, not a page frame", (void*)page);
  uint8_t old = page->state;
  ZX_ASSERT_MSG(old != VM_PAGE_STATE_FREE, "double free of page %u", page_index(page));
  ZX_ASSERT_MSG(old != VM_PAGE_STATE_ZERO, "freeing the zero page");
  ZX_ASSERT_MSG(old < VM_PAGE_STATE_COUNT_, "page %u has bad state %u", page_index(page), old);
  ZX_ASSERT_MSG(page->queue_prev == 0 && page->queue_next == 0,
                "freeing page %u still linked (prev %u next %u)", page_index(page),
                page->queue_prev, page->queue_next);
  ZX_DEBUG_ASSERT_MSG(page->pin_count == 0, "freeing page %u with %u pins", page_index(page),
                      page->pin_count);
  set_state(page, VM_PAGE_STATE_FREE);
  page->owner = NULL;
  return old;
}

// ---- The global free pool (pmm lock) ----

static uint64_t global_free_locked(void) REQUIRES(pmm.lock) {
  return pmm.free_list.count + (pmm_page_count - pmm.watermark);
}

// Takes one free page from the global pool, still FREE: the free list first, then the untouched
// region. NULL when both are empty.
static struct vm_page* global_pop_locked(void) REQUIRES(pmm.lock) {
  struct vm_page* page = page_list_remove_head(&pmm.free_list);
  if (page != NULL) return page;
  if (pmm.watermark < pmm_page_count) return &pmm_frames[pmm.watermark++];
  return NULL;
}

// Moves every page of |c| to the global list and folds its deltas into pmm.by_state, keeping
// |keep| pages in the cache. Takes and releases the cache lock.
static void cache_trim_locked(struct pmm_cache* c, size_t keep) REQUIRES(pmm.lock) {
  mutex_lock(&c->lock);
  while (c->pages.count > keep) {
    page_list_add_head(&pmm.free_list, page_list_remove_head(&c->pages));
  }
  for (int s = 0; s < VM_PAGE_STATE_COUNT_; s++) {
    pmm.by_state[s] += c->delta[s];
    c->delta[s] = 0;
  }
  mutex_unlock(&c->lock);
}

// Empties every thread's cache into the global list (exhaustion, contiguous scans, shutdown).
static void reclaim_caches_locked(void) REQUIRES(pmm.lock) {
  list_for_every(&pmm.caches, node) {
    cache_trim_locked(list_entry(node, struct pmm_cache, node), 0);
  }
}

// ---- Per-thread caches ----

static void cache_thread_exit(void* arg) {
  struct pmm_cache* c = arg;
  pmm_lock();
  cache_trim_locked(c, 0);
  list_delete(&c->node);
  c->registered = false;
  pmm_unlock();
  mutex_destroy(&c->lock);
}

static struct pmm_cache* cache_get(void) {
  struct pmm_cache* c = &tls_cache;
  if (likely(c->registered)) return c;
  mutex_init(&c->lock, &pmm_cache_lock_class);
  mutex_lock(&c->lock);
  page_list_init(&c->pages);
  for (int s = 0; s < VM_PAGE_STATE_COUNT_; s++) c->delta[s] = 0;
  mutex_unlock(&c->lock);
  pmm_lock();
  list_add_tail(&pmm.caches, &c->node);
  pmm_unlock();
  c->registered = true;
  platform_tls_set(pmm.tls_key, c);
  return c;
}

void pmm_thread_cache_drain(void) {
  struct pmm_cache* c = cache_get();
  pmm_lock();
  cache_trim_locked(c, 0);
  pmm_unlock();
}

uint64_t pmm_cached_pages(void) {
  uint64_t n = 0;
  pmm_lock();
  list_for_every(&pmm.caches, node) {
    struct pmm_cache* c = list_entry(node, struct pmm_cache, node);
    mutex_lock(&c->lock);
    n += c->pages.count;
    mutex_unlock(&c->lock);
  }
  pmm_unlock();
  return n;
}

uint64_t pmm_lock_acquisitions(void) {
  return __atomic_load_n(&pmm.lock_acquisitions, __ATOMIC_RELAXED);
}

// ---- Init and shutdown ----

zx_status_t pmm_init(size_t arena_bytes) { return pmm_init_ex(arena_bytes, PMM_ARENA_PRIVATE); }

int pmm_arena_fd(void) { return pmm_initialized() ? pmm.arena_fd : -1; }

// Maps the arena of the kind |flags| asks for; NULL on failure.
static char* arena_create(size_t arena_bytes, uint32_t flags, int* out_fd) {
  *out_fd = -1;
  if (flags & PMM_ARENA_SHARED) return platform_shared_memory_create(arena_bytes, out_fd);
  return platform_reserve_memory(arena_bytes);
}

static void arena_release(char* arena, size_t arena_bytes, int fd) {
  if (fd >= 0) {
    platform_shared_memory_destroy(arena, arena_bytes, fd);
  } else {
    platform_release_memory(arena, arena_bytes);
  }
}

zx_status_t pmm_init_ex(size_t arena_bytes, uint32_t flags) {
  if (__atomic_load_n(&pmm.initialized, __ATOMIC_ACQUIRE)) return ZX_ERR_BAD_STATE;
  if ((flags & ~PMM_ARENA_SHARED) != 0) return ZX_ERR_INVALID_ARGS;
  if (arena_bytes == 0) arena_bytes = PMM_DEFAULT_ARENA_BYTES;
  arena_bytes = ROUNDDOWN_PAGE(arena_bytes);
  uint64_t page_count = arena_bytes / PAGE_SIZE;
  // The zero page plus at least one allocatable page; pfns are 32-bit.
  if (page_count < 2 || page_count > UINT32_MAX) return ZX_ERR_INVALID_ARGS;
  if (!pmm.tls_key_ready) {
    zx_status_t status = platform_tls_key_create(cache_thread_exit, &pmm.tls_key);
    if (status != ZX_OK) return status;
    pmm.tls_key_ready = true;
  }
  if (!pmm.lock_ready) {
    mutex_init(&pmm.lock, &pmm_lock_class);
    list_initialize(&pmm.caches);
    pmm.lock_ready = true;
  }
  uint64_t frames_bytes;
  if (!roundup_page_u64(page_count * sizeof(struct vm_page), &frames_bytes)) {
    return ZX_ERR_INVALID_ARGS;
  }
  int arena_fd;
  char* arena = arena_create(arena_bytes, flags, &arena_fd);
  if (arena == NULL) {
    return (flags & PMM_ARENA_SHARED) ? ZX_ERR_NOT_SUPPORTED : ZX_ERR_NO_MEMORY;
  }
  struct vm_page* frames = platform_reserve_memory(frames_bytes);
  if (frames == NULL) {
    arena_release(arena, arena_bytes, arena_fd);
    return ZX_ERR_NO_MEMORY;
  }

  pmm_lock();
  pmm.arena = arena;
  pmm.arena_fd = arena_fd;
  pmm.arena_bytes = arena_bytes;
  pmm.frames_bytes = frames_bytes;
  pmm_frames = frames;
  pmm_page_count = (uint32_t)page_count;
  pmm.watermark = 0;
  page_list_init(&pmm.free_list);
  for (int s = 0; s < VM_PAGE_STATE_COUNT_; s++) pmm.by_state[s] = 0;
  pmm.by_state[VM_PAGE_STATE_FREE] = (int64_t)page_count;
  // The zero page: frame 0, fresh from the host and therefore zero.
  pmm.zero_page = global_pop_locked();
  set_state(pmm.zero_page, VM_PAGE_STATE_ZERO);
  pmm.by_state[VM_PAGE_STATE_FREE]--;
  pmm.by_state[VM_PAGE_STATE_ZERO]++;
  __atomic_store_n(&pmm.lock_acquisitions, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&pmm.initialized, true, __ATOMIC_RELEASE);
  pmm_unlock();
  return ZX_OK;
}

bool pmm_initialized(void) { return __atomic_load_n(&pmm.initialized, __ATOMIC_ACQUIRE); }

void pmm_shutdown(void) {
  ZX_ASSERT_MSG(pmm_initialized(), "pmm_shutdown without pmm_init");
  pmm_lock();
  reclaim_caches_locked();
  uint64_t leaked = 0;
  for (int s = VM_PAGE_STATE_ALLOC; s < VM_PAGE_STATE_COUNT_; s++) {
    if (s != VM_PAGE_STATE_ZERO) leaked += (uint64_t)pmm.by_state[s];
  }
  if (leaked != 0) {
    ZX_PANIC(
        "pmm_shutdown with %lu pages still allocated: alloc %ld, object %ld, mmu %ld, "
        "wired %ld",
        (unsigned long)leaked, (long)pmm.by_state[VM_PAGE_STATE_ALLOC],
        (long)pmm.by_state[VM_PAGE_STATE_OBJECT], (long)pmm.by_state[VM_PAGE_STATE_MMU],
        (long)pmm.by_state[VM_PAGE_STATE_WIRED]);
  }
  ZX_ASSERT_MSG(pmm.by_state[VM_PAGE_STATE_ZERO] == 1 && pmm.zero_page->state == VM_PAGE_STATE_ZERO,
                "zero page count %ld", (long)pmm.by_state[VM_PAGE_STATE_ZERO]);
  __atomic_store_n(&pmm.initialized, false, __ATOMIC_RELEASE);
  arena_release(pmm.arena, pmm.arena_bytes, pmm.arena_fd);
  platform_release_memory(pmm_frames, pmm.frames_bytes);
  pmm.arena = NULL;
  pmm.arena_fd = -1;
  pmm.arena_bytes = 0;
  pmm_frames = NULL;
  pmm_page_count = 0;
  pmm.watermark = 0;
  page_list_init(&pmm.free_list);
  pmm.zero_page = NULL;
  pmm_unlock();
}

// ---- Allocation ----

// Slow path of pmm_alloc_page: the calling thread's cache is empty. Refills it with a batch from
// the global pool, reclaiming every cache first if the pool is empty, and takes one page.
static struct vm_page* alloc_page_slow(struct pmm_cache* c) {
  pmm_lock();
  if (global_free_locked() == 0) reclaim_caches_locked();
  mutex_lock(&c->lock);
  for (uint32_t i = 0; i < PMM_CACHE_BATCH; i++) {
    struct vm_page* page = global_pop_locked();
    if (page == NULL) break;
    page_list_add_head(&c->pages, page);
  }
  struct vm_page* page = page_list_remove_head(&c->pages);
  if (page != NULL) {
    page_prepare_alloc(page);
    c->delta[VM_PAGE_STATE_FREE]--;
    c->delta[VM_PAGE_STATE_ALLOC]++;
    c->seq++;
  }
  mutex_unlock(&c->lock);
  pmm_unlock();
  return page;
}

zx_status_t pmm_alloc_page(uint32_t alloc_flags, struct vm_page** out_page, paddr_t* out_pa) {
  ZX_DEBUG_ASSERT(pmm_initialized());
  if (alloc_fail_should_fail()) return ZX_ERR_NO_MEMORY;
  struct pmm_cache* c = cache_get();
  mutex_lock(&c->lock);
  struct vm_page* page = page_list_remove_head(&c->pages);
  if (page != NULL) {
    page_prepare_alloc(page);
    c->delta[VM_PAGE_STATE_FREE]--;
    c->delta[VM_PAGE_STATE_ALLOC]++;
    c->seq++;
  }
  mutex_unlock(&c->lock);
  if (page == NULL) page = alloc_page_slow(c);
  if (page == NULL) return ZX_ERR_NO_MEMORY;
  if (out_page != NULL) *out_page = page;
  if (out_pa != NULL) *out_pa = vm_page_to_paddr(page);
  return ZX_OK;
}

zx_status_t pmm_alloc_pages(size_t count, uint32_t alloc_flags, struct page_list* list) {
  ZX_DEBUG_ASSERT(pmm_initialized());
  if (alloc_fail_should_fail()) return ZX_ERR_NO_MEMORY;
  if (count == 0) return ZX_OK;
  struct pmm_cache* c = cache_get();
  // Small batches come from the thread's cache when it holds enough.
  mutex_lock(&c->lock);
  if (c->pages.count >= count) {
    for (size_t i = 0; i < count; i++) {
      struct vm_page* page = page_list_remove_head(&c->pages);
      page_prepare_alloc(page);
      page_list_add_tail(list, page);
    }
    c->delta[VM_PAGE_STATE_FREE] -= (int64_t)count;
    c->delta[VM_PAGE_STATE_ALLOC] += (int64_t)count;
    c->seq++;
    mutex_unlock(&c->lock);
    return ZX_OK;
  }
  mutex_unlock(&c->lock);

  pmm_lock();
  if (global_free_locked() < count) reclaim_caches_locked();
  if (global_free_locked() < count) {
    pmm_unlock();
    return ZX_ERR_NO_MEMORY;
  }
  for (size_t i = 0; i < count; i++) {
    struct vm_page* page = global_pop_locked();
    page_prepare_alloc(page);
    page_list_add_tail(list, page);
  }
  pmm.by_state[VM_PAGE_STATE_FREE] -= (int64_t)count;
  pmm.by_state[VM_PAGE_STATE_ALLOC] += (int64_t)count;
  pmm_unlock();
  return ZX_OK;
}

// True when every frame of [first, first + count) is free (caches already reclaimed, so a free
// frame is on the global list or untouched). Returns the index of the last busy frame otherwise.
static bool run_is_free_locked(uint64_t first, uint64_t count, uint64_t* out_busy)
    REQUIRES(pmm.lock) {
  for (uint64_t i = first + count; i-- > first;) {
    if (get_state(&pmm_frames[i]) != VM_PAGE_STATE_FREE) {
      *out_busy = i;
      return false;
    }
  }
  return true;
}

// Takes the free run [first, first + count) out of the global pool: frames below the watermark
// leave the free list; untouched frames skipped over by the run join the free list's tail.
static void claim_run_locked(uint64_t first, uint64_t count, struct page_list* list)
    REQUIRES(pmm.lock) {
  uint64_t end = first + count;
  while (pmm.watermark < first) page_list_add_tail(&pmm.free_list, &pmm_frames[pmm.watermark++]);
  for (uint64_t i = first; i < end; i++) {
    struct vm_page* page = &pmm_frames[i];
    if (i < pmm.watermark) page_list_remove(&pmm.free_list, page);
    page_prepare_alloc(page);
    if (list != NULL) page_list_add_tail(list, page);
  }
  if (pmm.watermark < end) pmm.watermark = (uint32_t)end;
  pmm.by_state[VM_PAGE_STATE_FREE] -= (int64_t)count;
  pmm.by_state[VM_PAGE_STATE_ALLOC] += (int64_t)count;
}

// O(page_count) under the pmm lock, after reclaiming every cache: contiguous allocations are rare
// (DMA-style buffers), so a first-fit scan that skips past each busy frame is enough.
zx_status_t pmm_alloc_contiguous(size_t count, uint32_t alloc_flags, uint8_t align_log2,
                                 paddr_t* out_pa, struct page_list* list) {
  ZX_DEBUG_ASSERT(pmm_initialized());
  if (count == 0 || align_log2 < PAGE_SIZE_SHIFT || align_log2 >= 48) return ZX_ERR_INVALID_ARGS;
  if (alloc_fail_should_fail()) return ZX_ERR_NO_MEMORY;
  if (count > pmm_page_count) return ZX_ERR_NO_MEMORY;
  uint64_t align = (uint64_t)1 << align_log2;
  uint64_t pa;
  if (!roundup_pow2_u64(PMM_PADDR_BASE, align_log2, &pa)) return ZX_ERR_NO_MEMORY;
  pmm_lock();
  reclaim_caches_locked();
  zx_status_t status = ZX_ERR_NO_MEMORY;
  for (;;) {
    uint64_t first = (pa - PMM_PADDR_BASE) / PAGE_SIZE;
    if (first > pmm_page_count || pmm_page_count - first < count) break;
    uint64_t busy;
    if (run_is_free_locked(first, count, &busy)) {
      claim_run_locked(first, count, list);
      if (out_pa != NULL) *out_pa = (paddr_t)pa;
      status = ZX_OK;
      break;
    }
    // The next candidate is the first aligned address past the busy frame.
    uint64_t busy_end = PMM_PADDR_BASE + (busy + 1) * PAGE_SIZE;
    pa = (busy_end + align - 1) & ~(align - 1);
  }
  pmm_unlock();
  return status;
}

// ---- Freeing ----

void pmm_free_page(struct vm_page* page) {
  ZX_DEBUG_ASSERT(pmm_initialized());
  struct pmm_cache* c = cache_get();
  mutex_lock(&c->lock);
  uint8_t old = page_prepare_free(page);  // under the lock: the state change and its count together
  page_list_add_head(&c->pages, page);
  c->delta[old]--;
  c->delta[VM_PAGE_STATE_FREE]++;
  c->seq++;
  bool over = c->pages.count > PMM_CACHE_MAX;
  mutex_unlock(&c->lock);
  if (over) {
    pmm_lock();
    cache_trim_locked(c, PMM_CACHE_BATCH);
    pmm_unlock();
  }
}

void pmm_free_pages(struct page_list* list) {
  ZX_DEBUG_ASSERT(pmm_initialized());
  if (list->count <= PMM_CACHE_MAX) {
    struct vm_page* page;
    while ((page = page_list_remove_head(list)) != NULL) pmm_free_page(page);
    return;
  }
  // A large batch goes straight to the global list under one lock acquisition.
  pmm_lock();
  struct vm_page* page;
  while ((page = page_list_remove_head(list)) != NULL) {
    uint8_t old = page_prepare_free(page);
    pmm.by_state[old]--;
    pmm.by_state[VM_PAGE_STATE_FREE]++;
    page_list_add_head(&pmm.free_list, page);
  }
  pmm_unlock();
}

void pmm_page_set_state(struct vm_page* page, enum vm_page_state state) {
  ZX_ASSERT_MSG(page_in_arena(page), "%p is not a page frame", (void*)page);
  uint8_t old = page->state;
  ZX_ASSERT_MSG(
      old != VM_PAGE_STATE_FREE && old != VM_PAGE_STATE_ZERO && old < VM_PAGE_STATE_COUNT_,
      "page %u: cannot change state from %u", page_index(page), old);
  ZX_ASSERT_MSG(
      state != VM_PAGE_STATE_FREE && state != VM_PAGE_STATE_ZERO && state < VM_PAGE_STATE_COUNT_,
      "page %u: cannot set state %d (use pmm_free_page)", page_index(page), (int)state);
  if (old == state) return;
  struct pmm_cache* c = cache_get();
  mutex_lock(&c->lock);
  set_state(page, (uint8_t)state);
  c->delta[old]--;
  c->delta[state]++;
  c->seq++;
  mutex_unlock(&c->lock);
}

// ---- Conversions and contents ----

struct vm_page* paddr_to_vm_page(paddr_t pa) {
  if (pa < PMM_PADDR_BASE || pa - PMM_PADDR_BASE >= pmm.arena_bytes) return NULL;
  return &pmm_frames[(pa - PMM_PADDR_BASE) / PAGE_SIZE];
}

paddr_t vm_page_to_paddr(const struct vm_page* page) {
  ZX_DEBUG_ASSERT_MSG(page_in_arena(page), "%p is not a page frame", (const void*)page);
  return PMM_PADDR_BASE + (paddr_t)(page - pmm_frames) * PAGE_SIZE;
}

void* paddr_to_physmap(paddr_t pa) {
  if (pa < PMM_PADDR_BASE || pa - PMM_PADDR_BASE >= pmm.arena_bytes) return NULL;
  return pmm.arena + (pa - PMM_PADDR_BASE);
}

void* vm_page_to_physmap(const struct vm_page* page) {
  ZX_DEBUG_ASSERT_MSG(page_in_arena(page), "%p is not a page frame", (const void*)page);
  return pmm.arena + (size_t)(page - pmm_frames) * PAGE_SIZE;
}

void pmm_page_zero(struct vm_page* page) {
  ZX_DEBUG_ASSERT(page_in_arena(page));
  __builtin_memset(vm_page_to_physmap(page), 0, PAGE_SIZE);
}

struct vm_page* pmm_zero_page(void) { return pmm.zero_page; }
paddr_t pmm_zero_page_paddr(void) { return vm_page_to_paddr(pmm.zero_page); }

// ---- Counters and the checker ----

static void counts_sum_locked(int64_t out[VM_PAGE_STATE_COUNT_]) REQUIRES(pmm.lock) {
  for (int s = 0; s < VM_PAGE_STATE_COUNT_; s++) out[s] = pmm.by_state[s];
  list_for_every(&pmm.caches, node) {
    struct pmm_cache* c = list_entry(node, struct pmm_cache, node);
    mutex_lock(&c->lock);
    for (int s = 0; s < VM_PAGE_STATE_COUNT_; s++) out[s] += c->delta[s];
    mutex_unlock(&c->lock);
  }
}

void pmm_get_counts(struct pmm_counts* out) {
  ZX_DEBUG_ASSERT(pmm_initialized());
  int64_t sum[VM_PAGE_STATE_COUNT_];
  pmm_lock();
  counts_sum_locked(sum);
  pmm_unlock();
  // A figure can be transiently negative while pages move between threads' caches.
  for (int s = 0; s < VM_PAGE_STATE_COUNT_; s++)
    out->by_state[s] = sum[s] < 0 ? 0 : (uint64_t)sum[s];
  out->total_pages = pmm_page_count;
  out->free_pages = out->by_state[VM_PAGE_STATE_FREE];
  out->metadata_bytes = (uint64_t)pmm_page_count * sizeof(struct vm_page);
}

// Walks |list| (the global list or a cache), checking links and that every page is free and below
// the watermark. Returns its length.
static uint64_t check_free_list_locked(const struct page_list* list, const char* what)
    REQUIRES(pmm.lock) {
  uint64_t n = 0;
  uint32_t prev = 0;
  for (const struct vm_page* p = page_list_first(list); p != NULL; p = page_list_next(p)) {
    uint32_t idx = page_index(p);
    ZX_ASSERT_MSG(p->state == VM_PAGE_STATE_FREE, "%s: page %u in state %s", what, idx,
                  state_names[p->state < VM_PAGE_STATE_COUNT_ ? p->state : 0]);
    ZX_ASSERT_MSG(idx < pmm.watermark, "%s: page %u above the watermark %u", what, idx,
                  pmm.watermark);
    ZX_ASSERT_MSG(p->queue_prev == prev, "%s: page %u prev %u, expected %u", what, idx,
                  p->queue_prev, prev);
    ZX_ASSERT_MSG(n < pmm_page_count, "%s: cycle", what);
    prev = idx + 1;
    n++;
  }
  ZX_ASSERT_MSG(list->tail == prev, "%s: tail %u, last %u", what, list->tail, prev);
  ZX_ASSERT_MSG(list->count == n, "%s: count %zu, walked %lu", what, list->count, (unsigned long)n);
  return n;
}

// Sum of every cache's seq (each read under its lock). Pmm lock held, so no cache comes or goes.
static uint64_t caches_seq_locked(void) REQUIRES(pmm.lock) {
  uint64_t sum = 0;
  list_for_every(&pmm.caches, node) {
    struct pmm_cache* c = list_entry(node, struct pmm_cache, node);
    mutex_lock(&c->lock);
    sum += c->seq;
    mutex_unlock(&c->lock);
  }
  return sum;
}

// The census: the free lists walked and every frame's state counted, against the counters. Other
// threads may allocate, free and change states meanwhile (each such change happens under the pmm
// lock, held here, or under a cache lock, where it bumps that cache's seq together with the counter
// it moves and the cache list it changes). So the census is taken between two readings of the
// seqs; if they differ it is taken again, and after PMM_CHECK_CENSUS_TRIES busy attempts it is
// skipped (returns false) rather than misreport. A quiescent pmm always gets a full census.
#define PMM_CHECK_CENSUS_TRIES 64
struct census {
  uint64_t on_lists;
  uint64_t seen[VM_PAGE_STATE_COUNT_];
  int64_t sum[VM_PAGE_STATE_COUNT_];
};

static bool census_locked(struct census* c) REQUIRES(pmm.lock) {
  for (int attempt = 0; attempt < PMM_CHECK_CENSUS_TRIES; attempt++) {
    uint64_t seq = caches_seq_locked();
    c->on_lists = check_free_list_locked(&pmm.free_list, "global free list");
    list_for_every(&pmm.caches, node) {
      struct pmm_cache* pc = list_entry(node, struct pmm_cache, node);
      mutex_lock(&pc->lock);
      c->on_lists += check_free_list_locked(&pc->pages, "thread cache");
      ZX_ASSERT_MSG(pc->pages.count <= PMM_CACHE_MAX + 1, "cache holds %zu pages", pc->pages.count);
      mutex_unlock(&pc->lock);
    }
    for (int s = 0; s < VM_PAGE_STATE_COUNT_; s++) c->seen[s] = 0;
    for (uint32_t i = 0; i < pmm_page_count; i++) {
      uint8_t state = get_state(&pmm_frames[i]);
      ZX_ASSERT_MSG(state < VM_PAGE_STATE_COUNT_, "page %u: bad state %u", i, state);
      c->seen[state]++;
    }
    counts_sum_locked(c->sum);
    if (caches_seq_locked() == seq) return true;
  }
  return false;
}

void pmm_check(void) {
  ZX_ASSERT(pmm_initialized());
  pmm_lock();
  for (uint32_t i = pmm.watermark; i < pmm_page_count; i++) {
    const struct vm_page* p = &pmm_frames[i];
    ZX_ASSERT_MSG(get_state(p) == VM_PAGE_STATE_FREE && p->queue_prev == 0 && p->queue_next == 0,
                  "untouched page %u: state %s, links %u/%u", i, state_names[get_state(p)],
                  p->queue_prev, p->queue_next);
  }
  struct census c;
  if (census_locked(&c)) {
    for (int s = 0; s < VM_PAGE_STATE_COUNT_; s++) {
      ZX_ASSERT_MSG(c.sum[s] >= 0 && (uint64_t)c.sum[s] == c.seen[s],
                    "state %s: counters say %ld, frames say %lu", state_names[s], (long)c.sum[s],
                    (unsigned long)c.seen[s]);
    }
    uint64_t untouched = pmm_page_count - pmm.watermark;
    ZX_ASSERT_MSG(c.seen[VM_PAGE_STATE_FREE] == c.on_lists + untouched,
                  "%lu free frames, but %lu on lists + %lu untouched",
                  (unsigned long)c.seen[VM_PAGE_STATE_FREE], (unsigned long)c.on_lists,
                  (unsigned long)untouched);
    ZX_ASSERT_MSG(c.seen[VM_PAGE_STATE_ZERO] == 1, "%lu zero pages",
                  (unsigned long)c.seen[VM_PAGE_STATE_ZERO]);
  }
  ZX_ASSERT_MSG(get_state(pmm.zero_page) == VM_PAGE_STATE_ZERO, "zero page state");
  const uint64_t* zero = vm_page_to_physmap(pmm.zero_page);
  for (size_t i = 0; i < PAGE_SIZE / sizeof(uint64_t); i++) {
    ZX_ASSERT_MSG(zero[i] == 0, "zero page word %zu is %#lx", i, (unsigned long)zero[i]);
  }
  pmm_unlock();
}
