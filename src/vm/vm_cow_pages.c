// Page ownership for paged VMOs (see vm_cow_pages.h).
//
// State of a slot (today, without clones):
//   ABSENT --commit/write/fault-for-write--> OWNED --decommit/zero/shrink--> ABSENT (page freed)
// An ABSENT slot reads as zero (the fault path maps the shared zero page read-only). An OWNED
// page is in pmm state OBJECT, owner == this node, object_page_index == slot. Nothing else exists
// yet; clones will add "shared with parent" and "forked" states.
//
// Data copies (read/write) run with the hierarchy lock held. That is fine while the buffers are
// plain host memory; when user buffers can fault into a VMO (a mapping of the same VMO), the copy
// must move out of the lock.
#include "vm/vm_cow_pages.h"

#include <string.h>

#include "base/checked_math.h"
#include "base/platform.h"

static inline void cow_assert_held(struct vm_cow_pages* cow) REQUIRES(&cow->hierarchy->lock) {
  ZX_DEBUG_ASSERT_MAGIC(cow, VM_COW_PAGES_MAGIC);
  mutex_assert_held(&cow->hierarchy->lock);
}

static inline uint8_t* page_ptr(const struct vm_page* page) {
  return (uint8_t*)vm_page_to_physmap(page);
}

zx_status_t vm_cow_pages_create(struct vm_hierarchy_lock* hierarchy, uint64_t size,
                                struct vm_cow_pages** out) {
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(size));
  struct vm_cow_pages* cow = heap_alloc(sizeof(*cow));
  if (!cow) return ZX_ERR_NO_MEMORY;
  cow->magic = VM_COW_PAGES_MAGIC;
  vm_hierarchy_lock_acquire(hierarchy);
  cow->hierarchy = hierarchy;
  cow->size = size;
  vm_page_list_init(&cow->page_list, cow);
  cow->committed_change_events = 0;
  *out = cow;
  return ZX_OK;
}

void vm_cow_pages_destroy(struct vm_cow_pages* cow) {
  ZX_DEBUG_ASSERT_MAGIC(cow, VM_COW_PAGES_MAGIC);
  struct vm_hierarchy_lock* h = cow->hierarchy;
  struct page_list freed;
  page_list_init(&freed);
  // Nobody else can reach |cow| any more; the lock only satisfies the field contracts.
  mutex_lock(&h->lock);
  uint64_t end = vm_page_list_count(&cow->page_list) ? cow->size : 0;
  vm_page_list_remove_range(&cow->page_list, 0, end, &freed);
  mutex_unlock(&h->lock);
  pmm_free_pages(&freed);
  vm_page_list_destroy(&cow->page_list);
  cow->magic = 0;
  heap_free(cow);
  vm_hierarchy_lock_release(h);
}

struct vm_page* vm_cow_pages_lookup_locked(struct vm_cow_pages* cow, uint64_t offset) {
  cow_assert_held(cow);
  if (offset >= cow->size) return NULL;
  return vm_page_list_lookup(&cow->page_list, offset);
}

static void commit_init(struct vm_cow_pages_commit* commit, uint64_t start, uint64_t end) {
  commit->start = start;
  commit->end = end;
  commit->missing = 0;
  page_list_init(&commit->pages);
  vm_page_list_node_cache_init(&commit->nodes);
}

zx_status_t vm_cow_pages_prepare_commit_locked(struct vm_cow_pages* cow, uint64_t start,
                                               uint64_t end, struct vm_cow_pages_commit* commit) {
  cow_assert_held(cow);
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(start) && IS_PAGE_ALIGNED(end) && start <= end);
  ZX_DEBUG_ASSERT(end <= cow->size);
  commit_init(commit, start, end);
  uint64_t present, nodes;
  vm_page_list_count_range(&cow->page_list, start, end, &present, &nodes);
  uint64_t missing = ((end - start) >> PAGE_SIZE_SHIFT) - present;
  if (missing == 0) return ZX_OK;
  // Pages first: for a huge range the pmm refuses at once, before any node is allocated.
  zx_status_t status = pmm_alloc_pages(missing, PMM_ALLOC_FLAG_ANY, &commit->pages);
  if (status != ZX_OK) return status;
  uint64_t nodes_needed = vm_page_list_nodes_needed(&cow->page_list, start, end);
  status = vm_page_list_node_cache_fill(&commit->nodes, nodes_needed);
  if (status != ZX_OK) {
    pmm_free_pages(&commit->pages);
    return status;
  }
  commit->missing = missing;
  return ZX_OK;
}

struct commit_init_ctx {
  struct vm_cow_pages* cow;
  uint64_t no_zero_start, no_zero_end;
};

static void commit_init_page(struct vm_page* page, uint64_t offset, void* arg) {
  struct commit_init_ctx* ctx = arg;
  bool overwritten = offset >= ctx->no_zero_start && offset < ctx->no_zero_end &&
                     ctx->no_zero_end - offset >= PAGE_SIZE;
  if (!overwritten) memset(page_ptr(page), 0, PAGE_SIZE);
  pmm_page_set_state(page, VM_PAGE_STATE_OBJECT);
  page->owner = ctx->cow;
  page->object_page_index = offset >> PAGE_SIZE_SHIFT;
}

uint64_t vm_cow_pages_apply_commit_locked(struct vm_cow_pages* cow,
                                          struct vm_cow_pages_commit* commit,
                                          uint64_t no_zero_start, uint64_t no_zero_end) {
  cow_assert_held(cow);
  uint64_t added = commit->missing;
  if (added != 0) {
    struct commit_init_ctx ctx = {cow, no_zero_start, no_zero_end};
    vm_page_list_fill_range(&cow->page_list, commit->start, commit->end, &commit->pages,
                            &commit->nodes, commit_init_page, &ctx);
    cow->committed_change_events++;
  }
  ZX_ASSERT_MSG(page_list_is_empty(&commit->pages) && commit->nodes.count == 0,
                "commit reservation mismatch: %zu pages, %lu nodes left", commit->pages.count,
                (unsigned long)commit->nodes.count);
  commit->missing = 0;
  return added;
}

void vm_cow_pages_cancel_commit(struct vm_cow_pages_commit* commit) {
  pmm_free_pages(&commit->pages);
  vm_page_list_node_cache_drain(&commit->nodes);
  commit->missing = 0;
}

uint64_t vm_cow_pages_free_range_locked(struct vm_cow_pages* cow, uint64_t start, uint64_t end) {
  cow_assert_held(cow);
  struct page_list freed;
  page_list_init(&freed);
  uint64_t n = vm_page_list_remove_range(&cow->page_list, start, end, &freed);
  if (n != 0) {
    pmm_free_pages(&freed);
    cow->committed_change_events++;
  }
  return n;
}

void vm_cow_pages_zero_bytes_locked(struct vm_cow_pages* cow, uint64_t offset, uint64_t len) {
  cow_assert_held(cow);
  if (len == 0) return;
  ZX_DEBUG_ASSERT(range_in_bounds(offset, len, cow->size));
  struct vm_page_list_cursor cursor;
  vm_page_list_cursor_init(&cursor, &cow->page_list, ROUNDDOWN_PAGE(offset));
  uint64_t pos = offset, end = offset + len;
  while (pos < end) {
    uint64_t page_offset = ROUNDDOWN_PAGE(pos);
    uint64_t in_page = pos - page_offset;
    uint64_t n = min_u64(PAGE_SIZE - in_page, end - pos);
    struct vm_page* page = vm_page_list_cursor_get(&cursor, page_offset);
    if (page) memset(page_ptr(page) + in_page, 0, n);
    pos += n;
  }
}

// Calls |copy(page-or-NULL, in_page, buf_pos, n)| for each page piece of [offset, offset+len),
// merging neighbouring pages that are also neighbours in the physmap into one run.
struct copy_run {
  uint8_t* src;  // physmap address of the run, NULL for a run of absent pages
  uint64_t len;
};

static void read_flush(uint8_t** out, struct copy_run* run) {
  if (run->len == 0) return;
  if (run->src) {
    memcpy(*out, run->src, run->len);
  } else {
    memset(*out, 0, run->len);
  }
  *out += run->len;
  run->len = 0;
}

void vm_cow_pages_read_locked(struct vm_cow_pages* cow, void* buf, uint64_t offset, uint64_t len) {
  cow_assert_held(cow);
  if (len == 0) return;
  ZX_DEBUG_ASSERT(range_in_bounds(offset, len, cow->size));
  struct vm_page_list_cursor cursor;
  vm_page_list_cursor_init(&cursor, &cow->page_list, ROUNDDOWN_PAGE(offset));
  uint8_t* out = buf;
  struct copy_run run = {NULL, 0};
  uint64_t pos = offset, end = offset + len;
  while (pos < end) {
    uint64_t page_offset = ROUNDDOWN_PAGE(pos);
    uint64_t in_page = pos - page_offset;
    uint64_t n = min_u64(PAGE_SIZE - in_page, end - pos);
    struct vm_page* page = vm_page_list_cursor_get(&cursor, page_offset);
    uint8_t* src = page ? page_ptr(page) + in_page : NULL;
    bool extends = run.len != 0 && (src ? run.src && run.src + run.len == src : !run.src);
    if (!extends) {
      read_flush(&out, &run);
      run.src = src;
    }
    run.len += n;
    pos += n;
  }
  read_flush(&out, &run);
}

void vm_cow_pages_write_locked(struct vm_cow_pages* cow, const void* buf, uint64_t offset,
                               uint64_t len) {
  cow_assert_held(cow);
  if (len == 0) return;
  ZX_DEBUG_ASSERT(range_in_bounds(offset, len, cow->size));
  struct vm_page_list_cursor cursor;
  vm_page_list_cursor_init(&cursor, &cow->page_list, ROUNDDOWN_PAGE(offset));
  const uint8_t* in = buf;
  uint8_t* run_dst = NULL;
  uint64_t run_len = 0;
  uint64_t pos = offset, end = offset + len;
  while (pos < end) {
    uint64_t page_offset = ROUNDDOWN_PAGE(pos);
    uint64_t in_page = pos - page_offset;
    uint64_t n = min_u64(PAGE_SIZE - in_page, end - pos);
    struct vm_page* page = vm_page_list_cursor_get(&cursor, page_offset);
    ZX_ASSERT_MSG(page != NULL, "write to uncommitted page %#lx", (unsigned long)page_offset);
    uint8_t* dst = page_ptr(page) + in_page;
    if (run_len != 0 && run_dst + run_len != dst) {
      memcpy(run_dst, in, run_len);
      in += run_len;
      run_len = 0;
    }
    if (run_len == 0) run_dst = dst;
    run_len += n;
    pos += n;
  }
  memcpy(run_dst, in, run_len);
}

void vm_cow_pages_resize_locked(struct vm_cow_pages* cow, uint64_t size) {
  cow_assert_held(cow);
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(size));
  if (size < cow->size) vm_cow_pages_free_range_locked(cow, size, cow->size);
  cow->size = size;
}

void vm_cow_pages_attributed_memory_locked(struct vm_cow_pages* cow, uint64_t offset, uint64_t len,
                                           struct vm_attribution_counts* out) {
  cow_assert_held(cow);
  *out = (struct vm_attribution_counts){0};
  if (len == 0 || offset >= cow->size) return;
  uint64_t end;
  if (!add_u64(offset, len, &end) || end > cow->size) end = cow->size;
  uint64_t start = ROUNDDOWN_PAGE(offset);
  uint64_t end_page;
  if (!roundup_page_u64(end, &end_page)) end_page = cow->size;  // cannot happen: end <= size
  uint64_t pages, nodes;
  vm_page_list_count_range(&cow->page_list, start, end_page, &pages, &nodes);
  uint64_t bytes = pages * PAGE_SIZE;
  out->uncompressed_bytes = bytes;
  out->private_uncompressed_bytes = bytes;
  out->scaled_uncompressed_bytes.integral = bytes;
}

void vm_cow_pages_check_locked(struct vm_cow_pages* cow) {
  ZX_ASSERT_MSG(cow->magic == VM_COW_PAGES_MAGIC, "cow %p bad magic %#x", (void*)cow, cow->magic);
  cow_assert_held(cow);
  ZX_ASSERT_MSG(IS_PAGE_ALIGNED(cow->size), "cow size %#lx", (unsigned long)cow->size);
  vm_page_list_check(&cow->page_list, cow->size);
}
