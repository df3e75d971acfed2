// Internals shared by the pmm's own files (pmm.c, page_list.c): the frame array and the page
// frame number (pfn) conversions. A pfn is a frame's index + 1, so 0 means "no page" in the
// 32-bit queue links of struct vm_page.
#ifndef ZXVM_PMM_PMM_PRIV_H_
#define ZXVM_PMM_PMM_PRIV_H_

#include "pmm/pmm.h"

// (c) between pmm_init and pmm_shutdown: the frame array and its length in pages. Written only
// by pmm_init/pmm_shutdown, which run with no other pmm user.
extern struct vm_page* pmm_frames;
extern uint32_t pmm_page_count;

static inline struct vm_page* pmm_pfn_to_page(uint32_t pfn) {
  ZX_DEBUG_ASSERT_MSG(pfn != 0 && pfn <= pmm_page_count, "pfn %u out of range (%u pages)", pfn,
                      pmm_page_count);
  return &pmm_frames[pfn - 1];
}

static inline uint32_t pmm_page_to_pfn(const struct vm_page* page) {
  ZX_DEBUG_ASSERT_MSG(page >= pmm_frames && page < pmm_frames + pmm_page_count,
                      "page %p is not a frame of the arena", (const void*)page);
  return (uint32_t)(page - pmm_frames) + 1;
}

#endif  // ZXVM_PMM_PMM_PRIV_H_
