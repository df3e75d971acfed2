// The VMAR walk that drops the aspace lock between mappings (used by attribution and op_range;
// Zircon's pausable enumerator, spec §7 item 47) under concurrent unmap, replace and insert. One
// thread keeps changing the children of a VMAR (fresh mappings, SPECIFIC_OVERWRITE replacements,
// partial unmaps, whole unmaps) while another sums attribution over it. Every sum must be a value
// some interleaving could produce: a multiple of the page size no larger than every slot holding
// its biggest mapping, and each slot's VMO is fully committed, so the walk never reports pages of
// a mapping twice (that would exceed the bound). Runs under ThreadSanitizer in CI.
#include "test_util.h"
// zxvm headers after cmocka.
#include <stdatomic.h>

#include "base/platform.h"
#include "base/prng.h"
#include "pmm/pmm.h"
#include "vm/vm_aspace.h"
#include "vm/vm_object_paged.h"

#define P PAGE_SIZE
#define RW (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_WRITE | ARCH_MMU_FLAG_PERM_USER)
#define SLOTS 8
#define SLOT_PAGES 8

struct shared {
  struct vm_aspace* aspace;
  struct vm_address_region* vmar;
  struct vm_object_paged* vmos[SLOTS];
  _Atomic bool stop;
  uint64_t seed;
  _Atomic uint64_t walks;
};

// Threads check with ZX_ASSERT (a panic), not cmocka asserts, which may only fail on the main
// thread.
static void* mutator(void* arg) {
  struct shared* s = arg;
  struct prng rng;
  prng_seed(&rng, s->seed);
  // Keep changing the tree until the walker has overlapped it many times (bounded in time).
  int64_t deadline = platform_now_ns() + 2000000000;
  for (int i = 0; i < 3000 || (atomic_load(&s->walks) < 2000 && platform_now_ns() < deadline);
       i++) {
    size_t slot = prng_uniform(&rng, SLOTS);
    size_t rel = slot * SLOT_PAGES * P;
    struct vm_mapping* m;
    vaddr_t base;
    switch (prng_uniform(&rng, 3)) {
      case 0: {  // insert, or replace whatever is there
        size_t pages = 1 + prng_uniform(&rng, SLOT_PAGES);
        uint32_t f = VMAR_FLAG_SPECIFIC | VMAR_FLAG_SPECIFIC_OVERWRITE;
        zx_status_t st = vm_address_region_create_vm_mapping(
            s->vmar, rel, pages * P, 0, f, &s->vmos[slot]->base, 0, RW, "e", &m, &base);
        ZX_ASSERT(st == ZX_OK);
        vm_address_region_or_mapping_release(&m->common);
        break;
      }
      case 1:  // partial unmap of the slot's tail
        ZX_ASSERT(vm_address_region_unmap(s->vmar, vm_region_base(&s->vmar->common) + rel + 4 * P,
                                          4 * P, VM_OP_CHILDREN_YES, false) == ZX_OK);
        break;
      default:  // unmap the whole slot
        ZX_ASSERT(vm_address_region_unmap(s->vmar, vm_region_base(&s->vmar->common) + rel,
                                          SLOT_PAGES * P, VM_OP_CHILDREN_YES, false) == ZX_OK);
        break;
    }
  }
  atomic_store(&s->stop, true);
  return NULL;
}

static void* walker(void* arg) {
  struct shared* s = arg;
  while (!atomic_load(&s->stop)) {
    struct vm_attribution_counts c = vm_address_region_get_attributed_memory(s->vmar);
    ZX_ASSERT(c.uncompressed_bytes % P == 0);
    ZX_ASSERT(c.uncompressed_bytes <= (uint64_t)SLOTS * SLOT_PAGES * P);
    atomic_fetch_add(&s->walks, 1);
  }
  return NULL;
}

static void vm_address_region_walk_survives_concurrent_change(void** state) {
  (void)state;
  static struct shared s;
  s.seed = test_seed("vm_address_region_walk_survives_concurrent_change");
  atomic_store(&s.stop, false);
  atomic_store(&s.walks, 0);
  assert_ok(pmm_init(64u << 20));
  assert_ok(vm_aspace_create(NULL, "enum", &s.aspace));
  struct vm_address_region* root = vm_aspace_root_vmar(s.aspace);
  uint32_t vf = VMAR_FLAG_CAN_MAP_SPECIFIC | VMAR_CAN_RWX_FLAGS;
  assert_ok(
      vm_address_region_create_sub_vmar(root, 0, SLOTS * SLOT_PAGES * P, 0, vf, "v", &s.vmar));
  for (int i = 0; i < SLOTS; i++) {
    assert_ok(vm_object_paged_create(0, SLOT_PAGES * P, &s.vmos[i]));
    assert_ok(vm_object_paged_commit_range(s.vmos[i], 0, SLOT_PAGES * P));
  }
  struct platform_thread *a, *b;
  assert_ok(platform_thread_create(mutator, &s, &a));
  assert_ok(platform_thread_create(walker, &s, &b));
  platform_thread_join(a);
  platform_thread_join(b);
  printf("[walks] %" PRIu64 "\n", atomic_load(&s.walks));
  assert_true(atomic_load(&s.walks) > 0);
  vm_aspace_check(s.aspace);
  assert_ok(vm_address_region_or_mapping_destroy(&s.vmar->common));
  vm_address_region_or_mapping_release(&s.vmar->common);
  vm_address_region_or_mapping_release(&root->common);
  assert_ok(vm_aspace_destroy(s.aspace));
  vm_aspace_release(s.aspace);
  for (int i = 0; i < SLOTS; i++) vm_object_paged_release(s.vmos[i]);
  pmm_shutdown();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(vm_address_region_walk_survives_concurrent_change),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
