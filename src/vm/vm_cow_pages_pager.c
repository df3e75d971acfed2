// The cow-side pager hooks (vm_cow_pages_pager.h, vm_pager.h): what a pager-backed root node does
// when a lookup finds a page absent (ask the pager for the run of absent pages the access covers,
// or read zero in a dirty zero interval), when a write is about to modify one of its pages (dirty
// tracking), which of its pages may be mapped writable, how it grows and shrinks, and what happens
// to its page source when the node dies. It also owns the root's dirty zero intervals.
//
// Invariants: a page of a pager-backed root is mapped writable only while DIRTY (every transition
// away from DIRTY, WRITEBACK_BEGIN in vm_pager.c, removes write permission from the mappings
// first). Dirty zero intervals are sorted, non-empty, page aligned, disjoint, never adjacent (a new
// one merges with its neighbours) and inside the root; the root owns no page inside one
// (vm_cow_pages_pager_check_locked).
//
// Request batching follows Zircon: a READ or DIRTY request covers the run from the needed page
// over the pages in the same state, but never beyond what the access itself covers
// (multi_page_request.access_len: one page for a fault, the rest of the range for a VMO read,
// write or commit). Absent pages behind a present page, behind a zero interval, or past the end
// of the accessing view are not asked for.
#include "base/checked_math.h"
#include "base/platform.h"
#include "vm/evictor.h"
#include "vm/page_request.h"
#include "vm/vm_pager.h"

static inline struct page_source* root_source(struct vm_cow_pages* root)
    REQUIRES(&root->hierarchy->lock) {
  vm_cow_pages_assert_held(root);
  ZX_DEBUG_ASSERT(root->parent == NULL && root->page_source != NULL);
  return root->page_source;
}

// ---- dirty zero intervals: lookups ------------------------------------------------------------

static inline struct vm_pager_zero_interval* zi_entry(struct list_node* n) {
  return list_entry(n, struct vm_pager_zero_interval, node);
}

struct vm_pager_zero_interval* vm_cow_pages_pager_zero_next_locked(struct vm_cow_pages* root,
                                                                   uint64_t offset) {
  struct page_source* src = root_source(root);
  list_for_every(&src->zero_intervals, n) {
    if (zi_entry(n)->end > offset) return zi_entry(n);
  }
  return NULL;
}

struct vm_pager_zero_interval* vm_cow_pages_pager_zero_after_locked(
    struct vm_cow_pages* root, struct vm_pager_zero_interval* z) {
  struct page_source* src = root_source(root);
  return z->node.next == &src->zero_intervals ? NULL : zi_entry(z->node.next);
}

bool vm_cow_pages_pager_is_zero_locked(struct vm_cow_pages* root, uint64_t offset) {
  struct vm_pager_zero_interval* z = vm_cow_pages_pager_zero_next_locked(root, offset);
  return z != NULL && z->start <= offset;
}

// The most a request for the page at |offset| may cover: the batch cap, the end of |root| and what
// the access covers (|req|->access_len).
static uint64_t request_limit_locked(struct vm_cow_pages* root, uint64_t offset,
                                     const struct multi_page_request* req)
    REQUIRES(&root->hierarchy->lock) {
  uint64_t limit = min_u64(root->size - offset, (uint64_t)PAGE_SOURCE_MAX_BATCH_PAGES * PAGE_SIZE);
  return min_u64(limit, ROUNDDOWN_PAGE(req->access_len + PAGE_MASK));
}

// Bytes from |offset| over absent pages outside zero intervals, within request_limit_locked.
static uint64_t absent_run_locked(struct vm_cow_pages* root, uint64_t offset,
                                  const struct multi_page_request* req)
    REQUIRES(&root->hierarchy->lock) {
  uint64_t limit = request_limit_locked(root, offset, req);
  uint64_t next;
  if (vm_page_list_next_page(&root->page_list, offset, &next) != NULL && next - offset < limit) {
    limit = next - offset;
  }
  struct vm_pager_zero_interval* z = vm_cow_pages_pager_zero_next_locked(root, offset);
  if (z != NULL && z->start - offset < limit) limit = z->start - offset;  // z->start > offset
  return limit;
}

zx_status_t vm_cow_pages_pager_missing_locked(struct vm_cow_pages* root, uint64_t offset,
                                              bool write, struct multi_page_request* req) {
  struct page_source* src = root_source(root);
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(offset) && offset < root->size);
  ZX_DEBUG_ASSERT(vm_page_list_lookup(&root->page_list, offset) == NULL);
  // Known zero: no request, for reads and writes alike (the writer's own path commits the page).
  if (vm_cow_pages_pager_is_zero_locked(root, offset)) return ZX_ERR_NOT_FOUND;
  // A write to an absent page needs its contents first: it asks for a READ like a read does and
  // goes through prepare_write once the page is there.
  (void)write;
  if (req == NULL) return page_source_is_detached(src) ? ZX_ERR_BAD_STATE : ZX_ERR_SHOULD_WAIT;
  return page_source_request_page(src, PAGE_SOURCE_READ, offset,
                                  absent_run_locked(root, offset, req), req);
}

bool vm_cow_pages_pager_page_writable_locked(struct vm_cow_pages* owner,
                                             const struct vm_page* page) {
  vm_cow_pages_assert_held(owner);
  if (owner->page_source == NULL) return true;
  return vm_pager_page_state(page) == VM_PAGER_PAGE_DIRTY;
}

// Bytes from |offset| over pages a write must ask DIRTY for (present and not DIRTY, or in a dirty
// zero interval), within request_limit_locked: the range one DIRTY request asks for.
static uint64_t clean_run_locked(struct vm_cow_pages* root, uint64_t offset,
                                 const struct multi_page_request* req)
    REQUIRES(&root->hierarchy->lock) {
  uint64_t limit = request_limit_locked(root, offset, req);
  uint64_t len = PAGE_SIZE;
  while (len < limit) {
    struct vm_page* p = vm_page_list_lookup(&root->page_list, offset + len);
    if (p == NULL ? !vm_cow_pages_pager_is_zero_locked(root, offset + len)
                  : vm_pager_page_state(p) == VM_PAGER_PAGE_DIRTY) {
      break;
    }
    len += PAGE_SIZE;
  }
  return len;
}

// Asks DIRTY for the page at |offset| (see vm_cow_pages_pager_prepare_write_locked).
static zx_status_t request_dirty_locked(struct vm_cow_pages* root, uint64_t offset,
                                        struct multi_page_request* req)
    REQUIRES(&root->hierarchy->lock) {
  struct page_source* src = root_source(root);
  if (req == NULL) return page_source_is_detached(src) ? ZX_ERR_BAD_STATE : ZX_ERR_SHOULD_WAIT;
  return page_source_request_page(src, PAGE_SOURCE_DIRTY, offset,
                                  clean_run_locked(root, offset, req), req);
}

zx_status_t vm_cow_pages_pager_prepare_write_locked(struct vm_cow_pages* root, uint64_t offset,
                                                    struct vm_page* page,
                                                    struct multi_page_request* req) {
  struct page_source* src = root_source(root);
  ZX_DEBUG_ASSERT(page->owner == root && page->object_page_index == offset >> PAGE_SIZE_SHIFT);
  vm_pager_page_touch(page);
  if (vm_pager_page_state(page) == VM_PAGER_PAGE_DIRTY) {
    page_source_mark_modified(src);
    return ZX_OK;
  }
  if (!page_source_trap_dirty(src)) {
    vm_pager_page_set_state(page, VM_PAGER_PAGE_DIRTY);
    page_source_mark_modified(src);
    return ZX_OK;
  }
  return request_dirty_locked(root, offset, req);
}

// ---- dirty zero intervals: changes ------------------------------------------------------------

static void zi_free(struct vm_pager_zero_interval* z) {
  list_delete(&z->node);
  heap_free(z);
}

// Removes page |offset| from interval |z| (which holds it). A split needs a new node:
// ZX_ERR_NO_MEMORY with nothing changed.
static zx_status_t zi_carve(struct vm_pager_zero_interval* z, uint64_t offset) {
  ZX_DEBUG_ASSERT(z->start <= offset && offset < z->end);
  if (z->start + PAGE_SIZE == z->end) {
    zi_free(z);
  } else if (offset == z->start) {
    z->start += PAGE_SIZE;  // the AwaitingClean extent's end stays where it was
  } else if (offset + PAGE_SIZE == z->end) {
    z->end = offset;  // truncated at the end: the extent is left as it is (Zircon)
  } else {
    struct vm_pager_zero_interval* right = heap_alloc(sizeof(*right));
    if (right == NULL) return ZX_ERR_NO_MEMORY;
    right->start = offset + PAGE_SIZE;
    right->end = z->end;
    right->ac_end = 0;  // a new start sentinel: nothing AwaitingClean (Zircon's split)
    z->end = offset;
    list_add_after(&z->node, &right->node);
  }
  return ZX_OK;
}

// Makes [start, end) (page aligned, no page of |root| inside) part of the dirty zero intervals,
// merging every interval it overlaps or touches into one. The merged interval keeps the
// AwaitingClean extent of an interval that starts at or before |start|; the others' extents go
// with their start sentinels. ZX_ERR_NO_MEMORY with nothing changed.
static zx_status_t zi_add_locked(struct vm_cow_pages* root, uint64_t start, uint64_t end)
    REQUIRES(&root->hierarchy->lock) {
  struct page_source* src = root_source(root);
  struct vm_pager_zero_interval* first = NULL;  // the merged interval
  struct list_node* at = &src->zero_intervals;  // insert after this if nothing merges
  list_for_every_safe(&src->zero_intervals, n, tmp) {
    struct vm_pager_zero_interval* z = zi_entry(n);
    if (z->end < start) {
      at = n;
      continue;
    }
    if (z->start > end) break;
    if (first == NULL) {
      first = z;
      if (z->start > start) {
        z->start = start;
        z->ac_end = 0;
      }
      z->end = max_u64(z->end, end);
    } else {
      first->end = max_u64(first->end, z->end);
      zi_free(z);
    }
  }
  if (first != NULL) return ZX_OK;
  struct vm_pager_zero_interval* z = heap_alloc(sizeof(*z));
  if (z == NULL) return ZX_ERR_NO_MEMORY;
  z->start = start;
  z->end = end;
  z->ac_end = 0;
  list_add_after(at, &z->node);
  return ZX_OK;
}

// Cuts the intervals at |size|.
static void zi_trim_locked(struct vm_cow_pages* root, uint64_t size)
    REQUIRES(&root->hierarchy->lock) {
  struct page_source* src = root_source(root);
  list_for_every_safe(&src->zero_intervals, n, tmp) {
    struct vm_pager_zero_interval* z = zi_entry(n);
    if (z->start >= size) {
      zi_free(z);
    } else if (z->end > size) {
      z->end = size;
    }
  }
}

void vm_cow_pages_pager_shrink_locked(struct vm_cow_pages* root, uint64_t new_size) {
  struct page_source* src = root_source(root);
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(new_size) && new_size <= root->size);
  uint64_t len = root->size - new_size;
  page_source_on_pages_resolved(src, PAGE_SOURCE_READ, new_size, len);
  page_source_on_pages_resolved(src, PAGE_SOURCE_DIRTY, new_size, len);
  zi_trim_locked(root, new_size);
  page_source_mark_modified(src);
}

zx_status_t vm_cow_pages_pager_grow_locked(struct vm_cow_pages* root, uint64_t new_size) {
  struct page_source* src = root_source(root);
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(new_size) && new_size > root->size);
  zx_status_t status = zi_add_locked(root, root->size, new_size);
  if (status == ZX_OK) page_source_mark_modified(src);
  return status;
}

zx_status_t vm_cow_pages_pager_fill_zero_locked(struct vm_cow_pages* root, uint64_t offset,
                                                bool write, struct multi_page_request* req,
                                                struct vm_page** out) {
  struct page_source* src = root_source(root);
  struct vm_pager_zero_interval* z = vm_cow_pages_pager_zero_next_locked(root, offset);
  ZX_DEBUG_ASSERT(z != NULL && z->start <= offset);
  ZX_DEBUG_ASSERT(vm_page_list_lookup(&root->page_list, offset) == NULL);
  if (write && page_source_trap_dirty(src)) return request_dirty_locked(root, offset, req);
  struct vm_page* page;
  // Allocate first: the carve is the last step that can fail, and a carved offset must hold a page.
  zx_status_t status = vm_cow_pages_alloc_page_locked(root, offset, false, &page);
  if (status != ZX_OK) return status;
  status = zi_carve(z, offset);
  if (status != ZX_OK) {
    vm_cow_pages_free_page_locked(root, offset);
    return status;
  }
  vm_pager_page_set_state(page, VM_PAGER_PAGE_DIRTY);
  // Mappings may show the zero page here (reads of the interval).
  vm_cow_pages_range_change_locked(root, offset, PAGE_SIZE, RANGE_CHANGE_OP_UNMAP_ZERO_PAGE);
  if (write) page_source_mark_modified(src);
  *out = page;
  return ZX_OK;
}

zx_status_t vm_cow_pages_pager_zero_pages_locked(struct vm_cow_pages* root, uint64_t start,
                                                 uint64_t end) {
  struct page_source* src = root_source(root);
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(start) && IS_PAGE_ALIGNED(end) && start < end);
  if (vm_cow_pages_pinned_in_range_locked(root, start, end) != 0) return ZX_ERR_BAD_STATE;
  // The interval's node is the only allocation: add it first (zi_add_locked does not look at
  // pages), then free the pages it now covers, so a failure changes nothing.
  zx_status_t status = zi_add_locked(root, start, end);
  if (status != ZX_OK) return status;
  vm_cow_pages_range_change_locked(root, start, end - start, RANGE_CHANGE_OP_UNMAP);
  if (vm_cow_pages_free_range_locked(root, start, end) != 0) root->committed_change_events++;
  page_source_on_pages_resolved(src, PAGE_SOURCE_READ, start, end - start);
  page_source_mark_modified(src);
  return ZX_OK;
}

void vm_cow_pages_pager_zero_writeback_begin_locked(struct vm_cow_pages* root, uint64_t start,
                                                    uint64_t end) {
  struct page_source* src = root_source(root);
  list_for_every(&src->zero_intervals, n) {
    struct vm_pager_zero_interval* z = zi_entry(n);
    if (z->start >= end) break;
    if (z->start < start) continue;  // begun partway in: Zircon never sees its start
    z->ac_end = max_u64(z->ac_end, min_u64(z->end, end));
  }
}

void vm_cow_pages_pager_zero_writeback_end_locked(struct vm_cow_pages* root, uint64_t start,
                                                  uint64_t end) {
  struct page_source* src = root_source(root);
  uint64_t ac_end = start;  // the furthest AwaitingClean extent seen so far
  list_for_every_safe(&src->zero_intervals, n, tmp) {
    struct vm_pager_zero_interval* z = zi_entry(n);
    if (z->start >= end) break;
    if (z->start < start) continue;
    ac_end = max_u64(ac_end, max_u64(z->ac_end, z->start));
    uint64_t clean_end = z->end <= end ? ac_end : min_u64(ac_end, end);
    if (clean_end >= z->end) {
      zi_free(z);
    } else if (clean_end > z->start) {
      z->start = clean_end;  // the cleaned head becomes absent again; the extent's end stays
    }
  }
}

void vm_cow_pages_pager_check_locked(struct vm_cow_pages* root) {
  struct page_source* src = root_source(root);
  uint64_t prev_end = 0;
  bool first = true;
  list_for_every(&src->zero_intervals, n) {
    struct vm_pager_zero_interval* z = zi_entry(n);
    ZX_ASSERT_MSG(IS_PAGE_ALIGNED(z->start) && IS_PAGE_ALIGNED(z->end) && z->start < z->end &&
                      z->end <= root->size,
                  "root %p zero interval [%#lx, %#lx) bad (size %#lx)", (void*)root,
                  (unsigned long)z->start, (unsigned long)z->end, (unsigned long)root->size);
    ZX_ASSERT_MSG(first || z->start > prev_end,
                  "root %p zero interval at %#lx overlaps or touches the previous (end %#lx)",
                  (void*)root, (unsigned long)z->start, (unsigned long)prev_end);
    uint64_t page_offset;
    struct vm_page* p = vm_page_list_next_page(&root->page_list, z->start, &page_offset);
    ZX_ASSERT_MSG(p == NULL || page_offset >= z->end,
                  "root %p owns a page at %#lx inside zero interval [%#lx, %#lx)", (void*)root,
                  (unsigned long)page_offset, (unsigned long)z->start, (unsigned long)z->end);
    prev_end = z->end;
    first = false;
  }
}

static void zi_free_all_locked(struct vm_cow_pages* root) REQUIRES(&root->hierarchy->lock) {
  struct page_source* src = root_source(root);
  list_for_every_safe(&src->zero_intervals, n, tmp) zi_free(zi_entry(n));
}

void vm_cow_pages_pager_attach_locked(struct vm_cow_pages* root, struct page_source* src) {
  vm_cow_pages_assert_held(root);
  ZX_ASSERT(root->parent == NULL && root->page_source == NULL && root->child_count == 0);
  ZX_ASSERT(vm_page_list_count(&root->page_list) == 0);
  page_source_acquire(src);
  root->page_source = src;
}

void vm_cow_pages_pager_destroy_locked(struct vm_cow_pages* root) {
  vm_cow_pages_assert_held(root);
  struct page_source* src = root->page_source;
  if (src == NULL) return;
  zi_free_all_locked(root);
  // The last reference to the VMO went: the pager hears COMPLETE unless it detached already.
  (void)page_source_detach(src, true);
  vm_evictor_unregister(src);
  root->page_source = NULL;
  page_source_release(src);
}
