// page_list: a doubly linked list of page frames threaded through vm_page.queue_prev/queue_next
// as page frame numbers (pfn = index + 1, 0 = none). The list head holds the first and last pfn
// and the length. Invariant: a page is on at most one list (the global free list, a thread cache,
// an owner's queue, or a caller's batch), and a page on no list has both links 0. Every operation
// is O(1). The list itself has no lock: its owner's lock guards it.
#include "pmm/pmm_priv.h"

void page_list_init(struct page_list* list) {
  list->head = 0;
  list->tail = 0;
  list->count = 0;
}

bool page_list_is_empty(const struct page_list* list) { return list->head == 0; }

static void page_list_assert_unlinked(const struct page_list* list, const struct vm_page* page,
                                      uint32_t pfn) {
  // A single-element list has both links 0 too, hence the head comparison.
  ZX_DEBUG_ASSERT_MSG(page->queue_prev == 0 && page->queue_next == 0 && list->head != pfn,
                      "page pfn %u already on a list (prev %u next %u)", pfn, page->queue_prev,
                      page->queue_next);
}

void page_list_add_tail(struct page_list* list, struct vm_page* page) {
  uint32_t pfn = pmm_page_to_pfn(page);
  page_list_assert_unlinked(list, page, pfn);
  page->queue_prev = list->tail;
  page->queue_next = 0;
  if (list->tail != 0) {
    pmm_pfn_to_page(list->tail)->queue_next = pfn;
  } else {
    list->head = pfn;
  }
  list->tail = pfn;
  list->count++;
}

void page_list_add_head(struct page_list* list, struct vm_page* page) {
  uint32_t pfn = pmm_page_to_pfn(page);
  page_list_assert_unlinked(list, page, pfn);
  page->queue_prev = 0;
  page->queue_next = list->head;
  if (list->head != 0) {
    pmm_pfn_to_page(list->head)->queue_prev = pfn;
  } else {
    list->tail = pfn;
  }
  list->head = pfn;
  list->count++;
}

void page_list_remove(struct page_list* list, struct vm_page* page) {
  uint32_t pfn = pmm_page_to_pfn(page);
  uint32_t prev = page->queue_prev;
  uint32_t next = page->queue_next;
  ZX_DEBUG_ASSERT(list->count > 0);
  if (prev != 0) {
    pmm_pfn_to_page(prev)->queue_next = next;
  } else {
    ZX_DEBUG_ASSERT_MSG(list->head == pfn, "pfn %u is not the head (%u) of its list", pfn,
                        list->head);
    list->head = next;
  }
  if (next != 0) {
    pmm_pfn_to_page(next)->queue_prev = prev;
  } else {
    ZX_DEBUG_ASSERT_MSG(list->tail == pfn, "pfn %u is not the tail (%u) of its list", pfn,
                        list->tail);
    list->tail = prev;
  }
  page->queue_prev = 0;
  page->queue_next = 0;
  list->count--;
}

struct vm_page* page_list_remove_head(struct page_list* list) {
  if (list->head == 0) return NULL;
  struct vm_page* page = pmm_pfn_to_page(list->head);
  page_list_remove(list, page);
  return page;
}

struct vm_page* page_list_first(const struct page_list* list) {
  return list->head != 0 ? pmm_pfn_to_page(list->head) : NULL;
}

struct vm_page* page_list_next(const struct vm_page* page) {
  return page->queue_next != 0 ? pmm_pfn_to_page(page->queue_next) : NULL;
}
