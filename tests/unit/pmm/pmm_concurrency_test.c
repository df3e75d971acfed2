// Concurrency tests for the pmm's per-thread caches: a randomized multi-thread alloc/free stress
// (seeded, replayable with ZXVM_TEST_SEED), exhaustion while another thread's cache holds pages
// (must reclaim them instead of failing), and the drain at thread exit. Runs under ThreadSanitizer
// in the TSan build.
#include <pthread.h>
#include <string.h>

#include "test_util.h"
// The library headers after the test harness.
#include "base/platform.h"
#include "base/prng.h"
#include "pmm/pmm.h"

static struct pmm_counts counts(void) {
  struct pmm_counts c;
  pmm_get_counts(&c);
  return c;
}

static void assert_all_free(void) {
  struct pmm_counts c = counts();
  assert_int_equal(c.free_pages, c.total_pages - 1);
  assert_int_equal(c.by_state[VM_PAGE_STATE_ZERO], 1);
}

// ---- randomized stress ----

#define STRESS_ARENA_PAGES 160u  // < threads * held max: exhaustion happens
#define STRESS_THREADS 4
#define STRESS_HELD_MAX 48
#define STRESS_OPS 20000

// Pages handed from one thread to another, freed by the receiver (so a page's alloc and free are
// counted in different caches).
static struct {
  pthread_mutex_t lock;
  struct vm_page* pages[64];
  size_t count;
} mailbox = {.lock = PTHREAD_MUTEX_INITIALIZER};

struct stress_thread {
  uint64_t seed;
  uint64_t tag;  // written into each page owned by this thread
  uint64_t allocs;
  uint64_t no_memory;
};

static void stamp(struct vm_page* page, uint64_t tag) {
  uint64_t* va = vm_page_to_physmap(page);
  va[0] = tag;
  va[PAGE_SIZE / sizeof(uint64_t) - 1] = tag;
}

// A page must still carry its owner's stamp: a page handed out twice would be overwritten.
static void check_stamp(struct vm_page* page, uint64_t tag) {
  const uint64_t* va = vm_page_to_physmap(page);
  if (va[0] != tag || va[PAGE_SIZE / sizeof(uint64_t) - 1] != tag ||
      page->state != VM_PAGE_STATE_ALLOC) {
    fprintf(stderr, "page %#lx: stamp %#lx/%#lx, want %#lx, state %u\n",
            (unsigned long)vm_page_to_paddr(page), (unsigned long)va[0],
            (unsigned long)va[PAGE_SIZE / sizeof(uint64_t) - 1], (unsigned long)tag, page->state);
    abort();
  }
}

static void* stress_thread_main(void* arg) {
  struct stress_thread* t = arg;
  struct prng rng;
  prng_seed(&rng, t->seed);
  struct vm_page* held[STRESS_HELD_MAX];
  size_t nheld = 0;
  for (int op = 0; op < STRESS_OPS; op++) {
    uint64_t r = prng_uniform(&rng, 100);
    if (r < 40 && nheld < STRESS_HELD_MAX) {
      struct vm_page* page;
      if (pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &page, NULL) != ZX_OK) {
        t->no_memory++;
        continue;
      }
      stamp(page, t->tag);
      held[nheld++] = page;
      t->allocs++;
    } else if (r < 50 && nheld + 16 <= STRESS_HELD_MAX) {
      struct page_list list;
      page_list_init(&list);
      size_t n = 1 + prng_uniform(&rng, 16);
      if (pmm_alloc_pages(n, PMM_ALLOC_FLAG_ANY, &list) != ZX_OK) {
        t->no_memory++;
        continue;
      }
      struct vm_page* page;
      while ((page = page_list_remove_head(&list)) != NULL) {
        stamp(page, t->tag);
        held[nheld++] = page;
      }
      t->allocs += n;
    } else if (r < 55 && nheld > 0) {
      // Hand a page to whoever empties the mailbox next.
      size_t i = prng_uniform(&rng, nheld);
      struct vm_page* page = held[i];
      check_stamp(page, t->tag);
      stamp(page, 0);
      pthread_mutex_lock(&mailbox.lock);
      if (mailbox.count < countof(mailbox.pages)) {
        mailbox.pages[mailbox.count++] = page;
        held[i] = held[--nheld];
      } else {
        stamp(page, t->tag);
      }
      pthread_mutex_unlock(&mailbox.lock);
    } else if (r < 60) {
      pthread_mutex_lock(&mailbox.lock);
      while (mailbox.count > 0) {
        struct vm_page* page = mailbox.pages[--mailbox.count];
        check_stamp(page, 0);
        pmm_free_page(page);
      }
      pthread_mutex_unlock(&mailbox.lock);
    } else if (r < 65 && nheld > 0) {
      struct page_list list;
      page_list_init(&list);
      while (nheld > 0 && prng_uniform(&rng, 4) != 0) {
        check_stamp(held[nheld - 1], t->tag);
        page_list_add_tail(&list, held[--nheld]);
      }
      pmm_free_pages(&list);
    } else if (nheld > 0) {
      size_t i = prng_uniform(&rng, nheld);
      check_stamp(held[i], t->tag);
      pmm_free_page(held[i]);
      held[i] = held[--nheld];
    }
  }
  while (nheld > 0) {
    check_stamp(held[nheld - 1], t->tag);
    pmm_free_page(held[--nheld]);
  }
  return NULL;
}

static void pmm_threads_alloc_free_stress(void** state) {
  (void)state;
  uint64_t seed = test_seed("pmm_threads_alloc_free_stress");
  assert_ok(pmm_init(STRESS_ARENA_PAGES * PAGE_SIZE));
  struct stress_thread ts[STRESS_THREADS];
  struct platform_thread* th[STRESS_THREADS];
  for (int i = 0; i < STRESS_THREADS; i++) {
    ts[i] = (struct stress_thread){.seed = seed + (uint64_t)i * 0x9e3779b97f4a7c15ull,
                                   .tag = 0x7a78766d00000000ull | (uint64_t)(i + 1)};
    assert_ok(platform_thread_create(stress_thread_main, &ts[i], &th[i]));
  }
  uint64_t allocs = 0, no_memory = 0;
  for (int i = 0; i < STRESS_THREADS; i++) {
    platform_thread_join(th[i]);
    allocs += ts[i].allocs;
    no_memory += ts[i].no_memory;
  }
  printf("stress: %lu pages allocated, %lu ZX_ERR_NO_MEMORY\n", (unsigned long)allocs,
         (unsigned long)no_memory);
  for (size_t i = 0; i < mailbox.count; i++) pmm_free_page(mailbox.pages[i]);
  mailbox.count = 0;
  assert_true(allocs > 0);
  pmm_check();
  assert_all_free();
  // Exited threads drained their caches; only this thread's may hold pages.
  pmm_thread_cache_drain();
  assert_int_equal(pmm_cached_pages(), 0);
  pmm_check();
  pmm_shutdown();
}

// ---- exhaustion with pages in another thread's cache ----

#define SMALL_ARENA_PAGES 64u

// A helper thread that fills its cache on request and then waits, alive, so its cache is not
// drained by thread exit.
static struct {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int requests;  // fills asked for
  int done;      // fills completed
  bool quit;
} helper = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, false};

static void* helper_main(void* arg) {
  (void)arg;
  pthread_mutex_lock(&helper.lock);
  for (;;) {
    while (helper.done == helper.requests && !helper.quit) {
      pthread_cond_wait(&helper.cond, &helper.lock);
    }
    if (helper.quit) break;
    // One allocation refills this thread's cache with a batch; the free adds the page back.
    struct vm_page* page;
    if (pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &page, NULL) == ZX_OK) pmm_free_page(page);
    helper.done++;
    pthread_cond_broadcast(&helper.cond);
  }
  pthread_mutex_unlock(&helper.lock);
  return NULL;
}

static void helper_fill_cache(void) {
  pthread_mutex_lock(&helper.lock);
  int want = ++helper.requests;
  pthread_cond_broadcast(&helper.cond);
  while (helper.done < want) pthread_cond_wait(&helper.cond, &helper.lock);
  pthread_mutex_unlock(&helper.lock);
  assert_true(pmm_cached_pages() > 0);
}

static void pmm_exhaustion_reclaims_other_caches(void** state) {
  (void)state;
  assert_ok(pmm_init(SMALL_ARENA_PAGES * PAGE_SIZE));
  struct platform_thread* th;
  assert_ok(platform_thread_create(helper_main, NULL, &th));

  // Single pages: every free page is allocatable although some sit in the helper's cache.
  helper_fill_cache();
  struct vm_page* pages[SMALL_ARENA_PAGES];
  size_t n = 0;
  while (pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &pages[n], NULL) == ZX_OK) n++;
  assert_int_equal(n, SMALL_ARENA_PAGES - 1);
  assert_int_equal(pmm_cached_pages(), 0);
  for (size_t i = 0; i < n; i++) pmm_free_page(pages[i]);
  pmm_check();

  // A batch of everything.
  pmm_thread_cache_drain();
  helper_fill_cache();
  struct page_list list;
  page_list_init(&list);
  assert_ok(pmm_alloc_pages(SMALL_ARENA_PAGES - 1, PMM_ALLOC_FLAG_ANY, &list));
  assert_int_equal(counts().free_pages, 0);
  pmm_free_pages(&list);

  // A contiguous run of everything.
  helper_fill_cache();
  paddr_t pa;
  assert_ok(
      pmm_alloc_contiguous(SMALL_ARENA_PAGES - 1, PMM_ALLOC_FLAG_ANY, PAGE_SIZE_SHIFT, &pa, &list));
  assert_int_equal(pa, PMM_PADDR_BASE + PAGE_SIZE);
  pmm_free_pages(&list);
  pmm_check();

  pthread_mutex_lock(&helper.lock);
  helper.quit = true;
  pthread_cond_broadcast(&helper.cond);
  pthread_mutex_unlock(&helper.lock);
  platform_thread_join(th);
  assert_all_free();
  pmm_check();
  pmm_shutdown();
}

// ---- thread exit ----

static void* alloc_free_some(void* arg) {
  (void)arg;
  struct vm_page* pages[5];
  for (int i = 0; i < 5; i++) {
    if (pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &pages[i], NULL) != ZX_OK) abort();
  }
  for (int i = 0; i < 5; i++) pmm_free_page(pages[i]);
  // Leave one page in a non-ALLOC state counted by this thread's cache, freed by main.
  struct vm_page* page;
  if (pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &page, NULL) != ZX_OK) abort();
  pmm_page_set_state(page, VM_PAGE_STATE_OBJECT);
  return page;
}

static void pmm_thread_exit_drains_cache(void** state) {
  (void)state;
  assert_ok(pmm_init(SMALL_ARENA_PAGES * PAGE_SIZE));
  pmm_thread_cache_drain();
  struct platform_thread* th;
  assert_ok(platform_thread_create(alloc_free_some, NULL, &th));
  struct vm_page* page = platform_thread_join(th);
  assert_int_equal(pmm_cached_pages(), 0);
  // The exited thread's counts live on: one OBJECT page.
  assert_int_equal(counts().by_state[VM_PAGE_STATE_OBJECT], 1);
  assert_int_equal(counts().free_pages, SMALL_ARENA_PAGES - 2);
  pmm_check();
  pmm_free_page(page);
  assert_all_free();
  pmm_check();
  pmm_shutdown();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pmm_threads_alloc_free_stress),
      cmocka_unit_test(pmm_exhaustion_reclaims_other_caches),
      cmocka_unit_test(pmm_thread_exit_drains_cache),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
