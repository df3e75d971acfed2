// Clone-and-write races (issue #4 "Concurrency"): writer threads keep bumping a per-page counter
// through a writable mapping of a VMO (simulated CPU: copy-on-write faults whenever a snapshot
// shares the page) while a snapshot thread keeps taking snapshots of that VMO, reading them and
// closing them in random order. Invariant checked for every snapshot and every page: the value
// the snapshot holds was written no earlier than the last value the writer had finished before
// the snapshot began, and no later than the first value it started after the snapshot returned
// (snapshots are atomic with respect to writes), and a snapshot never changes afterwards. At the
// end: zxvm_check (vm_aspace_check), every VMO's checker, and every page back in the pmm. Runs
// under ThreadSanitizer in CI (label concurrency); the seed is printed and replayable.
#include "test_util.h"
// zxvm headers after cmocka.
#include <stdatomic.h>
#include <string.h>

#include "base/platform.h"
#include "base/prng.h"
#include "pmm/pmm.h"
#include "vm/vm_aspace.h"
#include "vm/vm_object_paged.h"

#define P PAGE_SIZE
#define RW (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_WRITE | ARCH_MMU_FLAG_PERM_USER)
#define WRITERS 2
#define PAGES_PER_WRITER 8
#define PAGES (WRITERS * PAGES_PER_WRITER)
#define SNAPSHOTS 400
#define LIVE 6

struct shared {
  struct vm_aspace* aspace;
  struct vm_object_paged* vmo;
  vaddr_t base;
  uint64_t seed;
  _Atomic bool stop;
  // Per page: the last value whose write completed, and the last value a write started.
  _Atomic uint64_t done[PAGES];
  _Atomic uint64_t started[PAGES];
};

// Threads report with ZX_ASSERT (a panic): cmocka asserts may only fail on the main thread.
static void* writer_main(void* arg) {
  struct shared* s = ((void**)arg)[0];
  int id = (int)(uintptr_t)((void**)arg)[1];
  struct prng rng;
  prng_seed(&rng, s->seed + (uint64_t)id);
  while (!atomic_load(&s->stop)) {
    int page = id * PAGES_PER_WRITER + (int)prng_uniform(&rng, PAGES_PER_WRITER);
    uint64_t v = atomic_load(&s->done[page]) + 1;
    atomic_store(&s->started[page], v);
    zx_status_t st =
        vm_aspace_user_access(s->aspace, s->base + page * P, &v, sizeof(v), ARCH_ACCESS_WRITE);
    ZX_ASSERT_MSG(st == ZX_OK, "write fault failed: %d", st);
    atomic_store(&s->done[page], v);
  }
  return NULL;
}

static void check_snapshot(struct vm_object_paged* snap, const uint64_t* lo, const uint64_t* hi,
                           uint64_t* seen) {
  for (int page = 0; page < PAGES; page++) {
    uint64_t v;
    ZX_ASSERT(vm_object_paged_read(snap, &v, page * P, sizeof(v)) == ZX_OK);
    if (seen != NULL) seen[page] = v;
    ZX_ASSERT_MSG(v >= lo[page] && v <= hi[page],
                  "page %d: snapshot holds %lu, expected within [%lu, %lu]", page, (unsigned long)v,
                  (unsigned long)lo[page], (unsigned long)hi[page]);
  }
}

// A snapshot never changes after it was taken: what it held when first read it still holds (a
// write in flight that landed in shared pages after the snapshot would break this).
static void check_unchanged(struct vm_object_paged* snap, const uint64_t* seen) {
  for (int page = 0; page < PAGES; page++) {
    uint64_t v;
    ZX_ASSERT(vm_object_paged_read(snap, &v, page * P, sizeof(v)) == ZX_OK);
    ZX_ASSERT_MSG(v == seen[page], "page %d of a snapshot changed from %lu to %lu", page,
                  (unsigned long)seen[page], (unsigned long)v);
  }
}

static void* snapshotter_main(void* arg) {
  struct shared* s = arg;
  struct prng rng;
  prng_seed(&rng, s->seed ^ 0x5a5a5a5a);
  struct vm_object_paged* live[LIVE] = {0};
  static uint64_t live_seen[LIVE][PAGES];
  uint64_t seen[PAGES];
  for (int i = 0; i < SNAPSHOTS; i++) {
    uint64_t lo[PAGES], hi[PAGES];
    for (int p = 0; p < PAGES; p++) lo[p] = atomic_load(&s->done[p]);
    struct vm_object_paged* snap;
    // Snapshot of the VMO, or of an earlier snapshot (a chain) a third of the time.
    ZX_ASSERT(vm_object_paged_create_child(s->vmo, VM_CHILD_SNAPSHOT, 0, PAGES * P, &snap) ==
              ZX_OK);
    for (int p = 0; p < PAGES; p++) hi[p] = atomic_load(&s->started[p]);
    check_snapshot(snap, lo, hi, seen);
    if (prng_uniform(&rng, 3) == 0) {
      struct vm_object_paged* grand;
      ZX_ASSERT(vm_object_paged_create_child(snap, VM_CHILD_SNAPSHOT, 0, PAGES * P, &grand) ==
                ZX_OK);
      check_snapshot(grand, lo, hi, NULL);
      uint64_t x = 0xdead;
      ZX_ASSERT(vm_object_paged_write(grand, &x, 0, sizeof(x)) == ZX_OK);  // fork in the chain
      check_unchanged(snap, seen);  // the parent snapshot does not see it
      vm_object_paged_release(grand);
    }
    vm_object_paged_check(snap);
    size_t slot = prng_uniform(&rng, LIVE);  // keep a few alive, close in random order
    if (live[slot] != NULL) {
      check_unchanged(live[slot], live_seen[slot]);
      vm_object_paged_release(live[slot]);
    }
    live[slot] = snap;
    memcpy(live_seen[slot], seen, sizeof(seen));
  }
  for (int i = 0; i < LIVE; i++) {
    if (live[i] != NULL) {
      check_unchanged(live[i], live_seen[i]);
      vm_object_paged_release(live[i]);
    }
  }
  atomic_store(&s->stop, true);
  return NULL;
}

static void clones_snapshot_races_writes_stay_atomic(void** state) {
  (void)state;
  static struct shared s;
  memset(&s, 0, sizeof(s));
  s.seed = test_seed("clones_snapshot_races_writes_stay_atomic");
  assert_ok(pmm_init(64u << 20));
  struct pmm_counts before;
  pmm_get_counts(&before);
  assert_ok(vm_aspace_create(NULL, "stress", &s.aspace));
  struct vm_address_region* root = vm_aspace_root_vmar(s.aspace);
  assert_ok(vm_object_paged_create(0, PAGES * P, &s.vmo));
  struct vm_mapping* m;
  assert_ok(vm_address_region_create_vm_mapping(root, 0, PAGES * P, 0, 0, &s.vmo->base, 0, RW, "m",
                                                &m, &s.base));
  void* args[WRITERS][2];
  struct platform_thread* writers[WRITERS];
  for (int i = 0; i < WRITERS; i++) {
    args[i][0] = &s;
    args[i][1] = (void*)(uintptr_t)i;
    assert_ok(platform_thread_create(writer_main, args[i], &writers[i]));
  }
  struct platform_thread* snapper;
  assert_ok(platform_thread_create(snapshotter_main, &s, &snapper));
  platform_thread_join(snapper);
  for (int i = 0; i < WRITERS; i++) platform_thread_join(writers[i]);
  uint64_t writes = 0;
  for (int p = 0; p < PAGES; p++) writes += atomic_load(&s.done[p]);
  printf("[stress] %d snapshots, %lu writes\n", SNAPSHOTS, (unsigned long)writes);
  assert_true(writes > SNAPSHOTS);  // the writers really overlapped the snapshots
  vm_aspace_check(s.aspace);
  vm_object_paged_check(s.vmo);
  for (int p = 0; p < PAGES; p++) {  // the VMO itself holds every last write
    uint64_t v;
    assert_ok(vm_object_paged_read(s.vmo, &v, p * P, sizeof(v)));
    assert_int_equal(atomic_load(&s.done[p]), v);
  }
  vm_address_region_or_mapping_release(&m->common);
  vm_address_region_or_mapping_release(&root->common);
  assert_ok(vm_aspace_destroy(s.aspace));
  vm_aspace_release(s.aspace);
  vm_object_paged_release(s.vmo);
  struct pmm_counts after;
  pmm_get_counts(&after);
  assert_int_equal(before.free_pages, after.free_pages);
  pmm_shutdown();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(clones_snapshot_races_writes_stay_atomic),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
