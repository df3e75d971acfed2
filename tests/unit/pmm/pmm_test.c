// Unit tests for the physical memory manager (src/pmm): init/shutdown, counters, exhaustion,
// the allocation-failure hook, conversions, the zero page, page lists, contiguous runs and the
// per-thread caches under concurrency.
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.h"
// The library headers after the test harness.
#include "base/alloc_fail.h"
#include "base/platform.h"
#include "pmm/pmm.h"

#define ARENA_PAGES 64u

static int setup_small(void** state) {
  (void)state;
  assert_ok(pmm_init(ARENA_PAGES * PAGE_SIZE));
  pmm_check();
  return 0;
}

// Shuts the pmm down unless a failed test left pages allocated: then pmm_shutdown would panic
// and hide cmocka's report of the failure, so the arena is leaked and the failure reported.
static int teardown_small(void** state) {
  (void)state;
  alloc_fail_arm(0);
  struct pmm_counts c;
  pmm_get_counts(&c);
  if (c.free_pages + 1 != c.total_pages) {
    print_error("test left %" PRIu64 " pages allocated\n", c.total_pages - 1 - c.free_pages);
    return -1;
  }
  pmm_check();
  pmm_shutdown();
  return 0;
}

static struct pmm_counts counts(void) {
  struct pmm_counts c;
  pmm_get_counts(&c);
  return c;
}

static void assert_counts_initial(void) {
  struct pmm_counts c = counts();
  assert_int_equal(c.total_pages, ARENA_PAGES);
  assert_int_equal(c.free_pages, ARENA_PAGES - 1);
  assert_int_equal(c.by_state[VM_PAGE_STATE_FREE], ARENA_PAGES - 1);
  assert_int_equal(c.by_state[VM_PAGE_STATE_ZERO], 1);
  for (int s = VM_PAGE_STATE_ALLOC; s < VM_PAGE_STATE_ZERO; s++) {
    assert_int_equal(c.by_state[s], 0);
  }
  assert_int_equal(c.metadata_bytes, ARENA_PAGES * 32);
}

// ---- init / shutdown ----

static void pmm_init_shutdown_counts(void** state) {
  (void)state;
  assert_false(pmm_initialized());
  assert_ok(pmm_init(ARENA_PAGES * PAGE_SIZE + 123));  // rounded down to pages
  assert_true(pmm_initialized());
  assert_status(ZX_ERR_BAD_STATE, pmm_init(ARENA_PAGES * PAGE_SIZE));
  assert_counts_initial();
  pmm_check();
  pmm_shutdown();
  assert_false(pmm_initialized());
  // Re-init works, with a different size.
  assert_ok(pmm_init(2 * PAGE_SIZE));
  assert_int_equal(counts().free_pages, 1);
  pmm_shutdown();
}

static void pmm_init_bad_size_fails(void** state) {
  (void)state;
  assert_status(ZX_ERR_INVALID_ARGS, pmm_init(PAGE_SIZE));  // zero page only
  assert_status(ZX_ERR_INVALID_ARGS, pmm_init(PAGE_SIZE - 1));
  assert_false(pmm_initialized());
}

static void pmm_init_default_is_1gib(void** state) {
  (void)state;
  assert_ok(pmm_init(0));
  struct pmm_counts c = counts();
  assert_int_equal(c.total_pages, (1u << 30) / PAGE_SIZE);
  assert_int_equal(c.metadata_bytes, c.total_pages * 32);
  struct vm_page* page;
  assert_ok(pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &page, NULL));
  pmm_free_page(page);
  pmm_shutdown();
}

// In a child process: shutdown with a page still allocated must panic, naming the state.
static void pmm_shutdown_with_leak_panics(void** state) {
  (void)state;
  fflush(stdout);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    if (pmm_init(ARENA_PAGES * PAGE_SIZE) != ZX_OK) _exit(2);
    struct vm_page* page;
    if (pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &page, NULL) != ZX_OK) _exit(3);
    pmm_page_set_state(page, VM_PAGE_STATE_MMU);
    if (freopen("/dev/null", "w", stderr) == NULL) _exit(4);
    pmm_shutdown();
    _exit(0);  // not reached
  }
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), SIGABRT);
}

// ---- allocation ----

static void pmm_alloc_page_exhaustion_and_restore(void** state) {
  (void)state;
  struct vm_page* pages[ARENA_PAGES];
  uint8_t seen[ARENA_PAGES] = {0};
  for (unsigned i = 0; i < ARENA_PAGES - 1; i++) {
    paddr_t pa = 0;
    assert_ok(pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &pages[i], &pa));
    assert_int_equal(pages[i]->state, VM_PAGE_STATE_ALLOC);
    assert_null(pages[i]->owner);
    assert_int_equal(pa, vm_page_to_paddr(pages[i]));
    assert_true(IS_PAGE_ALIGNED(pa));
    uint64_t idx = (pa - PMM_PADDR_BASE) / PAGE_SIZE;
    assert_true(idx < ARENA_PAGES);
    assert_int_equal(seen[idx], 0);  // each page handed out once
    seen[idx] = 1;
    assert_int_equal(counts().by_state[VM_PAGE_STATE_ALLOC], i + 1);
  }
  assert_int_equal(seen[0], 0);  // frame 0 is the zero page
  struct vm_page* extra = NULL;
  assert_status(ZX_ERR_NO_MEMORY, pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &extra, NULL));
  assert_null(extra);
  assert_int_equal(counts().free_pages, 0);
  pmm_check();
  for (unsigned i = 0; i < ARENA_PAGES - 1; i++) pmm_free_page(pages[i]);
  assert_counts_initial();
  pmm_check();
  // Everything is allocatable again.
  for (unsigned i = 0; i < ARENA_PAGES - 1; i++) {
    assert_ok(pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &pages[i], NULL));
  }
  assert_status(ZX_ERR_NO_MEMORY, pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &extra, NULL));
  for (unsigned i = 0; i < ARENA_PAGES - 1; i++) pmm_free_page(pages[i]);
}

static void pmm_alloc_page_lifo_reuse(void** state) {
  (void)state;
  struct vm_page* a;
  struct vm_page* b;
  assert_ok(pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &a, NULL));
  pmm_free_page(a);
  assert_ok(pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &b, NULL));
  assert_ptr_equal(a, b);  // the most recently freed (cache-hot) page comes back first
  pmm_free_page(b);
}

static void pmm_alloc_pages_all_or_nothing(void** state) {
  (void)state;
  struct page_list list;
  page_list_init(&list);
  assert_status(ZX_ERR_NO_MEMORY, pmm_alloc_pages(ARENA_PAGES, PMM_ALLOC_FLAG_ANY, &list));
  assert_true(page_list_is_empty(&list));
  assert_counts_initial();
  assert_ok(pmm_alloc_pages(0, PMM_ALLOC_FLAG_ANY, &list));
  assert_true(page_list_is_empty(&list));
  // Sizes below and above the thread cache, then all that is left.
  static const size_t sizes[] = {1, 3, 9, 20};
  size_t total = 0;
  for (size_t i = 0; i < countof(sizes); i++) {
    assert_ok(pmm_alloc_pages(sizes[i], PMM_ALLOC_FLAG_ANY, &list));
    total += sizes[i];
    assert_int_equal(list.count, total);
    assert_int_equal(counts().by_state[VM_PAGE_STATE_ALLOC], total);
    pmm_check();
  }
  size_t rest = ARENA_PAGES - 1 - total;
  assert_status(ZX_ERR_NO_MEMORY, pmm_alloc_pages(rest + 1, PMM_ALLOC_FLAG_ANY, &list));
  assert_int_equal(list.count, total);
  assert_ok(pmm_alloc_pages(rest, PMM_ALLOC_FLAG_ANY, &list));
  assert_int_equal(counts().free_pages, 0);
  size_t n = 0;
  for (struct vm_page* p = page_list_first(&list); p != NULL; p = page_list_next(p)) {
    assert_int_equal(p->state, VM_PAGE_STATE_ALLOC);
    n++;
  }
  assert_int_equal(n, ARENA_PAGES - 1);
  pmm_free_pages(&list);
  assert_true(page_list_is_empty(&list));
  assert_int_equal(list.count, 0);
  assert_counts_initial();
}

static void pmm_alloc_fail_hook_fires_once(void** state) {
  (void)state;
  struct vm_page* page = NULL;
  alloc_fail_arm(1);
  assert_status(ZX_ERR_NO_MEMORY, pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &page, NULL));
  assert_true(alloc_fail_fired());
  assert_null(page);
  assert_ok(pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &page, NULL));
  pmm_free_page(page);

  alloc_fail_arm(2);
  assert_ok(pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &page, NULL));
  assert_false(alloc_fail_fired());
  struct vm_page* page2 = NULL;
  assert_status(ZX_ERR_NO_MEMORY, pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &page2, NULL));
  assert_true(alloc_fail_fired());
  pmm_free_page(page);

  // A batch consults the hook once per call and is all or nothing.
  struct page_list list;
  page_list_init(&list);
  alloc_fail_arm(1);
  assert_status(ZX_ERR_NO_MEMORY, pmm_alloc_pages(10, PMM_ALLOC_FLAG_ANY, &list));
  assert_true(page_list_is_empty(&list));
  assert_counts_initial();
  alloc_fail_arm(2);
  assert_ok(pmm_alloc_pages(10, PMM_ALLOC_FLAG_ANY, &list));
  assert_int_equal(alloc_fail_count(), 1);
  assert_int_equal(list.count, 10);
  pmm_free_pages(&list);

  // Contiguous allocations too.
  paddr_t pa = 0;
  alloc_fail_arm(1);
  assert_status(ZX_ERR_NO_MEMORY,
                pmm_alloc_contiguous(4, PMM_ALLOC_FLAG_ANY, PAGE_SIZE_SHIFT, &pa, &list));
  assert_int_equal(pa, 0);
  assert_true(page_list_is_empty(&list));
  alloc_fail_arm(0);
  assert_counts_initial();
}

// ---- conversions, zero page, contents ----

static void pmm_conversions_round_trip(void** state) {
  (void)state;
  struct page_list list;
  page_list_init(&list);
  assert_ok(pmm_alloc_pages(ARENA_PAGES - 1, PMM_ALLOC_FLAG_ANY, &list));
  for (struct vm_page* p = page_list_first(&list); p != NULL; p = page_list_next(p)) {
    paddr_t pa = vm_page_to_paddr(p);
    assert_true(pa >= PMM_PADDR_BASE && pa < PMM_PADDR_BASE + ARENA_PAGES * PAGE_SIZE);
    assert_ptr_equal(paddr_to_vm_page(pa), p);
    assert_ptr_equal(paddr_to_vm_page(pa + PAGE_SIZE - 1), p);  // any byte of the page
    char* va = vm_page_to_physmap(p);
    assert_ptr_equal(paddr_to_physmap(pa), va);
    assert_ptr_equal(paddr_to_physmap(pa + 17), va + 17);
    // The physmap is real memory, distinct per page.
    memset(va, (int)(pa >> PAGE_SIZE_SHIFT), PAGE_SIZE);
  }
  for (struct vm_page* p = page_list_first(&list); p != NULL; p = page_list_next(p)) {
    unsigned char* va = vm_page_to_physmap(p);
    unsigned char want = (unsigned char)(vm_page_to_paddr(p) >> PAGE_SIZE_SHIFT);
    assert_int_equal(va[0], want);
    assert_int_equal(va[PAGE_SIZE - 1], want);
  }
  // Outside the arena.
  assert_null(paddr_to_vm_page(0));
  assert_null(paddr_to_vm_page(PMM_PADDR_BASE - 1));
  assert_null(paddr_to_vm_page(PMM_PADDR_BASE + ARENA_PAGES * PAGE_SIZE));
  assert_null(paddr_to_vm_page((paddr_t)-1));
  assert_null(paddr_to_physmap(PMM_PADDR_BASE - 1));
  assert_null(paddr_to_physmap(PMM_PADDR_BASE + ARENA_PAGES * PAGE_SIZE));
  assert_non_null(paddr_to_vm_page(PMM_PADDR_BASE + ARENA_PAGES * PAGE_SIZE - 1));
  pmm_free_pages(&list);
}

static void pmm_zero_page_is_shared_and_zero(void** state) {
  (void)state;
  struct vm_page* zp = pmm_zero_page();
  assert_non_null(zp);
  assert_int_equal(zp->state, VM_PAGE_STATE_ZERO);
  assert_int_equal(pmm_zero_page_paddr(), vm_page_to_paddr(zp));
  assert_ptr_equal(paddr_to_vm_page(pmm_zero_page_paddr()), zp);
  const unsigned char* va = vm_page_to_physmap(zp);
  for (size_t i = 0; i < PAGE_SIZE; i++) assert_int_equal(va[i], 0);
  // Never handed out.
  struct page_list list;
  page_list_init(&list);
  assert_ok(pmm_alloc_pages(ARENA_PAGES - 1, PMM_ALLOC_FLAG_ANY, &list));
  for (struct vm_page* p = page_list_first(&list); p != NULL; p = page_list_next(p)) {
    assert_ptr_not_equal(p, zp);
  }
  pmm_free_pages(&list);
  assert_int_equal(counts().by_state[VM_PAGE_STATE_ZERO], 1);
}

static void pmm_page_zero_clears_contents(void** state) {
  (void)state;
  struct vm_page* page;
  assert_ok(pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &page, NULL));
  unsigned char* va = vm_page_to_physmap(page);
  memset(va, 0xa5, PAGE_SIZE);
  pmm_page_zero(page);
  for (size_t i = 0; i < PAGE_SIZE; i++) assert_int_equal(va[i], 0);
  pmm_free_page(page);
}

static void pmm_page_set_state_counts(void** state) {
  (void)state;
  struct vm_page* page;
  assert_ok(pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &page, NULL));
  static const enum vm_page_state states[] = {VM_PAGE_STATE_OBJECT, VM_PAGE_STATE_MMU,
                                              VM_PAGE_STATE_WIRED, VM_PAGE_STATE_ALLOC,
                                              VM_PAGE_STATE_OBJECT};
  for (size_t i = 0; i < countof(states); i++) {
    pmm_page_set_state(page, states[i]);
    assert_int_equal(page->state, states[i]);
    struct pmm_counts c = counts();
    for (int s = VM_PAGE_STATE_ALLOC; s < VM_PAGE_STATE_ZERO; s++) {
      assert_int_equal(c.by_state[s], s == (int)states[i] ? 1 : 0);
    }
    pmm_check();
  }
  page->owner = &page;  // an owner's fields are cleared by the next allocation
  page->object_page_index = 7;
  pmm_free_page(page);
  assert_counts_initial();
  struct vm_page* again;
  assert_ok(pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &again, NULL));
  assert_ptr_equal(again, page);
  assert_null(again->owner);
  assert_int_equal(again->object_page_index, 0);
  pmm_free_page(again);
}

// ---- page lists ----

static void page_list_ops(void** state) {
  (void)state;
  struct page_list batch;
  page_list_init(&batch);
  assert_true(page_list_is_empty(&batch));
  assert_null(page_list_first(&batch));
  assert_null(page_list_remove_head(&batch));
  assert_ok(pmm_alloc_pages(5, PMM_ALLOC_FLAG_ANY, &batch));
  struct vm_page* p[5];
  for (int i = 0; i < 5; i++) p[i] = page_list_remove_head(&batch);
  assert_true(page_list_is_empty(&batch));

  struct page_list list;
  page_list_init(&list);
  page_list_add_tail(&list, p[1]);
  page_list_add_tail(&list, p[2]);
  page_list_add_head(&list, p[0]);
  page_list_add_tail(&list, p[3]);
  page_list_add_tail(&list, p[4]);
  assert_int_equal(list.count, 5);
  int i = 0;
  for (struct vm_page* it = page_list_first(&list); it != NULL; it = page_list_next(it)) {
    assert_ptr_equal(it, p[i++]);
  }
  assert_int_equal(i, 5);
  // Remove the middle, the tail and the head.
  page_list_remove(&list, p[2]);
  page_list_remove(&list, p[4]);
  page_list_remove(&list, p[0]);
  assert_int_equal(list.count, 2);
  assert_int_equal(p[2]->queue_prev, 0);
  assert_int_equal(p[2]->queue_next, 0);
  assert_ptr_equal(page_list_first(&list), p[1]);
  assert_ptr_equal(page_list_next(p[1]), p[3]);
  assert_null(page_list_next(p[3]));
  // The tail is still right after removing the old tail.
  page_list_add_tail(&list, p[4]);
  assert_ptr_equal(page_list_next(p[3]), p[4]);
  assert_ptr_equal(page_list_remove_head(&list), p[1]);
  assert_ptr_equal(page_list_remove_head(&list), p[3]);
  assert_ptr_equal(page_list_remove_head(&list), p[4]);
  assert_null(page_list_remove_head(&list));
  assert_true(page_list_is_empty(&list));
  assert_int_equal(list.count, 0);
  // The remaining pages go back through a list, single ones directly.
  page_list_add_tail(&list, p[0]);
  page_list_add_tail(&list, p[2]);
  pmm_free_pages(&list);
  pmm_free_page(p[1]);
  pmm_free_page(p[3]);
  pmm_free_page(p[4]);
  assert_counts_initial();
}

// ---- contiguous runs ----

#define BIG_ARENA_PAGES 1024u
#define HUGE_ARENA_PAGES 4096u

static int setup_big(void** state) {
  (void)state;
  assert_ok(pmm_init(BIG_ARENA_PAGES * PAGE_SIZE));
  return 0;
}

static int setup_huge(void** state) {
  (void)state;
  assert_ok(pmm_init(HUGE_ARENA_PAGES * PAGE_SIZE));
  return 0;
}

// Checks that |list| holds |count| frames in ascending physical order starting at |pa|.
static void assert_run(const struct page_list* list, paddr_t pa, size_t count) {
  assert_int_equal(list->count, count);
  paddr_t want = pa;
  for (struct vm_page* p = page_list_first(list); p != NULL; p = page_list_next(p)) {
    assert_int_equal(vm_page_to_paddr(p), want);
    assert_int_equal(p->state, VM_PAGE_STATE_ALLOC);
    want += PAGE_SIZE;
  }
}

static void pmm_alloc_contiguous_alignment_sweep(void** state) {
  (void)state;
  static const uint8_t aligns[] = {12, 13, 14, 16, 18, 20};
  static const size_t sizes[] = {1, 2, 3, 5, 8, 17, 64};
  // A few single pages first, so runs must skip busy frames and straddle the untouched region.
  struct vm_page* singles[3];
  for (int i = 0; i < 3; i++) assert_ok(pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &singles[i], NULL));
  struct page_list held;
  page_list_init(&held);
  for (size_t a = 0; a < countof(aligns); a++) {
    for (size_t s = 0; s < countof(sizes); s++) {
      struct page_list list;
      page_list_init(&list);
      paddr_t pa = 0;
      assert_ok(pmm_alloc_contiguous(sizes[s], PMM_ALLOC_FLAG_ANY, aligns[a], &pa, &list));
      assert_int_equal(pa & (((paddr_t)1 << aligns[a]) - 1), 0);
      assert_run(&list, pa, sizes[s]);
      pmm_check();
      // Keep the small runs so later ones must find room around them.
      struct vm_page* p;
      if (sizes[s] <= 3) {
        while ((p = page_list_remove_head(&list)) != NULL) page_list_add_tail(&held, p);
      } else {
        pmm_free_pages(&list);
      }
    }
  }
  pmm_free_pages(&held);
  for (int i = 0; i < 3; i++) pmm_free_page(singles[i]);
  pmm_check();
  assert_int_equal(counts().free_pages, HUGE_ARENA_PAGES - 1);
}

static void pmm_alloc_contiguous_bad_args_and_no_room(void** state) {
  (void)state;
  struct page_list list;
  page_list_init(&list);
  paddr_t pa = 0;
  assert_status(ZX_ERR_INVALID_ARGS, pmm_alloc_contiguous(0, 0, PAGE_SIZE_SHIFT, &pa, &list));
  assert_status(ZX_ERR_INVALID_ARGS, pmm_alloc_contiguous(1, 0, PAGE_SIZE_SHIFT - 1, &pa, &list));
  assert_status(ZX_ERR_INVALID_ARGS, pmm_alloc_contiguous(1, 0, 255, &pa, &list));
  assert_status(ZX_ERR_NO_MEMORY,
                pmm_alloc_contiguous(BIG_ARENA_PAGES, 0, PAGE_SIZE_SHIFT, &pa, &list));
  assert_status(ZX_ERR_NO_MEMORY, pmm_alloc_contiguous(SIZE_MAX, 0, PAGE_SIZE_SHIFT, &pa, &list));
  // The arena spans [1 MiB, 5 MiB): no 8 MiB-aligned address, one 4 MiB-aligned (frame 768), and
  // the first 1 MiB-aligned one is frame 0, the zero page.
  assert_status(ZX_ERR_NO_MEMORY, pmm_alloc_contiguous(1, 0, 23, &pa, &list));
  assert_status(ZX_ERR_NO_MEMORY, pmm_alloc_contiguous(257, 0, 22, &pa, &list));
  assert_ok(pmm_alloc_contiguous(256, 0, 22, &pa, &list));
  assert_run(&list, 4u << 20, 256);
  pmm_free_pages(&list);
  assert_ok(pmm_alloc_contiguous(1, 0, 20, &pa, &list));
  assert_run(&list, 2u << 20, 1);
  pmm_free_pages(&list);
  // Everything but the zero page, in one run.
  assert_ok(pmm_alloc_contiguous(BIG_ARENA_PAGES - 1, 0, PAGE_SIZE_SHIFT, &pa, &list));
  assert_run(&list, PMM_PADDR_BASE + PAGE_SIZE, BIG_ARENA_PAGES - 1);
  assert_int_equal(counts().free_pages, 0);
  pmm_free_pages(&list);
  assert_int_equal(pa, PMM_PADDR_BASE + PAGE_SIZE);
  assert_true(page_list_is_empty(&list));
  pmm_check();
}

static void pmm_alloc_contiguous_fragmented(void** state) {
  (void)state;
  // Allocate everything singly, then free every other page: no run of 2 exists.
  static struct vm_page* pages[BIG_ARENA_PAGES];
  size_t n = 0;
  while (pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &pages[n], NULL) == ZX_OK) n++;
  assert_int_equal(n, BIG_ARENA_PAGES - 1);
  struct vm_page* by_index[BIG_ARENA_PAGES] = {0};
  for (size_t i = 0; i < n; i++) {
    by_index[(vm_page_to_paddr(pages[i]) - PMM_PADDR_BASE) / PAGE_SIZE] = pages[i];
  }
  for (size_t i = 1; i < BIG_ARENA_PAGES; i += 2) {
    pmm_free_page(by_index[i]);
    by_index[i] = NULL;
  }
  struct page_list list;
  page_list_init(&list);
  paddr_t pa = 0;
  assert_status(ZX_ERR_NO_MEMORY, pmm_alloc_contiguous(2, 0, PAGE_SIZE_SHIFT, &pa, &list));
  assert_ok(pmm_alloc_contiguous(1, 0, PAGE_SIZE_SHIFT, &pa, &list));  // singles do fit
  pmm_free_pages(&list);
  // Free frame 100: frames 99..101 now form the only run of 3.
  pmm_free_page(by_index[100]);
  by_index[100] = NULL;
  assert_ok(pmm_alloc_contiguous(3, 0, PAGE_SIZE_SHIFT, &pa, &list));
  assert_int_equal(pa, PMM_PADDR_BASE + 99 * PAGE_SIZE);
  assert_run(&list, pa, 3);
  pmm_check();
  pmm_free_pages(&list);
  for (size_t i = 0; i < BIG_ARENA_PAGES; i++) {
    if (by_index[i] != NULL) pmm_free_page(by_index[i]);
  }
  assert_int_equal(counts().free_pages, BIG_ARENA_PAGES - 1);
}

// PMM_ARENA_SHARED (the host backend's arena): the physmap is a shared mapping of a memory file,
// so bytes written through the physmap are the file's bytes at offset paddr - PMM_PADDR_BASE, and
// the file goes with pmm_shutdown.
static void pmm_init_ex_shared_arena_is_the_memory_file(void** state) {
  (void)state;
  assert_int_equal(-1, pmm_arena_fd());
  assert_status(ZX_ERR_INVALID_ARGS, pmm_init_ex(ARENA_PAGES * PAGE_SIZE, 1u << 7));
  assert_false(pmm_initialized());
  assert_ok(pmm_init_ex(ARENA_PAGES * PAGE_SIZE, PMM_ARENA_SHARED));
  int fd = pmm_arena_fd();
  assert_true(fd >= 0);
  struct vm_page* page;
  paddr_t pa;
  assert_ok(pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &page, &pa));
  memcpy(vm_page_to_physmap(page), "shared!", 8);
  char buf[8] = {0};
  assert_int_equal(8, pread(fd, buf, 8, (off_t)(pa - PMM_PADDR_BASE)));
  assert_string_equal("shared!", buf);
  assert_int_equal(8, pwrite(fd, "viafile", 8, (off_t)(pa - PMM_PADDR_BASE)));
  assert_string_equal("viafile", (char*)vm_page_to_physmap(page));
  // The zero page is zero in the file too.
  assert_int_equal(8, pread(fd, buf, 8, (off_t)(pmm_zero_page_paddr() - PMM_PADDR_BASE)));
  assert_memory_equal(buf, "\0\0\0\0\0\0\0\0", 8);
  pmm_free_page(page);
  pmm_check();
  pmm_shutdown();
  assert_int_equal(-1, pmm_arena_fd());
  assert_int_equal(-1, fcntl(fd, F_GETFD));  // closed
  // A private arena after a shared one has no file.
  assert_ok(pmm_init_ex(ARENA_PAGES * PAGE_SIZE, PMM_ARENA_PRIVATE));
  assert_int_equal(-1, pmm_arena_fd());
  pmm_shutdown();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pmm_init_shutdown_counts),
      cmocka_unit_test(pmm_init_ex_shared_arena_is_the_memory_file),
      cmocka_unit_test(pmm_init_bad_size_fails),
      cmocka_unit_test(pmm_init_default_is_1gib),
      cmocka_unit_test(pmm_shutdown_with_leak_panics),
      cmocka_unit_test_setup_teardown(pmm_alloc_page_exhaustion_and_restore, setup_small,
                                      teardown_small),
      cmocka_unit_test_setup_teardown(pmm_alloc_page_lifo_reuse, setup_small, teardown_small),
      cmocka_unit_test_setup_teardown(pmm_alloc_pages_all_or_nothing, setup_small, teardown_small),
      cmocka_unit_test_setup_teardown(pmm_alloc_fail_hook_fires_once, setup_small, teardown_small),
      cmocka_unit_test_setup_teardown(pmm_conversions_round_trip, setup_small, teardown_small),
      cmocka_unit_test_setup_teardown(pmm_zero_page_is_shared_and_zero, setup_small,
                                      teardown_small),
      cmocka_unit_test_setup_teardown(pmm_page_zero_clears_contents, setup_small, teardown_small),
      cmocka_unit_test_setup_teardown(pmm_page_set_state_counts, setup_small, teardown_small),
      cmocka_unit_test_setup_teardown(page_list_ops, setup_small, teardown_small),
      cmocka_unit_test_setup_teardown(pmm_alloc_contiguous_alignment_sweep, setup_huge,
                                      teardown_small),
      cmocka_unit_test_setup_teardown(pmm_alloc_contiguous_bad_args_and_no_room, setup_big,
                                      teardown_small),
      cmocka_unit_test_setup_teardown(pmm_alloc_contiguous_fragmented, setup_big, teardown_small),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
