// pmm benchmark: page-frame metadata per page, single-page alloc+free throughput on one and two
// threads (against malloc(4096)/free), and how often the global pmm lock is taken (the per-thread
// caches should keep it far below one acquisition per allocation).
#include <pthread.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"
#include "pmm/pmm.h"

#define PAIRS_PER_THREAD 4000000ull
#define BURST_PAGES 256u
#define LOCK_ALLOCS 1000000ull

// One cache line per worker: |sink| keeps the pairs from being optimized out without sharing.
struct worker {
  alignas(64) void* volatile sink;
  bool use_pmm;
  uint64_t pairs;
  pthread_barrier_t* start;
};

static void* worker_main(void* arg) {
  struct worker* w = arg;
  pthread_barrier_wait(w->start);
  if (w->use_pmm) {
    for (uint64_t i = 0; i < w->pairs; i++) {
      struct vm_page* page;
      if (pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &page, NULL) != ZX_OK) abort();
      w->sink = page;
      pmm_free_page(page);
    }
  } else {
    for (uint64_t i = 0; i < w->pairs; i++) {
      void* p = malloc(4096);
      if (p == NULL) abort();
      w->sink = p;
      free(p);
    }
  }
  return NULL;
}

// Aggregate alloc+free pairs per second over |threads| threads.
static double pairs_per_sec(int threads, bool use_pmm) {
  pthread_t th[8];
  struct worker w[8];
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
  for (int i = 0; i < threads; i++) {
    w[i] = (struct worker){.use_pmm = use_pmm, .pairs = PAIRS_PER_THREAD, .start = &start};
    if (pthread_create(&th[i], NULL, worker_main, &w[i]) != 0) abort();
  }
  int64_t t0 = bench_now_ns();
  pthread_barrier_wait(&start);
  for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
  int64_t ns = bench_now_ns() - t0;
  pthread_barrier_destroy(&start);
  return (double)PAIRS_PER_THREAD * threads * 1e9 / (double)ns;
}

// Global-lock acquisitions per 1M single-page allocations in bursts: allocate BURST_PAGES pages,
// free them all, repeat. Bursts larger than a cache force refills and drains, the worst case for
// the caches short of exhaustion.
static double lock_acquisitions_per_1m_allocs(void) {
  static struct vm_page* pages[BURST_PAGES];
  uint64_t before = pmm_lock_acquisitions();
  for (uint64_t done = 0; done < LOCK_ALLOCS; done += BURST_PAGES) {
    for (unsigned i = 0; i < BURST_PAGES; i++) {
      if (pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &pages[i], NULL) != ZX_OK) abort();
    }
    for (unsigned i = 0; i < BURST_PAGES; i++) pmm_free_page(pages[i]);
  }
  uint64_t allocs = (LOCK_ALLOCS + BURST_PAGES - 1) / BURST_PAGES * BURST_PAGES;
  return (double)(pmm_lock_acquisitions() - before) * 1e6 / (double)allocs;
}

int main(void) {
  if (pmm_init(0) != ZX_OK) {
    fprintf(stderr, "pmm_bench: pmm_init failed\n");
    return 1;
  }
  bench_header("pmm_bench");
  struct pmm_counts counts;
  pmm_get_counts(&counts);
  // Linux's struct page is 64 bytes on x86-64.
  bench_report("pmm_metadata_bytes_per_page", "bytes",
               (double)counts.metadata_bytes / (double)counts.total_pages, 64.0, 0.5, false);

  // Warm up both allocators, then measure.
  (void)pairs_per_sec(1, true);
  (void)pairs_per_sec(1, false);
  double pmm1 = pairs_per_sec(1, true);
  double malloc1 = pairs_per_sec(1, false);
  double pmm2 = pairs_per_sec(2, true);
  double malloc2 = pairs_per_sec(2, false);
  bench_report("pmm_alloc_free_pairs_1thread", "pairs/s", pmm1, malloc1, 1.0, true);
  bench_report("pmm_alloc_free_pairs_2threads", "pairs/s", pmm2, malloc2, 1.0, true);
  // Scaling from one to two threads; the baseline is malloc's own scaling.
  bench_report("pmm_alloc_free_scaling_2threads", "x", pmm2 / pmm1, malloc2 / malloc1, 0.9, true);

  // The baseline is one acquisition per allocation: a pmm with a single global lock.
  bench_report("pmm_lock_acquisitions_per_1M_allocs", "acquisitions",
               lock_acquisitions_per_1m_allocs(), 1e6, 0.1, false);
  pmm_thread_cache_drain();
  pmm_shutdown();
  return 0;
}
