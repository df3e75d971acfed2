// The cow-side pager hooks (vm_cow_pages_pager.h, vm_pager.h): what a pager-backed root node does
// when a lookup finds a page absent (ask the pager for the run of absent pages), when a write is
// about to modify one of its pages (dirty tracking), which of its pages may be mapped writable, and
// what happens to its page source when the node dies.
//
// Invariant: a page of a pager-backed root is mapped writable only while DIRTY. Every transition
// away from DIRTY (WRITEBACK_BEGIN, vm_pager.c) removes write permission from the mappings first.
#include "base/checked_math.h"
#include "vm/evictor.h"
#include "vm/vm_pager.h"

static inline struct page_source* root_source(struct vm_cow_pages* root)
    REQUIRES(&root->hierarchy->lock) {
  vm_cow_pages_assert_held(root);
  ZX_DEBUG_ASSERT(root->parent == NULL && root->page_source != NULL);
  return root->page_source;
}

// Bytes from |offset| to the first present page, the end of |root| or the batch cap.
static uint64_t absent_run_locked(struct vm_cow_pages* root, uint64_t offset)
    REQUIRES(&root->hierarchy->lock) {
  uint64_t limit = min_u64(root->size - offset, (uint64_t)PAGE_SOURCE_MAX_BATCH_PAGES * PAGE_SIZE);
  uint64_t next;
  if (vm_page_list_next_page(&root->page_list, offset, &next) != NULL && next - offset < limit) {
    limit = next - offset;
  }
  return limit;
}

zx_status_t vm_cow_pages_pager_missing_locked(struct vm_cow_pages* root, uint64_t offset,
                                              bool write, struct multi_page_request* req) {
  struct page_source* src = root_source(root);
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(offset) && offset < root->size);
  ZX_DEBUG_ASSERT(vm_page_list_lookup(&root->page_list, offset) == NULL);
  // A write to an absent page needs its contents first: it asks for a READ like a read does and
  // goes through prepare_write once the page is there.
  (void)write;
  if (req == NULL) return page_source_is_detached(src) ? ZX_ERR_BAD_STATE : ZX_ERR_SHOULD_WAIT;
  return page_source_request_page(src, PAGE_SOURCE_READ, offset, absent_run_locked(root, offset),
                                  req);
}

bool vm_cow_pages_pager_page_writable_locked(struct vm_cow_pages* owner,
                                             const struct vm_page* page) {
  vm_cow_pages_assert_held(owner);
  if (owner->page_source == NULL) return true;
  return vm_pager_page_state(page) == VM_PAGER_PAGE_DIRTY;
}

// Bytes from |offset| over present, not-DIRTY pages, up to the end of |root| or the batch cap:
// the range one DIRTY request asks for.
static uint64_t clean_run_locked(struct vm_cow_pages* root, uint64_t offset)
    REQUIRES(&root->hierarchy->lock) {
  uint64_t limit = min_u64(root->size - offset, (uint64_t)PAGE_SOURCE_MAX_BATCH_PAGES * PAGE_SIZE);
  uint64_t len = PAGE_SIZE;
  while (len < limit) {
    struct vm_page* p = vm_page_list_lookup(&root->page_list, offset + len);
    if (p == NULL || vm_pager_page_state(p) == VM_PAGER_PAGE_DIRTY) break;
    len += PAGE_SIZE;
  }
  return len;
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
  if (req == NULL) return page_source_is_detached(src) ? ZX_ERR_BAD_STATE : ZX_ERR_SHOULD_WAIT;
  return page_source_request_page(src, PAGE_SOURCE_DIRTY, offset, clean_run_locked(root, offset),
                                  req);
}

void vm_cow_pages_pager_shrink_locked(struct vm_cow_pages* root, uint64_t new_size) {
  struct page_source* src = root_source(root);
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(new_size) && new_size <= root->size);
  uint64_t len = root->size - new_size;
  page_source_on_pages_resolved(src, PAGE_SOURCE_READ, new_size, len);
  page_source_on_pages_resolved(src, PAGE_SOURCE_DIRTY, new_size, len);
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
  // The last reference to the VMO went: the pager hears COMPLETE unless it detached already.
  (void)page_source_detach(src, true);
  vm_evictor_unregister(src);
  root->page_source = NULL;
  page_source_release(src);
}
