// Concurrency of the soft backend: simulated accesses, harvests and FreeUnaccessed passes race
// with map / protect / unmap of the same range, whose last-level tables are created and freed on
// every round. A walker must never touch a freed table page (ASan/TSan builds catch that), every
// successful translation must return the page mapped at that address, and the bookkeeping must
// check out at the end.
#include <pthread.h>
#include <sched.h>

#include "test_util.h"
// zxvm headers after cmocka.
#include "arch/arch_aspace.h"
#include "pmm/pmm.h"

#define ARENA_PAGES 2048u
#define RANGE_VA (((vaddr_t)1 << 30) - 32 * PAGE_SIZE)  // straddles a 1 GiB boundary
#define RANGE_PAGES 64u
#define FAKE_PA ((paddr_t)0x40000000000ull)
#define ROUNDS 3000
#define RW (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_WRITE | ARCH_MMU_FLAG_PERM_USER)
#define RO (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_USER)

struct shared {
  struct arch_aspace* aspace;
  int done;                    // (a)
  uint64_t ok, faults, wrong;  // per-run totals, (a)
};

static void count_error(struct shared* s, zx_status_t status) {
  if (status != ZX_OK) __atomic_add_fetch(&s->wrong, 1, __ATOMIC_RELAXED);
}

// Pages [16, 32) are never writable: mapped read-only, then protected to read+execute.
static void* mapper(void* p) {
  struct shared* s = p;
  for (int round = 0; round < ROUNDS; round++) {
    struct arch_aspace* a = s->aspace;
    count_error(s, arch_aspace_map_contiguous(a, RANGE_VA, FAKE_PA, 16, RW, NULL));
    count_error(s, arch_aspace_map_contiguous(a, RANGE_VA + 16 * PAGE_SIZE,
                                              FAKE_PA + 16 * PAGE_SIZE, 16, RO, NULL));
    count_error(s,
                arch_aspace_map_contiguous(a, RANGE_VA + 32 * PAGE_SIZE, FAKE_PA + 32 * PAGE_SIZE,
                                           RANGE_PAGES - 32, RW, NULL));
    count_error(s, arch_aspace_protect(a, RANGE_VA + 16 * PAGE_SIZE, 16,
                                       RO | ARCH_MMU_FLAG_PERM_EXECUTE, 0));
    sched_yield();  // let the accessors see the mapped state
    count_error(s, arch_aspace_unmap(a, RANGE_VA, RANGE_PAGES, ARCH_UNMAP_OPTION_HARVEST, NULL));
  }
  __atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
  return NULL;
}

static void* accessor(void* p) {
  struct shared* s = p;
  uint64_t ok = 0, faults = 0, wrong = 0;
  for (uint32_t i = 0; !__atomic_load_n(&s->done, __ATOMIC_ACQUIRE); i++) {
    size_t page = (i * 7u) % RANGE_PAGES;
    uint32_t access = (i & 1) ? ARCH_ACCESS_WRITE | ARCH_ACCESS_USER : ARCH_ACCESS_READ;
    paddr_t pa;
    uint32_t pf = 0;
    zx_status_t st =
        arch_soft_translate(s->aspace, RANGE_VA + page * PAGE_SIZE + 5, access, &pa, &pf);
    if (st == ZX_OK) {
      ok++;
      if (pa != FAKE_PA + page * PAGE_SIZE + 5) wrong++;
      // A write can only succeed where the page is writable: never in the protected half.
      if ((access & ARCH_ACCESS_WRITE) && page >= 16 && page < 32) wrong++;
    } else {
      faults++;
      if (st != ZX_ERR_NOT_FOUND || !(pf & VMM_PF_FLAG_HW_FAULT)) wrong++;
    }
  }
  __atomic_add_fetch(&s->ok, ok, __ATOMIC_RELAXED);
  __atomic_add_fetch(&s->faults, faults, __ATOMIC_RELAXED);
  __atomic_add_fetch(&s->wrong, wrong, __ATOMIC_RELAXED);
  return NULL;
}

static void* harvester(void* p) {
  struct shared* s = p;
  while (!__atomic_load_n(&s->done, __ATOMIC_ACQUIRE)) {
    size_t freed;
    if (arch_aspace_harvest_accessed(s->aspace, RANGE_VA, RANGE_PAGES, NULL, NULL) != ZX_OK ||
        arch_aspace_free_unaccessed(s->aspace, RANGE_VA - ((vaddr_t)1 << 30) + 32 * PAGE_SIZE,
                                    (size_t)1 << 19, &freed) != ZX_OK) {
      __atomic_add_fetch(&s->wrong, 1, __ATOMIC_RELAXED);
    }
  }
  return NULL;
}

static void arch_translate_races_map_unmap(void** state) {
  assert_ok(pmm_init(ARENA_PAGES * PAGE_SIZE));
  struct shared s = {0};
  assert_ok(
      arch_aspace_create(ARCH_BACKEND_SOFT, 0, (size_t)1 << 47, ARCH_ASPACE_FLAG_USER, &s.aspace));
  pthread_t threads[4];
  assert_int_equal(0, pthread_create(&threads[0], NULL, mapper, &s));
  assert_int_equal(0, pthread_create(&threads[1], NULL, accessor, &s));
  assert_int_equal(0, pthread_create(&threads[2], NULL, accessor, &s));
  assert_int_equal(0, pthread_create(&threads[3], NULL, harvester, &s));
  for (size_t i = 0; i < 4; i++) assert_int_equal(0, pthread_join(threads[i], NULL));
  print_message("%llu successful accesses, %llu faults\n", (unsigned long long)s.ok,
                (unsigned long long)s.faults);
  assert_int_equal(0, s.wrong);
  assert_true(s.faults > 0);
  arch_aspace_check(s.aspace);
  struct arch_aspace_counts c;
  arch_aspace_get_counts(s.aspace, &c);
  assert_int_equal(0, c.present_entries);
  assert_int_equal(1, c.table_pages);
  arch_aspace_destroy(s.aspace);
  pmm_shutdown();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(arch_translate_races_map_unmap),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
