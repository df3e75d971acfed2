// The evictor (see evictor.h): a registry of pager-backed VMOs, aging through accessed-bit
// harvests, and reclaim of old clean pages.
//
// Invariant: a VMO is in the registry iff its root's page source is registered
// (page_source.evictor_node linked) and the VMO has not begun to die past
// vm_cow_pages_pager_destroy_locked; evictor_owner points at it exactly then.
#include "vm/evictor.h"

#include "base/checked_math.h"
#include "base/platform.h"
#include "vm/vm_address_region.h"
#include "vm/vm_aspace.h"
#include "vm/vm_pager.h"

static const struct lock_class evictor_lock_class = {"evictor", VM_EVICTOR_LOCK_RANK};

// Legend: (E) the registry lock.
static struct {
  struct mutex lock;
  struct list_node sources;       // (E) of page_source.evictor_node
  uint64_t registered;            // (E)
  uint64_t low_pages;             // (E) watermarks, 0 = disabled
  uint64_t high_pages;            // (E)
  struct vm_evictor_stats stats;  // (E) except |registered|
} g_evictor = {.sources = LIST_INITIAL_VALUE(g_evictor.sources)};

static _Atomic int g_init_state;  // 0 none, 1 initializing, 2 done (the lock is ready)

// The registry lock is initialized on first use (the library has no global init hook for the VM).
static void evictor_init_once(void) {
  if (atomic_load_explicit(&g_init_state, memory_order_acquire) == 2) return;
  int expected = 0;
  if (atomic_compare_exchange_strong(&g_init_state, &expected, 1)) {
    mutex_init(&g_evictor.lock, &evictor_lock_class);
    atomic_store_explicit(&g_init_state, 2, memory_order_release);
    return;
  }
  while (atomic_load_explicit(&g_init_state, memory_order_acquire) != 2) {
  }
}

void vm_evictor_register(struct page_source* src, struct vm_object_paged* vmo) {
  evictor_init_once();
  mutex_lock(&g_evictor.lock);
  ZX_ASSERT(!list_in_list(&src->evictor_node));
  src->evictor_owner = vmo;
  list_add_tail(&g_evictor.sources, &src->evictor_node);
  g_evictor.registered++;
  mutex_unlock(&g_evictor.lock);
}

void vm_evictor_unregister(struct page_source* src) {
  evictor_init_once();
  mutex_lock(&g_evictor.lock);
  if (list_in_list(&src->evictor_node)) {
    list_delete(&src->evictor_node);
    src->evictor_owner = NULL;
    g_evictor.registered--;
  }
  mutex_unlock(&g_evictor.lock);
}

// References to every registered VMO that is not dying, in registry order. The registry is
// rotated by one so repeated partial passes do not always start with the same VMO. Returns the
// count; |*out| is heap memory the caller frees (NULL when 0 or out of memory).
static size_t snapshot_registry(struct vm_object_paged*** out) {
  evictor_init_once();
  mutex_lock(&g_evictor.lock);
  size_t n = 0;
  struct vm_object_paged** vmos =
      g_evictor.registered ? heap_alloc(g_evictor.registered * sizeof(*vmos)) : NULL;
  if (vmos != NULL) {
    list_for_every(&g_evictor.sources, node) {
      struct page_source* src = list_entry(node, struct page_source, evictor_node);
      struct vm_object_paged* vmo = src->evictor_owner;
      if (vm_object_try_acquire(&vmo->base)) vmos[n++] = vmo;
    }
  }
  struct list_node* first = list_remove_head(&g_evictor.sources);
  if (first != NULL) list_add_tail(&g_evictor.sources, first);
  mutex_unlock(&g_evictor.lock);
  *out = vmos;
  return n;
}

static void release_snapshot(struct vm_object_paged** vmos, size_t n) {
  for (size_t i = 0; i < n; i++) vm_object_paged_release(vmos[i]);
  heap_free(vmos);
}

// ---- harvest ------------------------------------------------------------------------------------

static bool age_page(struct vm_page* page, uint64_t offset, void* ctx) {
  (void)offset;
  (void)ctx;
  if (vm_pager_page_state(page) == VM_PAGER_PAGE_CLEAN) {
    vm_pager_page_set_age(page, vm_pager_page_age(page) + 1);
  }
  return true;
}

struct harvest_ctx {
  struct vm_cow_pages* root;
  uint64_t accessed;
};

// arch harvest callback: runs under the arch lock, with the VMO lock held by the harvester (which
// guards the page's flags).
static void page_accessed(void* arg, paddr_t pa, vaddr_t va) {
  (void)va;
  struct harvest_ctx* ctx = arg;
  struct vm_page* page = paddr_to_vm_page(pa);
  if (page == NULL || page->state != VM_PAGE_STATE_OBJECT || page->owner != ctx->root) return;
  vm_pager_page_set_age(page, 0);
  ctx->accessed++;
}

// Harvests the accessed bits of every mapping of |vmo| (its own mapping tree). Mappings of clones
// that show root pages are not visited: their pages only age faster (see evictor.h).
static void harvest_mappings_locked(struct vm_object_paged* vmo, struct harvest_ctx* ctx)
    REQUIRES(&vmo->base.hierarchy->lock) {
  for (struct wavl_node* n = wavl_first(&vmo->base.mapping_tree); n; n = wavl_next(n)) {
    struct vm_object_mapping_node* mn = wavl_entry(n, struct vm_object_mapping_node, node);
    struct vm_mapping* m = containerof(mn, struct vm_mapping, vmo_node);
    // A mapping in the VMO's tree is alive and its geometry and aspace are constant under the VMO
    // lock (vm_mapping_fault.c relies on the same).
    zx_status_t status =
        arch_aspace_harvest_accessed(m->common.aspace->arch, vm_mapping_base(m),
                                     vm_mapping_size(m) / PAGE_SIZE, page_accessed, ctx);
    ZX_ASSERT_MSG(status == ZX_OK, "harvest of a live mapping failed: %d", status);
  }
}

static uint64_t harvest_vmo(struct vm_object_paged* vmo) {
  vm_object_lock(&vmo->base);
  vm_object_assert_held(&vmo->base);
  struct vm_cow_pages* root = vmo->cow;
  vm_cow_pages_assert_held(root);
  struct harvest_ctx ctx = {root, 0};
  if (root->page_source != NULL) {
    vm_page_list_for_every_page_in_range(&root->page_list, 0, root->size, age_page, NULL);
    harvest_mappings_locked(vmo, &ctx);
  }
  vm_object_unlock(&vmo->base);
  return ctx.accessed;
}

uint64_t vm_evictor_harvest(void) {
  struct vm_object_paged** vmos;
  size_t n = snapshot_registry(&vmos);
  uint64_t accessed = 0;
  for (size_t i = 0; i < n; i++) accessed += harvest_vmo(vmos[i]);
  release_snapshot(vmos, n);
  mutex_lock(&g_evictor.lock);
  g_evictor.stats.harvests++;
  g_evictor.stats.pages_accessed += accessed;
  mutex_unlock(&g_evictor.lock);
  return accessed;
}

// ---- eviction -----------------------------------------------------------------------------------

#define EVICT_BATCH 64u

struct evict_scan {
  uint32_t min_age;
  uint64_t want;
  uint64_t count;
  uint64_t offsets[EVICT_BATCH];
};

static bool collect_evictable(struct vm_page* page, uint64_t offset, void* arg) {
  struct evict_scan* s = arg;
  // ZX_VMO_OP_ALWAYS_NEED pages are protected from reclamation (Zircon lets extreme pressure
  // override the hint; zxvm has no such level, so the hint holds until DONT_NEED clears it).
  if (vm_pager_page_state(page) == VM_PAGER_PAGE_CLEAN && page->pin_count == 0 &&
      (page->flags & VM_PAGE_FLAG_ALWAYS_NEED) == 0 && vm_pager_page_age(page) >= s->min_age) {
    s->offsets[s->count++] = offset;
  }
  return s->count < s->want && s->count < EVICT_BATCH;
}

// Unmaps and frees the pages at s->offsets (ascending) of |root|, one range change per run.
static void evict_batch_locked(struct vm_cow_pages* root, const struct evict_scan* s)
    REQUIRES(&root->hierarchy->lock) {
  for (uint64_t i = 0; i < s->count;) {
    uint64_t j = i + 1;
    while (j < s->count && s->offsets[j] == s->offsets[j - 1] + PAGE_SIZE) j++;
    vm_cow_pages_range_change_locked(root, s->offsets[i], (j - i) * PAGE_SIZE,
                                     RANGE_CHANGE_OP_UNMAP);
    i = j;
  }
  for (uint64_t i = 0; i < s->count; i++) {
    struct vm_page* page = vm_page_list_remove(&root->page_list, s->offsets[i]);
    ZX_ASSERT(page != NULL);
    page->flags = 0;
    page->owner = NULL;
    pmm_free_page(page);
  }
  if (s->count != 0) root->committed_change_events++;
}

// Evicts up to |want| pages of age >= |min_age| from |vmo|. Returns the pages freed.
static uint64_t evict_vmo(struct vm_object_paged* vmo, uint32_t min_age, uint64_t want) {
  uint64_t freed = 0;
  vm_object_lock(&vmo->base);
  vm_object_assert_held(&vmo->base);
  struct vm_cow_pages* root = vmo->cow;
  vm_cow_pages_assert_held(root);
  // A detached VMO has left the registry, but may still be in a snapshot taken before.
  while (freed < want && root->page_source != NULL && !page_source_is_detached(root->page_source)) {
    struct evict_scan s = {.min_age = min_age, .want = want - freed, .count = 0};
    vm_page_list_for_every_page_in_range(&root->page_list, 0, root->size, collect_evictable, &s);
    if (s.count == 0) break;
    evict_batch_locked(root, &s);
    freed += s.count;
  }
  VM_VALIDATE(vm_object_paged_check_locked, vmo);
  vm_object_unlock(&vmo->base);
  return freed;
}

uint64_t vm_evictor_evict(uint64_t target_pages) {
  if (target_pages == 0) return 0;
  struct vm_object_paged** vmos;
  size_t n = snapshot_registry(&vmos);
  uint64_t freed = 0;
  // Oldest first: pages at the maximum age from every VMO, then the merely old enough.
  for (uint32_t min_age = VM_PAGE_AGE_MAX; min_age >= VM_EVICTOR_MIN_AGE && freed < target_pages;
       min_age--) {
    for (size_t i = 0; i < n && freed < target_pages; i++) {
      freed += evict_vmo(vmos[i], min_age, target_pages - freed);
    }
  }
  release_snapshot(vmos, n);
  mutex_lock(&g_evictor.lock);
  g_evictor.stats.pages_evicted += freed;
  mutex_unlock(&g_evictor.lock);
  return freed;
}

void vm_evictor_set_watermarks(uint64_t low_pages, uint64_t high_pages) {
  evictor_init_once();
  mutex_lock(&g_evictor.lock);
  g_evictor.low_pages = low_pages;
  g_evictor.high_pages = high_pages < low_pages ? low_pages : high_pages;
  mutex_unlock(&g_evictor.lock);
}

uint64_t vm_evictor_check_watermark(void) {
  evictor_init_once();
  mutex_lock(&g_evictor.lock);
  uint64_t low = g_evictor.low_pages, high = g_evictor.high_pages;
  mutex_unlock(&g_evictor.lock);
  if (low == 0) return 0;
  struct pmm_counts counts;
  pmm_get_counts(&counts);
  if (counts.free_pages >= low) return 0;
  return vm_evictor_evict(high - counts.free_pages);
}

bool vm_evictor_reclaim_for_allocation(void) {
  uint64_t freed = vm_evictor_evict(VM_EVICTOR_RECLAIM_BATCH);
  // Nothing old enough: memory is exhausted, so age now rather than fail the allocation. Each
  // harvest ages every clean page not accessed since the previous one; after VM_EVICTOR_MIN_AGE
  // of them the pages not touched in between are evictable, oldest first.
  for (uint32_t i = 0; freed == 0 && i < VM_EVICTOR_MIN_AGE; i++) {
    (void)vm_evictor_harvest();
    freed = vm_evictor_evict(VM_EVICTOR_RECLAIM_BATCH);
  }
  if (freed == 0) return false;
  mutex_lock(&g_evictor.lock);
  g_evictor.stats.reclaim_calls++;
  mutex_unlock(&g_evictor.lock);
  return true;
}

void vm_evictor_get_stats(struct vm_evictor_stats* out) {
  evictor_init_once();
  mutex_lock(&g_evictor.lock);
  *out = g_evictor.stats;
  out->registered = g_evictor.registered;
  mutex_unlock(&g_evictor.lock);
}
