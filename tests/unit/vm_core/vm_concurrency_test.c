// Concurrency: worker threads fault (simulated user reads and writes) disjoint and shared pages of
// a mapping whose protection another thread keeps changing, and of a region where that thread
// keeps mapping, overwriting, cutting, merging and unmapping. Checks: no crash, no
// ThreadSanitizer report (run with -DZXVM_TSAN=ON), every status from the allowed set, the data
// each worker wrote to its own pages intact, and vm_aspace_check at the end.
//
// Data races the simulation cannot rule out are avoided by construction, as hardware would with
// TLB shootdowns: each page is written by one thread only, and no VMO page is freed while the
// workers run (nothing decommits).
#include <pthread.h>

#include "base/prng.h"
#include "vm_core_test_util.h"

#define P PAGE_SIZE
#define AS_BASE ((vaddr_t)0x1000000)
#define AS_SIZE ((size_t)0x1000000)
#define WORKERS 3
#define OWN_PAGES 8     // per worker, in the stable mapping
#define SHARED_PAGES 8  // read by everyone
#define M_PAGES (WORKERS * OWN_PAGES + SHARED_PAGES)
#define CHURN_PAGES 32  // the region the mutator rebuilds
#define WORKER_ITERS 6000

struct shared {
  struct vm_aspace* as;
  struct vm_address_region* root;
  vaddr_t m_base;      // stable mapping
  vaddr_t churn_base;  // rebuilt region
  struct vm_object* m_vmo;
  struct vm_object* churn_vmo;
  uint64_t seed;
  _Atomic bool stop;       // set once every worker is done
  _Atomic int bad_status;  // first unexpected status seen, 0 if none
  _Atomic uint64_t ok_accesses;
};

struct worker {
  struct shared* sh;
  int id;
  uint64_t last_value[OWN_PAGES];  // last value successfully written to each own page
};

static void note_bad(struct shared* sh, zx_status_t s) {
  int expected = 0;
  atomic_compare_exchange_strong(&sh->bad_status, &expected, (int)s);
}

static void worker_stable(struct worker* w, struct prng* rng) {
  struct shared* sh = w->sh;
  uint64_t k = prng_uniform(rng, 3);
  if (k == 0) {  // write to an own page; may be denied while the mutator has it read-only
    unsigned i = (unsigned)prng_uniform(rng, OWN_PAGES);
    vaddr_t va = sh->m_base + ((vaddr_t)w->id * OWN_PAGES + i) * P;
    uint64_t v = prng_next(rng) | 1;
    zx_status_t s = vt_write(sh->as, va, &v, 8);
    if (s == ZX_OK)
      w->last_value[i] = v;
    else if (s != ZX_ERR_ACCESS_DENIED)
      note_bad(sh, s);
  } else if (k == 1) {  // read back an own page
    unsigned i = (unsigned)prng_uniform(rng, OWN_PAGES);
    vaddr_t va = sh->m_base + ((vaddr_t)w->id * OWN_PAGES + i) * P;
    uint64_t v = 0;
    zx_status_t s = vt_read(sh->as, va, &v, 8);
    if (s != ZX_OK)
      note_bad(sh, s);
    else if (v != w->last_value[i])
      note_bad(sh, ZX_ERR_INTERNAL);
  } else {  // read a shared page (never written: zero)
    unsigned i = (unsigned)prng_uniform(rng, SHARED_PAGES);
    vaddr_t va = sh->m_base + ((vaddr_t)WORKERS * OWN_PAGES + i) * P + 8 * prng_uniform(rng, 512);
    uint64_t v = 1;
    zx_status_t s = vt_read(sh->as, va, &v, 8);
    if (s != ZX_OK)
      note_bad(sh, s);
    else if (v != 0)
      note_bad(sh, ZX_ERR_INTERNAL);
  }
}

static void worker_churn(struct worker* w, struct prng* rng) {
  struct shared* sh = w->sh;
  // Pages i with i % WORKERS == id are this worker's to write; any page may be read.
  unsigned i = (unsigned)prng_uniform(rng, CHURN_PAGES);
  bool write = (i % WORKERS) == (unsigned)w->id && prng_uniform(rng, 2);
  uint64_t v = prng_next(rng);
  zx_status_t s = vm_aspace_user_access(sh->as, sh->churn_base + i * P, &v, 8,
                                        write ? ARCH_ACCESS_WRITE : ARCH_ACCESS_READ);
  if (s != ZX_OK && s != ZX_ERR_NOT_FOUND && s != ZX_ERR_ACCESS_DENIED) note_bad(sh, s);
}

static void* worker_main(void* arg) {
  struct worker* w = arg;
  struct prng rng;
  prng_seed(&rng, w->sh->seed * 31 + (uint64_t)w->id);
  for (int it = 0; it < WORKER_ITERS; it++) {
    if (prng_uniform(&rng, 2)) {
      worker_stable(w, &rng);
    } else {
      worker_churn(w, &rng);
    }
    atomic_fetch_add(&w->sh->ok_accesses, 1);
  }
  pmm_thread_cache_drain();
  return NULL;
}

static void mutate_churn(struct shared* sh, struct prng* rng) {
  vaddr_t off = sh->churn_base - AS_BASE;
  size_t first = prng_uniform(rng, CHURN_PAGES), n = 1 + prng_uniform(rng, CHURN_PAGES - first);
  uint32_t prot = prng_uniform(rng, 2) ? VT_PERM_RW : VT_PERM_R;
  struct vm_mapping* m = NULL;
  vaddr_t base = 0;
  zx_status_t s;
  switch (prng_uniform(rng, 4)) {
    case 0:  // (re)map, identity VMO offsets, overwriting whatever is there
      s = vm_address_region_create_vm_mapping(sh->root, off + first * P, n * P, 0,
                                              VMAR_FLAG_SPECIFIC_OVERWRITE, sh->churn_vmo,
                                              first * P, prot, "churn", &m, &base);
      if (s != ZX_OK)
        note_bad(sh, s);
      else
        vm_mapping_mark_mergeable(m);
      break;
    case 1:
      s = vm_address_region_unmap(sh->root, sh->churn_base + first * P, n * P, VM_OP_CHILDREN_NO,
                                  false);
      if (s != ZX_OK) note_bad(sh, s);
      break;
    case 2:
      s = vm_address_region_protect(sh->root, sh->churn_base + first * P, n * P, VT_PERM_R,
                                    VM_OP_CHILDREN_NO);
      if (s != ZX_OK && s != ZX_ERR_NOT_FOUND && s != ZX_ERR_ACCESS_DENIED) note_bad(sh, s);
      break;
    default:
      s = vm_address_region_range_op(sh->root, ZX_VMAR_OP_MAP_RANGE, sh->churn_base + first * P,
                                     n * P, VM_OP_CHILDREN_NO, NULL, 0);
      if (s != ZX_OK && s != ZX_ERR_BAD_STATE) note_bad(sh, s);
      break;
  }
}

static void* mutator_main(void* arg) {
  struct shared* sh = arg;
  struct prng rng;
  prng_seed(&rng, sh->seed);
  // Runs until every worker is done, so the workers always race with it.
  while (!atomic_load(&sh->stop)) {
    if (prng_uniform(&rng, 4) == 0) {
      // Flip the stable mapping's protection (within its RW ceiling).
      uint32_t prot = prng_uniform(&rng, 2) ? VT_PERM_RW : VT_PERM_R;
      size_t first = prng_uniform(&rng, M_PAGES), n = 1 + prng_uniform(&rng, M_PAGES - first);
      zx_status_t s = vm_address_region_protect(sh->root, sh->m_base + first * P, n * P, prot,
                                                VM_OP_CHILDREN_NO);
      if (s != ZX_OK) note_bad(sh, s);
    } else {
      mutate_churn(sh, &rng);
    }
  }
  pmm_thread_cache_drain();
  return NULL;
}

static void vm_concurrent_faults_with_protect_unmap_map(void** state) {
  (void)state;
  static struct shared sh;
  memset(&sh, 0, sizeof(sh));
  sh.seed = test_seed("vm_concurrent_faults_with_protect_unmap_map");
  sh.as = vt_aspace(AS_BASE, AS_SIZE, 0, 0);
  sh.root = vm_aspace_root_vmar(sh.as);
  sh.m_vmo = vt_vmo(M_PAGES * P, 0);
  sh.churn_vmo = vt_vmo(CHURN_PAGES * P, 0);
  sh.m_base = vm_mapping_base(vt_map_at(sh.root, 0, M_PAGES * P, sh.m_vmo, 0, VT_PERM_RW));
  sh.churn_base = AS_BASE + 2 * M_PAGES * P;
  static struct worker workers[WORKERS];
  pthread_t threads[WORKERS + 1];
  for (int i = 0; i < WORKERS; i++) {
    workers[i] = (struct worker){.sh = &sh, .id = i};
    assert_int_equal(pthread_create(&threads[i], NULL, worker_main, &workers[i]), 0);
  }
  assert_int_equal(pthread_create(&threads[WORKERS], NULL, mutator_main, &sh), 0);
  for (int i = 0; i < WORKERS; i++) assert_int_equal(pthread_join(threads[i], NULL), 0);
  atomic_store(&sh.stop, true);
  assert_int_equal(pthread_join(threads[WORKERS], NULL), 0);
  assert_int_equal(atomic_load(&sh.bad_status), 0);
  vm_aspace_check(sh.as);
  // Every worker's last successful write is what its page holds.
  for (int w = 0; w < WORKERS; w++) {
    for (int i = 0; i < OWN_PAGES; i++) {
      uint64_t v = 0;
      assert_ok(vm_object_paged_read(vt_paged(sh.m_vmo), &v, ((uint64_t)w * OWN_PAGES + i) * P, 8));
      assert_int_equal(v, workers[w].last_value[i]);
    }
  }
  printf("[concurrency] %" PRIu64 " accesses, %" PRIu64 " faults, %" PRIu64 " retried\n",
         atomic_load(&sh.ok_accesses), atomic_load(&sh.as->stats.faults),
         atomic_load(&sh.as->stats.faults_retried));
  vt_release(sh.root);
  vt_aspace_free(sh.as);
  vm_object_release(sh.m_vmo);
  vm_object_release(sh.churn_vmo);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(vm_concurrent_faults_with_protect_unmap_map, vt_setup,
                                      vt_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
