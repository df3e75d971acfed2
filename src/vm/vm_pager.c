// Pager operations on pager-backed VMOs (see vm_pager.h): creation, supply (pages moved out of an
// auxiliary VMO), FAIL, DIRTY, WRITEBACK_BEGIN/END, dirty-range and stats queries, detach.
//
// Supply never holds two VMO locks at once: it reserves memory with no lock, takes the aux pages
// out under the aux lock alone (step 1), then installs them under the pager VMO's lock alone
// (step 2), re-checking what may have changed in between (size, detach). A page that loses the
// race (slot filled meanwhile, VMO shrunk or detached) is freed, as Zircon discards a supplied page
// for a slot that is already present.
#include "vm/vm_pager.h"

#include "base/checked_math.h"
#include "base/platform.h"
#include "vm/evictor.h"

static inline void pager_lock(struct vm_object_paged* vmo) ACQUIRE(&vmo->base.hierarchy->lock) {
  ZX_DEBUG_ASSERT_MAGIC(vmo, VM_OBJECT_PAGED_MAGIC);
  vm_object_lock(&vmo->base);
}

static inline void pager_unlock(struct vm_object_paged* vmo) RELEASE(&vmo->base.hierarchy->lock) {
  vm_object_unlock(&vmo->base);
}

// The root node of |vmo| if |vmo| is the pager VMO itself (the root's view at offset 0), else
// NULL: clones, slices and ordinary VMOs are not "from a pager".
static struct vm_cow_pages* pager_root_locked(struct vm_object_paged* vmo)
    REQUIRES(&vmo->base.hierarchy->lock) {
  vm_object_assert_held(&vmo->base);
  struct vm_cow_pages* cow = vmo->cow;
  vm_cow_pages_assert_held(cow);
  if (cow->parent != NULL || cow->page_source == NULL) return NULL;
  if (vm_object_paged_is_slice(vmo) || vmo->cow_offset != 0) return NULL;
  return cow;
}

// Checks [offset, offset + len) (page aligned) against |vmo|'s size: ZX_ERR_OUT_OF_RANGE.
static zx_status_t range_check_locked(struct vm_object_paged* vmo, uint64_t offset, uint64_t len)
    REQUIRES(&vmo->base.hierarchy->lock) {
  return range_in_bounds(offset, len, vm_object_paged_get_size_locked(vmo)) ? ZX_OK
                                                                            : ZX_ERR_OUT_OF_RANGE;
}

zx_status_t vm_pager_create_vmo(uint32_t options, uint64_t size, struct page_source* src,
                                struct vm_object_paged** out) {
  struct vm_object_paged* vmo;
  zx_status_t status = vm_object_paged_create(options, size, &vmo);
  if (status != ZX_OK) return status;
  pager_lock(vmo);
  vm_cow_pages_assert_held(vmo->cow);
  vm_cow_pages_pager_attach_locked(vmo->cow, src);
  pager_unlock(vmo);
  vm_evictor_register(src, vmo);
  *out = vmo;
  return ZX_OK;
}

struct page_source* vm_pager_vmo_source(struct vm_object_paged* vmo) {
  pager_lock(vmo);
  struct vm_cow_pages* root = pager_root_locked(vmo);
  struct page_source* src = root ? root->page_source : NULL;
  pager_unlock(vmo);
  return src;
}

// ---- supply -------------------------------------------------------------------------------------

// What one supply carries between its steps.
struct supply {
  uint64_t count;                        // pages
  struct vm_page** pages;                // [count]: the page for each offset, NULL once used
  struct vm_page_list_node_cache nodes;  // enough for any install of |count| pages
};

// Nodes any fill of |count| pages at |start| can need: the 16-page groups the range touches.
static uint64_t nodes_upper_bound(uint64_t start, uint64_t count) {
  uint64_t first = (start >> PAGE_SIZE_SHIFT) / VM_PAGE_LIST_NODE_PAGES;
  uint64_t last = ((start >> PAGE_SIZE_SHIFT) + count - 1) / VM_PAGE_LIST_NODE_PAGES;
  return last - first + 1;
}

static void supply_free(struct supply* s) {
  struct page_list leftover;
  page_list_init(&leftover);
  for (uint64_t i = 0; s->pages != NULL && i < s->count; i++) {
    struct vm_page* page = s->pages[i];
    if (page == NULL) continue;
    page->flags = 0;
    page->owner = NULL;
    page_list_add_tail(&leftover, page);
  }
  pmm_free_pages(&leftover);
  heap_free(s->pages);
  vm_page_list_node_cache_drain(&s->nodes);
}

// Checks an aux VMO (lock held): NOT_SUPPORTED (pager-backed), OUT_OF_RANGE, BAD_STATE (clone,
// children, pinned pages). |*out_start| = the node offset of |aux_offset|.
static zx_status_t aux_check_locked(struct vm_object_paged* aux, uint64_t aux_offset, uint64_t len,
                                    uint64_t* out_start) REQUIRES(&aux->base.hierarchy->lock) {
  struct vm_cow_pages* cow = aux->cow;
  vm_cow_pages_assert_held(cow);
  if (vm_cow_pages_is_pager_backed_locked(cow)) return ZX_ERR_NOT_SUPPORTED;
  zx_status_t status = range_check_locked(aux, aux_offset, len);
  if (status != ZX_OK) return status;
  if (cow->parent != NULL || cow->child_count != 0 || aux->child_count != 0) {
    return ZX_ERR_BAD_STATE;
  }
  uint64_t start = aux->cow_offset + aux_offset;  // inside the node: the view fits in it
  if (vm_cow_pages_pinned_in_range_locked(cow, start, start + len) != 0) return ZX_ERR_BAD_STATE;
  *out_start = start;
  return ZX_OK;
}

// Step 1: takes [aux_offset, +count pages) out of |aux| into s->pages (absent ones become zeroed
// pages), after unmapping the range from every mapping of aux. All or nothing.
static zx_status_t supply_take(struct supply* s, struct vm_object_paged* aux, uint64_t aux_offset) {
  uint64_t len = s->count * PAGE_SIZE, start;
  pager_lock(aux);
  zx_status_t status = aux_check_locked(aux, aux_offset, len, &start);
  if (status != ZX_OK) goto out_unlock;
  struct vm_cow_pages* cow = aux->cow;
  vm_cow_pages_assert_held(cow);
  uint64_t present, nodes;
  vm_page_list_count_range(&cow->page_list, start, start + len, &present, &nodes);
  struct page_list zeros;
  page_list_init(&zeros);
  status = pmm_alloc_pages(s->count - present, PMM_ALLOC_FLAG_ANY, &zeros);
  if (status != ZX_OK) goto out_unlock;
  // Cannot fail from here.
  vm_cow_pages_range_change_locked(cow, start, len, RANGE_CHANGE_OP_UNMAP);
  for (uint64_t i = 0; i < s->count; i++) {
    struct vm_page* page = vm_page_list_remove(&cow->page_list, start + i * PAGE_SIZE);
    if (page == NULL) {
      page = page_list_remove_head(&zeros);
      pmm_page_zero(page);
      pmm_page_set_state(page, VM_PAGE_STATE_OBJECT);
    }
    s->pages[i] = page;
  }
  ZX_ASSERT(page_list_is_empty(&zeros));
  if (present != 0) cow->committed_change_events++;
  VM_VALIDATE(vm_object_paged_check_locked, aux);
out_unlock:
  pager_unlock(aux);
  return status;
}

struct install_ctx {
  struct vm_cow_pages* root;
};

static void install_page(struct vm_page* page, uint64_t offset, void* arg) {
  struct install_ctx* ctx = arg;
  page->owner = ctx->root;
  page->object_page_index = offset >> PAGE_SIZE_SHIFT;
  page->flags = 0;  // CLEAN, age 0, no split bits
  vm_pager_page_set_state(page, VM_PAGER_PAGE_CLEAN);
}

// Step 2: installs s->pages at [offset, +count pages) of |vmo| where it has no page; completes the
// READ requests of the range.
static zx_status_t supply_install(struct supply* s, struct vm_object_paged* vmo, uint64_t offset) {
  uint64_t len = s->count * PAGE_SIZE;
  pager_lock(vmo);
  struct vm_cow_pages* root = pager_root_locked(vmo);
  zx_status_t status = root ? range_check_locked(vmo, offset, len) : ZX_ERR_INVALID_ARGS;
  if (status != ZX_OK) goto out_unlock;
  vm_cow_pages_assert_held(root);
  struct page_source* src = root->page_source;
  if (page_source_is_detached(src)) {
    status = ZX_ERR_BAD_STATE;
    goto out_unlock;
  }
  struct page_list fill;
  page_list_init(&fill);
  for (uint64_t i = 0; i < s->count; i++) {
    uint64_t y = offset + i * PAGE_SIZE;
    // Present pages win, and so does known-zero content (already "supplied" by the kernel).
    if (vm_page_list_lookup(&root->page_list, y) != NULL) continue;
    if (vm_cow_pages_pager_is_zero_locked(root, y)) continue;
    page_list_add_tail(&fill, s->pages[i]);
    s->pages[i] = NULL;
  }
  if (!page_list_is_empty(&fill)) {
    ZX_ASSERT(vm_page_list_nodes_needed(&root->page_list, offset, offset + len) <= s->nodes.count);
    struct install_ctx ctx = {root};
    vm_page_list_fill_range(&root->page_list, offset, offset + len, &fill, &s->nodes, install_page,
                            &ctx);
    root->committed_change_events++;
  }
  // Pager VMOs never map the zero page for absent pages (reads wait), so nothing is unmapped.
  page_source_on_pages_resolved(src, PAGE_SOURCE_READ, offset, len);
  VM_VALIDATE(vm_object_paged_check_locked, vmo);
out_unlock:
  pager_unlock(vmo);
  return status;
}

// Argument and pager-VMO checks before anything moves.
static zx_status_t supply_precheck(struct vm_object_paged* vmo, uint64_t offset, uint64_t len) {
  pager_lock(vmo);
  struct vm_cow_pages* root = pager_root_locked(vmo);
  zx_status_t status = root ? range_check_locked(vmo, offset, len) : ZX_ERR_INVALID_ARGS;
  if (status == ZX_OK && page_source_is_detached(root->page_source)) status = ZX_ERR_BAD_STATE;
  pager_unlock(vmo);
  return status;
}

zx_status_t vm_pager_supply_pages(struct vm_object_paged* vmo, uint64_t offset, uint64_t len,
                                  struct vm_object_paged* aux, uint64_t aux_offset) {
  if (!IS_PAGE_ALIGNED(offset) || !IS_PAGE_ALIGNED(len) || !IS_PAGE_ALIGNED(aux_offset)) {
    return ZX_ERR_INVALID_ARGS;
  }
  if (aux == vmo) return ZX_ERR_INVALID_ARGS;
  uint64_t end;
  if (!add_u64(offset, len, &end) || !add_u64(aux_offset, len, &end)) return ZX_ERR_OUT_OF_RANGE;
  zx_status_t status = supply_precheck(vmo, offset, len);
  if (status != ZX_OK || len == 0) return status;
  struct supply s = {.count = len >> PAGE_SIZE_SHIFT};
  vm_page_list_node_cache_init(&s.nodes);
  s.pages = heap_calloc(s.count, sizeof(*s.pages));
  if (s.pages == NULL) return ZX_ERR_NO_MEMORY;
  status = vm_page_list_node_cache_fill(&s.nodes, nodes_upper_bound(offset, s.count));
  if (status == ZX_OK) status = supply_take(&s, aux, aux_offset);
  if (status == ZX_OK) status = supply_install(&s, vmo, offset);
  supply_free(&s);
  // Supplies are what fills memory with pager pages: keep it above the low watermark (if set).
  if (status == ZX_OK) (void)vm_evictor_check_watermark();
  return status;
}

// ---- op_range -----------------------------------------------------------------------------------

struct state_change {
  uint32_t from_mask;  // bit per state (1 << state) that changes
  enum vm_pager_page_state to;
  uint64_t changed;
};

static bool change_state(struct vm_page* page, uint64_t offset, void* arg) {
  (void)offset;
  struct state_change* c = arg;
  if ((c->from_mask >> vm_pager_page_state(page)) & 1u) {
    vm_pager_page_set_state(page, c->to);
    c->changed++;
  }
  return true;
}

static void set_states_locked(struct vm_cow_pages* root, uint64_t offset, uint64_t end,
                              uint32_t from_mask, enum vm_pager_page_state to)
    REQUIRES(&root->hierarchy->lock) {
  struct state_change c = {from_mask, to, 0};
  vm_page_list_for_every_page_in_range(&root->page_list, offset, end, change_state, &c);
}

// Pages of [offset, end) in dirty zero intervals.
static uint64_t zero_pages_in_range_locked(struct vm_cow_pages* root, uint64_t offset, uint64_t end)
    REQUIRES(&root->hierarchy->lock) {
  uint64_t pages = 0;
  for (struct vm_pager_zero_interval* z = vm_cow_pages_pager_zero_next_locked(root, offset);
       z != NULL && z->start < end; z = vm_cow_pages_pager_zero_after_locked(root, z)) {
    pages += (min_u64(z->end, end) - max_u64(z->start, offset)) >> PAGE_SIZE_SHIFT;
  }
  return pages;
}

// ZX_PAGER_OP_DIRTY: every page of the range must be present or known zero. Known-zero offsets get
// zeroed DIRTY pages (Zircon commits them too: a dirty page that a waiting write can then use).
static zx_status_t op_dirty_locked(struct vm_cow_pages* root, uint64_t offset, uint64_t end)
    REQUIRES(&root->hierarchy->lock) {
  uint64_t present, nodes;
  vm_page_list_count_range(&root->page_list, offset, end, &present, &nodes);
  uint64_t zero = zero_pages_in_range_locked(root, offset, end);
  if (present + zero != (end - offset) >> PAGE_SIZE_SHIFT) return ZX_ERR_NOT_FOUND;
  // A failed allocation stops here: pages already filled hold zeros and are DIRTY, which is what
  // the interval said of them, so the VMO is consistent and the pager may retry.
  for (uint64_t y = offset; zero != 0 && y < end; y += PAGE_SIZE) {
    if (vm_page_list_lookup(&root->page_list, y) != NULL) continue;
    struct vm_page* page;
    zx_status_t status = vm_cow_pages_pager_fill_zero_locked(root, y, false, NULL, &page);
    if (status != ZX_OK) return status;
  }
  set_states_locked(root, offset, end,
                    1u << VM_PAGER_PAGE_CLEAN | 1u << VM_PAGER_PAGE_AWAITING_CLEAN,
                    VM_PAGER_PAGE_DIRTY);
  page_source_on_pages_resolved(root->page_source, PAGE_SOURCE_DIRTY, offset, end - offset);
  return ZX_OK;
}

static zx_status_t op_apply_locked(struct vm_cow_pages* root, uint32_t op, uint64_t offset,
                                   uint64_t end, uint64_t data) REQUIRES(&root->hierarchy->lock) {
  struct page_source* src = root->page_source;
  switch (op) {
    case ZX_PAGER_OP_FAIL:
      if (page_source_is_detached(src)) return ZX_ERR_BAD_STATE;
      return page_source_on_pages_failed(src, offset, end - offset, (zx_status_t)(int64_t)data);
    case ZX_PAGER_OP_DIRTY:
      if (page_source_is_detached(src)) return ZX_ERR_BAD_STATE;
      return op_dirty_locked(root, offset, end);
    case ZX_PAGER_OP_WRITEBACK_BEGIN:
      // Mappings lose write first, so a write during writeback faults and re-dirties the page.
      vm_cow_pages_range_change_locked(root, offset, end - offset, RANGE_CHANGE_OP_REMOVE_WRITE);
      // Writing a range back as zeros (ZX_VMO_DIRTY_RANGE_IS_ZERO) takes only the known-zero
      // content: a page written since the query holds data the pager is not writing back.
      if (data != ZX_VMO_DIRTY_RANGE_IS_ZERO) {
        set_states_locked(root, offset, end, 1u << VM_PAGER_PAGE_DIRTY,
                          VM_PAGER_PAGE_AWAITING_CLEAN);
      }
      vm_cow_pages_pager_zero_writeback_begin_locked(root, offset, end);
      return ZX_OK;
    case ZX_PAGER_OP_WRITEBACK_END:
      set_states_locked(root, offset, end, 1u << VM_PAGER_PAGE_AWAITING_CLEAN, VM_PAGER_PAGE_CLEAN);
      vm_cow_pages_pager_zero_writeback_end_locked(root, offset, end);
      return ZX_OK;
    default:
      return ZX_ERR_INVALID_ARGS;
  }
}

// Argument checks that need no lock.
static zx_status_t op_check_args(uint32_t op, uint64_t offset, uint64_t len, uint64_t data) {
  if (op < ZX_PAGER_OP_FAIL || op > ZX_PAGER_OP_WRITEBACK_END) return ZX_ERR_INVALID_ARGS;
  if (!IS_PAGE_ALIGNED(offset) || !IS_PAGE_ALIGNED(len)) return ZX_ERR_INVALID_ARGS;
  if (op == ZX_PAGER_OP_FAIL) {
    int64_t code = (int64_t)data;
    if (code < INT32_MIN || code > INT32_MAX || !page_source_fail_status_valid((zx_status_t)code)) {
      return ZX_ERR_INVALID_ARGS;
    }
  }
  if (op == ZX_PAGER_OP_WRITEBACK_BEGIN && data != 0 && data != ZX_VMO_DIRTY_RANGE_IS_ZERO) {
    return ZX_ERR_INVALID_ARGS;
  }
  return ZX_OK;
}

zx_status_t vm_pager_op_range(struct vm_object_paged* vmo, uint32_t op, uint64_t offset,
                              uint64_t len, uint64_t data) {
  zx_status_t status = op_check_args(op, offset, len, data);
  if (status != ZX_OK) return status;
  uint64_t end;
  if (!add_u64(offset, len, &end)) return ZX_ERR_OUT_OF_RANGE;
  pager_lock(vmo);
  struct vm_cow_pages* root = pager_root_locked(vmo);
  status = root ? range_check_locked(vmo, offset, len) : ZX_ERR_INVALID_ARGS;
  if (status == ZX_OK && len != 0) {
    vm_cow_pages_assert_held(root);
    status = op_apply_locked(root, op, offset, end, data);
    VM_VALIDATE(vm_object_paged_check_locked, vmo);
  }
  pager_unlock(vmo);
  return status;
}

// ---- queries ------------------------------------------------------------------------------------

struct dirty_walk {
  zx_vmo_dirty_range_t* out;
  size_t max, written, avail;
  bool open;  // a range is being extended
  zx_vmo_dirty_range_t cur;
};

static void dirty_walk_close(struct dirty_walk* w) {
  if (!w->open) return;
  if (w->written < w->max) w->out[w->written++] = w->cur;
  w->avail++;
  w->open = false;
}

// Adds dirty [offset, offset + len) with |options|; called in offset order. Adjacent runs with the
// same options form one range.
static void dirty_walk_add(struct dirty_walk* w, uint64_t offset, uint64_t len, uint64_t options) {
  if (w->open && (w->cur.options != options || w->cur.offset + w->cur.length != offset)) {
    dirty_walk_close(w);
  }
  if (w->open) {
    w->cur.length += len;
  } else {
    w->cur = (zx_vmo_dirty_range_t){.offset = offset, .length = len, .options = options};
    w->open = true;
  }
}

struct dirty_page_walk {
  struct dirty_walk* w;
  struct vm_cow_pages* root;
  uint64_t zero_from;  // zero-interval offsets below this were added already
  uint64_t end;
};

// Adds the zero-interval parts of [p->zero_from, upto) (clipped to the walk's end).
static void dirty_walk_zero_upto(struct dirty_page_walk* p,
                                 uint64_t upto) NO_THREAD_SAFETY_ANALYSIS {
  // Called under the root's lock (vm_pager_query_dirty_ranges).
  upto = min_u64(upto, p->end);
  for (struct vm_pager_zero_interval* z =
           vm_cow_pages_pager_zero_next_locked(p->root, p->zero_from);
       z != NULL && z->start < upto; z = vm_cow_pages_pager_zero_after_locked(p->root, z)) {
    uint64_t a = max_u64(z->start, p->zero_from), b = min_u64(z->end, upto);
    if (a < b) dirty_walk_add(p->w, a, b - a, ZX_VMO_DIRTY_RANGE_IS_ZERO);
  }
  p->zero_from = max_u64(p->zero_from, upto);
}

static bool dirty_walk_page(struct vm_page* page, uint64_t offset, void* arg) {
  struct dirty_page_walk* p = arg;
  dirty_walk_zero_upto(p, offset);  // intervals never hold pages: all of them lie before |offset|
  enum vm_pager_page_state st = vm_pager_page_state(page);
  if (st == VM_PAGER_PAGE_DIRTY || st == VM_PAGER_PAGE_AWAITING_CLEAN) {
    dirty_walk_add(p->w, offset, PAGE_SIZE, 0);
  }
  return true;
}

zx_status_t vm_pager_query_dirty_ranges(struct vm_object_paged* vmo, uint64_t offset, uint64_t len,
                                        zx_vmo_dirty_range_t* out, size_t max, size_t* actual,
                                        size_t* avail) {
  uint64_t end;
  if (!add_u64(offset, len, &end)) return ZX_ERR_OUT_OF_RANGE;
  pager_lock(vmo);
  struct vm_cow_pages* root = pager_root_locked(vmo);
  zx_status_t status = root ? ZX_OK : ZX_ERR_INVALID_ARGS;
  uint64_t size = status == ZX_OK ? vm_object_paged_get_size_locked(vmo) : 0;
  if (status == ZX_OK && end > size) status = ZX_ERR_OUT_OF_RANGE;
  struct dirty_walk w = {.out = out, .max = out ? max : 0};
  if (status == ZX_OK && len != 0) {
    vm_cow_pages_assert_held(root);
    uint64_t start = ROUNDDOWN_PAGE(offset);
    uint64_t stop = ROUNDDOWN_PAGE(end + PAGE_MASK);  // end <= size <= max: no overflow
    struct dirty_page_walk p = {.w = &w, .root = root, .zero_from = start, .end = stop};
    vm_page_list_for_every_page_in_range(&root->page_list, start, stop, dirty_walk_page, &p);
    dirty_walk_zero_upto(&p, stop);
    dirty_walk_close(&w);
  }
  pager_unlock(vmo);
  if (status != ZX_OK) return status;
  if (actual) *actual = w.written;
  if (avail) *avail = w.avail;
  return ZX_OK;
}

zx_status_t vm_pager_query_vmo_stats(struct vm_object_paged* vmo, bool reset,
                                     uint32_t* out_modified) {
  struct page_source* src = vm_pager_vmo_source(vmo);
  if (src == NULL) return ZX_ERR_INVALID_ARGS;
  // |src| lives as long as the VMO's root, which the caller's reference keeps.
  *out_modified = page_source_query_modified(src, reset) ? ZX_PAGER_VMO_STATS_MODIFIED : 0;
  return ZX_OK;
}

// Zircon's DetachSource: every mapping of the root's range (its clones' too) is unmapped, and the
// pages the pager would have to supply again, CLEAN ones, are freed, so that later accesses to
// them, through the VMO or through a clone that has not forked them, fail with ZX_ERR_BAD_STATE
// like any absent page. DIRTY and AWAITING_CLEAN pages and the dirty zero intervals stay for the
// pager to write back. A pinned page stays too (Zircon never finds a clean one pinned here).
static void detach_drop_clean_pages_locked(struct vm_cow_pages* root)
    REQUIRES(&root->hierarchy->lock) {
  vm_cow_pages_range_change_locked(root, 0, root->size, RANGE_CHANGE_OP_UNMAP);
  uint64_t offset = 0, freed = 0, x;
  struct vm_page* page;
  while (offset < root->size && (page = vm_page_list_next_page(&root->page_list, offset, &x))) {
    ZX_DEBUG_ASSERT(!vm_page_is_marker(page) && x >= offset);
    if (vm_pager_page_state(page) == VM_PAGER_PAGE_CLEAN && page->pin_count == 0) {
      freed += vm_cow_pages_free_range_locked(root, x, x + PAGE_SIZE);
    }
    offset = x + PAGE_SIZE;
  }
  if (freed != 0) root->committed_change_events++;
}

zx_status_t vm_pager_detach_vmo(struct vm_object_paged* vmo, bool send_complete) {
  pager_lock(vmo);
  struct vm_cow_pages* root = pager_root_locked(vmo);
  zx_status_t status = ZX_ERR_INVALID_ARGS;
  if (root != NULL) {
    vm_cow_pages_assert_held(root);
    status = page_source_detach(root->page_source, send_complete);
    if (status == ZX_OK) {
      // What is left is dirty: nothing for the evictor (a clean page could not be read back).
      vm_evictor_unregister(root->page_source);
      detach_drop_clean_pages_locked(root);
      VM_VALIDATE(vm_object_paged_check_locked, vmo);
    }
  }
  pager_unlock(vmo);
  return status;
}

void vm_pager_source_pager_gone(struct page_source* src) {
  (void)page_source_detach(src, false);
  // The evictor re-checks detachment under the VMO lock before evicting, so leaving without that
  // lock is safe.
  vm_evictor_unregister(src);
}

int vm_pager_debug_page_state(struct vm_object_paged* vmo, uint64_t offset) {
  pager_lock(vmo);
  struct vm_cow_pages* root = pager_root_locked(vmo);
  int state = -1;
  if (root != NULL) {
    vm_cow_pages_assert_held(root);
    struct vm_page* page = vm_page_list_lookup(&root->page_list, ROUNDDOWN_PAGE(offset));
    if (page != NULL) state = (int)vm_pager_page_state(page);
  }
  pager_unlock(vmo);
  return state;
}

int vm_pager_debug_page_age(struct vm_object_paged* vmo, uint64_t offset) {
  pager_lock(vmo);
  struct vm_cow_pages* root = pager_root_locked(vmo);
  int age = -1;
  if (root != NULL) {
    vm_cow_pages_assert_held(root);
    struct vm_page* page = vm_page_list_lookup(&root->page_list, ROUNDDOWN_PAGE(offset));
    if (page != NULL) age = (int)vm_pager_page_age(page);
  }
  pager_unlock(vmo);
  return age;
}
