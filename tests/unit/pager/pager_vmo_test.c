// Pager-backed VMOs at the VM level (no zx calls): faults and VMO reads that block on READ
// requests and resume after supply, batching, FAIL, TRAP_DIRTY / DIRTY acks, writeback, dirty
// ranges, stats, detach and COMPLETE, supply and op_range argument checks, and eviction (aging by
// accessed-bit harvests, reclaim, fault back in). The test plays the pager: packets arrive in a
// queue (pager_test_util.h); an "accessor" thread makes the blocking access while the test thread
// answers. Each test runs on a fresh pmm arena and soft-MMU aspace, checked at teardown.
#include "test_util.h"
// zxvm headers after cmocka.
#include "pager_test_util.h"
#include "pmm/pmm.h"
#include "vm/evictor.h"
#include "vm/vm_aspace.h"
#include "vm/vm_pager.h"

#define P PAGE_SIZE
#define KEY 0x5a5a000000000001ull
#define RW (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_WRITE | ARCH_MMU_FLAG_PERM_USER)
#define RO (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_USER)
#define WAIT_MS 10000

struct fixture {
  struct vm_aspace* aspace;
  struct vm_address_region* root;
  struct packet_queue q;
  struct page_source* src;
  struct vm_object_paged* vmo;
};

static struct fixture fx;

static int setup_common(uint32_t flags, uint64_t pages, uint32_t options) {
  assert_ok(pmm_init(64u << 20));
  assert_ok(vm_aspace_create(NULL, "pager", &fx.aspace));
  fx.root = vm_aspace_root_vmar(fx.aspace);
  packet_queue_init(&fx.q);
  assert_ok(page_source_create(flags, KEY, packet_queue_send, &fx.q, &fx.src));
  assert_ok(vm_pager_create_vmo(options, pages * P, fx.src, &fx.vmo));
  return 0;
}

static int setup(void** state) { return setup_common(0, 32, 0); }
static int setup_trap_dirty(void** state) {
  return setup_common(PAGE_SOURCE_FLAG_TRAP_DIRTY, 32, 0);
}
static int setup_resizable(void** state) { return setup_common(0, 20, VM_OBJECT_PAGED_RESIZABLE); }

static int teardown(void** state) {
  vm_aspace_check(fx.aspace);
  vm_address_region_or_mapping_release(&fx.root->common);
  assert_ok(vm_aspace_destroy(fx.aspace));
  vm_aspace_release(fx.aspace);
  if (fx.vmo) vm_object_paged_release(fx.vmo);
  page_source_check(fx.src);
  page_source_release(fx.src);
  struct vm_evictor_stats es;
  vm_evictor_get_stats(&es);
  assert_int_equal(0, es.registered);
  packet_queue_destroy(&fx.q);
  pmm_shutdown();
  memset(&fx, 0, sizeof(fx));
  return 0;
}

static uint8_t pattern(uint64_t page, uint64_t byte) {
  return (uint8_t)(page * 7 + byte % 251 + 1);
}

// Supplies [offset, offset + len) from a fresh aux VMO filled with pattern() (|salt| shifts it).
static zx_status_t supply_salted(uint64_t offset, uint64_t len, uint8_t salt) {
  struct vm_object_paged* aux;
  assert_ok(vm_object_paged_create(0, len, &aux));
  uint8_t* buf = malloc(len);
  for (uint64_t i = 0; i < len; i++) buf[i] = (uint8_t)(pattern((offset + i) / P, i % P) + salt);
  assert_ok(vm_object_paged_write(aux, buf, 0, len));
  free(buf);
  zx_status_t st = vm_pager_supply_pages(fx.vmo, offset, len, aux, 0);
  vm_object_paged_release(aux);
  return st;
}

static zx_status_t supply(uint64_t offset, uint64_t len) { return supply_salted(offset, len, 0); }

static zx_port_packet_t pop(void) {
  zx_port_packet_t p;
  assert_true(packet_queue_pop(&fx.q, &p, WAIT_MS));
  return p;
}

static struct vm_mapping* map(uint32_t flags, vaddr_t* out_base) {
  struct vm_mapping* m;
  assert_ok(vm_address_region_create_vm_mapping(fx.root, 0, vm_object_paged_get_size(fx.vmo), 0, 0,
                                                &fx.vmo->base, 0, flags, "pager", &m, out_base));
  return m;
}

static void unmap(struct vm_mapping* m) {
  if (m->common.state == VM_LIFECYCLE_ALIVE) {
    assert_ok(vm_address_region_or_mapping_destroy(&m->common));
  }
  vm_address_region_or_mapping_release(&m->common);
}

static uint32_t pte_flags(vaddr_t va) {
  arch_mmu_flags_t f;
  if (arch_aspace_query(fx.aspace->arch, va, NULL, &f) != ZX_OK) return 0;
  return f;
}

static uint64_t committed_pages(struct vm_object_paged* vmo) {
  struct vm_object_paged_stats st;
  vm_object_paged_get_stats(vmo, &st);
  return st.committed_bytes / P;
}

// ---- an access made by another thread --------------------------------------------------------

enum access_kind { ACCESS_USER_READ, ACCESS_USER_WRITE, ACCESS_VMO_READ, ACCESS_VMO_WRITE };

struct accessor {
  pthread_t thread;
  enum access_kind kind;
  vaddr_t va;       // user accesses
  uint64_t offset;  // VMO accesses
  uint8_t buf[2 * 4096];
  size_t len;
  zx_status_t status;
  _Atomic bool done;
};

static void* accessor_main(void* arg) {
  struct accessor* a = arg;
  switch (a->kind) {
    case ACCESS_USER_READ:
      a->status = vm_aspace_user_access(fx.aspace, a->va, a->buf, a->len, ARCH_ACCESS_READ);
      break;
    case ACCESS_USER_WRITE:
      a->status = vm_aspace_user_access(fx.aspace, a->va, a->buf, a->len, ARCH_ACCESS_WRITE);
      break;
    case ACCESS_VMO_READ:
      a->status = vm_object_paged_read(fx.vmo, a->buf, a->offset, a->len);
      break;
    case ACCESS_VMO_WRITE:
      a->status = vm_object_paged_write(fx.vmo, a->buf, a->offset, a->len);
      break;
  }
  atomic_store(&a->done, true);
  return NULL;
}

static void accessor_start(struct accessor* a, enum access_kind kind, vaddr_t va, uint64_t offset,
                           size_t len) {
  a->kind = kind;
  a->va = va;
  a->offset = offset;
  a->len = len;
  a->status = 1;
  atomic_init(&a->done, false);
  assert_int_equal(0, pthread_create(&a->thread, NULL, accessor_main, a));
}

static zx_status_t accessor_join(struct accessor* a) {
  assert_int_equal(0, pthread_join(a->thread, NULL));
  return a->status;
}

// Waits until the page source has parked |waits| waiters in total (an access that attaches to a
// request already sent produces no packet to wait for).
static void wait_parked(uint64_t waits) {
  for (int i = 0; i < WAIT_MS; i++) {
    struct page_source_stats st;
    page_source_get_stats(fx.src, &st);
    if (st.waits >= waits) return;
    usleep(1000);
  }
  fail_msg("no waiter parked");
}

// The accessor is still blocked a while after its request went out.
static void assert_blocked(struct accessor* a) {
  usleep(20000);
  assert_false(atomic_load(&a->done));
}

// ---- read faults and reads -------------------------------------------------------------------

// A fault asks for its own page only (Zircon: mapped faults fault pages in one by one); a VMO read
// batches one request over the absent run it covers.
static void pager_read_fault_asks_one_page_and_resumes(void** state) {
  vaddr_t base;
  struct vm_mapping* m = map(RW, &base);
  struct accessor a;
  accessor_start(&a, ACCESS_USER_READ, base + 3 * P + 10, 0, 1);
  assert_packet(KEY, ZX_PAGER_VMO_READ, 3 * P, P, pop());
  assert_blocked(&a);
  assert_ok(supply(3 * P, P));
  assert_ok(accessor_join(&a));
  assert_int_equal(pattern(3, 10), a.buf[0]);
  // Mapped, but not writable: the page is clean.
  uint32_t f = pte_flags(base + 3 * P);
  assert_true(f & ARCH_MMU_FLAG_PERM_READ);
  assert_false(f & ARCH_MMU_FLAG_PERM_WRITE);
  // A read of pages 4..31 asks once for all of them.
  accessor_start(&a, ACCESS_VMO_READ, 0, 4 * P + 5, P);
  assert_packet(KEY, ZX_PAGER_VMO_READ, 4 * P, 2 * P, pop());  // the read spans pages 4 and 5
  assert_ok(supply(4 * P, 28 * P));
  assert_ok(accessor_join(&a));
  assert_int_equal(pattern(4, 5), a.buf[0]);
  // The rest is present: no packet for a later fault.
  uint8_t b;
  assert_ok(vm_aspace_user_access(fx.aspace, base + 31 * P, &b, 1, ARCH_ACCESS_READ));
  assert_int_equal(pattern(31, 0), b);
  assert_int_equal(0, packet_queue_count(&fx.q));
  unmap(m);
}

// A read's request stops at the first present page and at the end of the read; the pages after
// the present one are asked for separately.
static void pager_batch_stops_at_present_page(void** state) {
  assert_ok(supply(8 * P, P));
  struct accessor a;
  accessor_start(&a, ACCESS_VMO_READ, 0, 2 * P, 2 * P);
  // Reading [2, 4): pages 2 and 3 only, not up to the present page 8.
  assert_packet(KEY, ZX_PAGER_VMO_READ, 2 * P, 2 * P, pop());
  assert_ok(supply(2 * P, 2 * P));
  assert_ok(accessor_join(&a));
  assert_int_equal(pattern(2, 0), a.buf[0]);
  // Reading [6, 10): [6, 8) first, then [9, 10) after the present page.
  struct accessor r;
  accessor_start(&r, ACCESS_VMO_READ, 0, 6 * P, 2 * P);
  assert_packet(KEY, ZX_PAGER_VMO_READ, 6 * P, 2 * P, pop());
  assert_ok(supply(6 * P, 2 * P));
  assert_ok(accessor_join(&r));
  accessor_start(&r, ACCESS_VMO_READ, 0, 8 * P, 2 * P);
  assert_packet(KEY, ZX_PAGER_VMO_READ, 9 * P, P, pop());
  assert_ok(supply(9 * P, P));
  assert_ok(accessor_join(&r));
  assert_int_equal(pattern(8, 0), r.buf[0]);
  assert_int_equal(pattern(9, 0), r.buf[P]);
  assert_int_equal(0, packet_queue_count(&fx.q));
}

static void pager_vmo_read_waits_for_supply(void** state) {
  struct accessor a;
  accessor_start(&a, ACCESS_VMO_READ, 0, P + 100, 2 * P);
  zx_port_packet_t p = pop();
  assert_int_equal(ZX_PAGER_VMO_READ, p.page_request.command);
  assert_int_equal(P, p.page_request.offset);
  assert_blocked(&a);
  assert_ok(supply(p.page_request.offset, p.page_request.length));
  // The read may need the page after the first request's range too.
  while (!atomic_load(&a.done)) {
    zx_port_packet_t more;
    if (packet_queue_pop(&fx.q, &more, 50)) {
      assert_ok(supply(more.page_request.offset, more.page_request.length));
    }
  }
  assert_ok(accessor_join(&a));
  for (size_t i = 0; i < 2 * P; i++) {
    uint64_t off = P + 100 + i;
    if (a.buf[i] != pattern(off / P, off % P)) fail_msg("byte %zu differs", i);
  }
}

static void pager_supply_keeps_present_pages_and_decommits_aux(void** state) {
  assert_ok(supply_salted(0, 2 * P, 0));
  struct vm_object_paged* aux;
  assert_ok(vm_object_paged_create(0, 4 * P, &aux));
  uint8_t buf[2 * 4096];
  memset(buf, 0xEE, sizeof(buf));
  assert_ok(vm_object_paged_write(aux, buf, P, 2 * P));
  assert_ok(vm_pager_supply_pages(fx.vmo, P, 2 * P, aux, P));  // page 1 kept, page 2 new
  struct vm_object_paged_stats st;
  vm_object_paged_get_stats(aux, &st);
  assert_int_equal(0, st.committed_bytes);
  uint8_t b[3];
  assert_ok(vm_object_paged_read(fx.vmo, &b[0], 0, 1));
  assert_ok(vm_object_paged_read(fx.vmo, &b[1], P, 1));
  assert_ok(vm_object_paged_read(fx.vmo, &b[2], 2 * P, 1));
  assert_int_equal(pattern(0, 0), b[0]);
  assert_int_equal(pattern(1, 0), b[1]);
  assert_int_equal(0xEE, b[2]);
  vm_object_paged_release(aux);
}

static void pager_supply_absent_aux_pages_become_zero(void** state) {
  struct vm_object_paged* aux;
  assert_ok(vm_object_paged_create(0, 2 * P, &aux));
  assert_ok(vm_pager_supply_pages(fx.vmo, 0, 2 * P, aux, 0));
  uint8_t b = 1;
  assert_ok(vm_object_paged_read(fx.vmo, &b, P + 5, 1));
  assert_int_equal(0, b);
  vm_object_paged_release(aux);
}

static void pager_supply_rejects_bad_arguments(void** state) {
  struct vm_object_paged* aux;
  assert_ok(vm_object_paged_create(0, 4 * P, &aux));
  assert_status(ZX_ERR_INVALID_ARGS, vm_pager_supply_pages(fx.vmo, 1, P, aux, 0));
  assert_status(ZX_ERR_INVALID_ARGS, vm_pager_supply_pages(fx.vmo, 0, P + 1, aux, 0));
  assert_status(ZX_ERR_INVALID_ARGS, vm_pager_supply_pages(fx.vmo, 0, P, aux, 7));
  assert_status(ZX_ERR_INVALID_ARGS, vm_pager_supply_pages(aux, 0, P, fx.vmo, 0));  // not pager
  assert_status(ZX_ERR_INVALID_ARGS, vm_pager_supply_pages(fx.vmo, 0, P, fx.vmo, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE, vm_pager_supply_pages(fx.vmo, 32 * P, P, aux, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE, vm_pager_supply_pages(fx.vmo, 0, P, aux, 4 * P));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                vm_pager_supply_pages(fx.vmo, UINT64_MAX & ~(uint64_t)PAGE_MASK, 2 * P, aux, 0));
  struct page_source* src2;
  assert_ok(page_source_create(0, KEY + 1, packet_queue_send, &fx.q, &src2));
  struct vm_object_paged* other;
  assert_ok(vm_pager_create_vmo(0, 4 * P, src2, &other));
  assert_status(ZX_ERR_NOT_SUPPORTED, vm_pager_supply_pages(fx.vmo, 0, P, other, 0));
  vm_object_paged_release(other);
  page_source_release(src2);
  assert_packet(KEY + 1, ZX_PAGER_VMO_COMPLETE, 0, 0, pop());
  assert_ok(vm_pager_supply_pages(fx.vmo, 0, 0, aux, 0));
  vm_object_paged_release(aux);
}

// ---- FAIL -------------------------------------------------------------------------------------

static void pager_fail_fails_fault_and_read_then_recovers(void** state) {
  vaddr_t base;
  struct vm_mapping* m = map(RO, &base);
  struct accessor a;
  accessor_start(&a, ACCESS_USER_READ, base + 5 * P, 0, 1);
  zx_port_packet_t p = pop();
  assert_ok(vm_pager_op_range(fx.vmo, ZX_PAGER_OP_FAIL, p.page_request.offset,
                              p.page_request.length, (uint64_t)(int64_t)ZX_ERR_IO));
  assert_status(ZX_ERR_IO, accessor_join(&a));
  accessor_start(&a, ACCESS_VMO_READ, 0, 5 * P, 1);
  p = pop();  // not sticky: a new request
  assert_int_equal(5 * P, p.page_request.offset);
  assert_ok(vm_pager_op_range(fx.vmo, ZX_PAGER_OP_FAIL, 0, 32 * P,
                              (uint64_t)(int64_t)ZX_ERR_IO_DATA_INTEGRITY));
  assert_status(ZX_ERR_IO_DATA_INTEGRITY, accessor_join(&a));
  accessor_start(&a, ACCESS_USER_READ, base + 5 * P, 0, 1);
  p = pop();
  assert_ok(supply(p.page_request.offset, p.page_request.length));
  assert_ok(accessor_join(&a));
  assert_int_equal(pattern(5, 0), a.buf[0]);
  unmap(m);
}

static void pager_op_range_rejects_bad_arguments(void** state) {
  assert_status(ZX_ERR_INVALID_ARGS, vm_pager_op_range(fx.vmo, 0, 0, P, 0));
  assert_status(ZX_ERR_INVALID_ARGS, vm_pager_op_range(fx.vmo, 5, 0, P, 0));
  assert_status(ZX_ERR_INVALID_ARGS, vm_pager_op_range(fx.vmo, ZX_PAGER_OP_DIRTY, 3, P, 0));
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_pager_op_range(fx.vmo, ZX_PAGER_OP_FAIL, 0, P, (uint64_t)ZX_ERR_NO_MEMORY));
  assert_status(ZX_ERR_INVALID_ARGS, vm_pager_op_range(fx.vmo, ZX_PAGER_OP_FAIL, 0, P, 1));
  assert_status(ZX_ERR_INVALID_ARGS, vm_pager_op_range(fx.vmo, ZX_PAGER_OP_FAIL, 0, P,
                                                       (uint64_t)ZX_ERR_IO & 0xffffffff));
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_pager_op_range(fx.vmo, ZX_PAGER_OP_WRITEBACK_BEGIN, 0, P, 2));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                vm_pager_op_range(fx.vmo, ZX_PAGER_OP_DIRTY, 31 * P, 2 * P, 0));
  assert_status(ZX_ERR_NOT_FOUND, vm_pager_op_range(fx.vmo, ZX_PAGER_OP_DIRTY, 0, P, 0));
  assert_ok(
      vm_pager_op_range(fx.vmo, ZX_PAGER_OP_WRITEBACK_BEGIN, 0, P, ZX_VMO_DIRTY_RANGE_IS_ZERO));
  struct vm_object_paged* plain;
  assert_ok(vm_object_paged_create(0, P, &plain));
  assert_status(ZX_ERR_INVALID_ARGS, vm_pager_op_range(plain, ZX_PAGER_OP_DIRTY, 0, P, 0));
  uint32_t modified;
  assert_status(ZX_ERR_INVALID_ARGS, vm_pager_query_vmo_stats(plain, false, &modified));
  assert_status(ZX_ERR_INVALID_ARGS, vm_pager_detach_vmo(plain, true));
  vm_object_paged_release(plain);
}

// ---- dirty tracking ---------------------------------------------------------------------------

static void pager_trap_dirty_write_waits_for_dirty_ack(void** state) {
  assert_ok(supply(0, 4 * P));
  vaddr_t base;
  struct vm_mapping* m = map(RW, &base);
  uint8_t b;
  assert_ok(vm_aspace_user_access(fx.aspace, base + P, &b, 1, ARCH_ACCESS_READ));
  assert_false(pte_flags(base + P) & ARCH_MMU_FLAG_PERM_WRITE);
  struct accessor a;
  a.buf[0] = 0x42;
  accessor_start(&a, ACCESS_USER_WRITE, base + P + 1, 0, 1);
  // The faulting page alone (a fault covers one page), not the clean run after it.
  assert_packet(KEY, ZX_PAGER_VMO_DIRTY, P, P, pop());
  assert_blocked(&a);
  assert_int_equal(VM_PAGER_PAGE_CLEAN, vm_pager_debug_page_state(fx.vmo, P));
  assert_ok(vm_pager_op_range(fx.vmo, ZX_PAGER_OP_DIRTY, P, P, 0));
  assert_ok(accessor_join(&a));
  assert_int_equal(VM_PAGER_PAGE_DIRTY, vm_pager_debug_page_state(fx.vmo, P));
  assert_int_equal(VM_PAGER_PAGE_CLEAN, vm_pager_debug_page_state(fx.vmo, 2 * P));
  assert_true(pte_flags(base + P) & ARCH_MMU_FLAG_PERM_WRITE);
  assert_ok(vm_object_paged_read(fx.vmo, &b, P + 1, 1));
  assert_int_equal(0x42, b);
  zx_vmo_dirty_range_t r[4];
  size_t actual, avail;
  assert_ok(vm_pager_query_dirty_ranges(fx.vmo, 0, 32 * P, r, 4, &actual, &avail));
  assert_int_equal(1, actual);
  assert_int_equal(1, avail);
  assert_int_equal(P, r[0].offset);
  assert_int_equal(P, r[0].length);
  assert_int_equal(0, r[0].options);
  uint32_t modified;
  assert_ok(vm_pager_query_vmo_stats(fx.vmo, true, &modified));
  assert_int_equal(ZX_PAGER_VMO_STATS_MODIFIED, modified);
  assert_ok(vm_pager_query_vmo_stats(fx.vmo, false, &modified));
  assert_int_equal(0, modified);
  // A vmo_write over [2, 4) asks once for both clean pages; the pager fails it.
  accessor_start(&a, ACCESS_VMO_WRITE, 0, 2 * P + 5, P);
  assert_packet(KEY, ZX_PAGER_VMO_DIRTY, 2 * P, 2 * P, pop());
  assert_blocked(&a);
  assert_ok(
      vm_pager_op_range(fx.vmo, ZX_PAGER_OP_FAIL, 2 * P, P, (uint64_t)(int64_t)ZX_ERR_NO_SPACE));
  assert_status(ZX_ERR_NO_SPACE, accessor_join(&a));
  // A write of page 3 alone waits on the request already out for it, until that fails too.
  struct page_source_stats before;
  page_source_get_stats(fx.src, &before);
  accessor_start(&a, ACCESS_VMO_WRITE, 0, 3 * P, 1);
  wait_parked(before.waits + 1);
  assert_blocked(&a);
  assert_int_equal(0, packet_queue_count(&fx.q));
  assert_ok(
      vm_pager_op_range(fx.vmo, ZX_PAGER_OP_FAIL, 3 * P, P, (uint64_t)(int64_t)ZX_ERR_NO_SPACE));
  assert_status(ZX_ERR_NO_SPACE, accessor_join(&a));
  assert_int_equal(VM_PAGER_PAGE_CLEAN, vm_pager_debug_page_state(fx.vmo, 3 * P));
  unmap(m);
}

static void pager_write_without_trap_dirty_dirties_at_once(void** state) {
  assert_ok(supply(0, 4 * P));
  vaddr_t base;
  struct vm_mapping* m = map(RW, &base);
  uint8_t b = 7;
  assert_ok(vm_aspace_user_access(fx.aspace, base + 2 * P, &b, 1, ARCH_ACCESS_WRITE));
  assert_int_equal(0, packet_queue_count(&fx.q));
  assert_int_equal(VM_PAGER_PAGE_DIRTY, vm_pager_debug_page_state(fx.vmo, 2 * P));
  assert_true(pte_flags(base + 2 * P) & ARCH_MMU_FLAG_PERM_WRITE);
  uint32_t modified;
  assert_ok(vm_pager_query_vmo_stats(fx.vmo, false, &modified));
  assert_int_equal(ZX_PAGER_VMO_STATS_MODIFIED, modified);
  unmap(m);
}

// The optimistic part of a write fault maps present neighbours; clean pager pages among them
// must come in read-only, or writes to them would bypass dirty tracking (and the evictor would
// then drop written data).
static void pager_optimistic_neighbours_of_write_fault_stay_read_only(void** state) {
  assert_ok(supply(0, 8 * P));
  vaddr_t base;
  struct vm_mapping* m = map(RW, &base);
  uint8_t b = 1;
  assert_ok(vm_aspace_user_access(fx.aspace, base, &b, 1, ARCH_ACCESS_WRITE));
  assert_true(pte_flags(base) & ARCH_MMU_FLAG_PERM_WRITE);
  for (uint64_t i = 1; i < 8; i++) {
    uint32_t f = pte_flags(base + i * P);
    if (f & ARCH_MMU_FLAG_PERM_WRITE) fail_msg("clean page %lu mapped writable", (unsigned long)i);
  }
  // And a write to one of them faults and dirties it.
  assert_ok(vm_aspace_user_access(fx.aspace, base + 3 * P, &b, 1, ARCH_ACCESS_WRITE));
  assert_int_equal(VM_PAGER_PAGE_DIRTY, vm_pager_debug_page_state(fx.vmo, 3 * P));
  assert_int_equal(VM_PAGER_PAGE_CLEAN, vm_pager_debug_page_state(fx.vmo, 4 * P));
  unmap(m);
}

static void pager_writeback_transitions(void** state) {
  assert_ok(supply(0, 4 * P));
  vaddr_t base;
  struct vm_mapping* m = map(RW, &base);
  uint8_t b = 1;
  assert_ok(vm_aspace_user_access(fx.aspace, base + P, &b, 1, ARCH_ACCESS_WRITE));
  assert_ok(vm_pager_op_range(fx.vmo, ZX_PAGER_OP_WRITEBACK_BEGIN, 0, 4 * P, 0));
  assert_int_equal(VM_PAGER_PAGE_AWAITING_CLEAN, vm_pager_debug_page_state(fx.vmo, P));
  assert_false(pte_flags(base + P) & ARCH_MMU_FLAG_PERM_WRITE);
  size_t actual, avail;
  zx_vmo_dirty_range_t r[2];
  assert_ok(vm_pager_query_dirty_ranges(fx.vmo, 0, 4 * P, r, 2, &actual, &avail));
  assert_int_equal(1, actual);  // awaiting-clean still counts as dirty
  // A write during writeback makes the page dirty again; WRITEBACK_END then leaves it dirty.
  assert_ok(vm_aspace_user_access(fx.aspace, base + P, &b, 1, ARCH_ACCESS_WRITE));
  assert_int_equal(VM_PAGER_PAGE_DIRTY, vm_pager_debug_page_state(fx.vmo, P));
  assert_ok(vm_pager_op_range(fx.vmo, ZX_PAGER_OP_WRITEBACK_END, 0, 4 * P, 0));
  assert_int_equal(VM_PAGER_PAGE_DIRTY, vm_pager_debug_page_state(fx.vmo, P));
  assert_ok(vm_pager_op_range(fx.vmo, ZX_PAGER_OP_WRITEBACK_BEGIN, P, P, 0));
  assert_ok(vm_pager_op_range(fx.vmo, ZX_PAGER_OP_WRITEBACK_END, P, P, 0));
  assert_int_equal(VM_PAGER_PAGE_CLEAN, vm_pager_debug_page_state(fx.vmo, P));
  assert_ok(vm_pager_query_dirty_ranges(fx.vmo, 0, 4 * P, r, 2, &actual, &avail));
  assert_int_equal(0, actual);
  assert_int_equal(0, avail);
  unmap(m);
}

static void pager_query_dirty_ranges_coalesces_and_truncates(void** state) {
  assert_ok(supply(0, 8 * P));
  uint8_t b = 9;
  for (uint64_t page = 0; page < 8; page++) {
    if (page == 2 || page == 5) continue;
    assert_ok(vm_object_paged_write(fx.vmo, &b, page * P, 1));
  }
  zx_vmo_dirty_range_t r[3];
  size_t actual = 99, avail = 99;
  assert_ok(vm_pager_query_dirty_ranges(fx.vmo, 0, 8 * P, r, 3, &actual, &avail));
  assert_int_equal(3, actual);
  assert_int_equal(3, avail);
  assert_int_equal(0, r[0].offset);
  assert_int_equal(2 * P, r[0].length);
  assert_int_equal(3 * P, r[1].offset);
  assert_int_equal(2 * P, r[1].length);
  assert_int_equal(6 * P, r[2].offset);
  assert_int_equal(2 * P, r[2].length);
  assert_ok(vm_pager_query_dirty_ranges(fx.vmo, 0, 8 * P, r, 1, &actual, &avail));
  assert_int_equal(1, actual);
  assert_int_equal(3, avail);
  // Unaligned query rounds out to pages.
  assert_ok(vm_pager_query_dirty_ranges(fx.vmo, 3 * P + 5, 10, r, 3, &actual, &avail));
  assert_int_equal(1, actual);
  assert_int_equal(3 * P, r[0].offset);
  assert_int_equal(P, r[0].length);
  assert_ok(vm_pager_query_dirty_ranges(fx.vmo, 0, 8 * P, NULL, 0, &actual, &avail));
  assert_int_equal(0, actual);
  assert_int_equal(3, avail);
  assert_status(ZX_ERR_OUT_OF_RANGE,
                vm_pager_query_dirty_ranges(fx.vmo, 0, 33 * P, r, 3, &actual, &avail));
}

// ---- detach -----------------------------------------------------------------------------------

static void pager_detach_fails_waiters_and_completes_once(void** state) {
  assert_ok(supply(0, P));
  vaddr_t base;
  struct vm_mapping* m = map(RO, &base);
  struct accessor a;
  accessor_start(&a, ACCESS_USER_READ, base + 4 * P, 0, 1);
  (void)pop();
  assert_ok(vm_pager_detach_vmo(fx.vmo, true));
  assert_status(ZX_ERR_BAD_STATE, accessor_join(&a));
  assert_packet(KEY, ZX_PAGER_VMO_COMPLETE, 0, 0, pop());
  assert_status(ZX_ERR_BAD_STATE, vm_pager_detach_vmo(fx.vmo, true));
  uint8_t b;
  assert_status(ZX_ERR_BAD_STATE,
                vm_aspace_user_access(fx.aspace, base + 9 * P, &b, 1, ARCH_ACCESS_READ));
  assert_status(ZX_ERR_BAD_STATE, vm_object_paged_read(fx.vmo, &b, 9 * P, 1));
  assert_status(ZX_ERR_BAD_STATE, supply(2 * P, P));
  assert_status(ZX_ERR_BAD_STATE, vm_pager_op_range(fx.vmo, ZX_PAGER_OP_DIRTY, 0, P, 0));
  assert_status(ZX_ERR_BAD_STATE,
                vm_pager_op_range(fx.vmo, ZX_PAGER_OP_FAIL, 0, P, (uint64_t)(int64_t)ZX_ERR_IO));
  // The clean supplied page went with the detach (Zircon's DetachSource); dirty ranges still
  // answer.
  assert_int_equal(0, committed_pages(fx.vmo));
  assert_status(ZX_ERR_BAD_STATE, vm_aspace_user_access(fx.aspace, base, &b, 1, ARCH_ACCESS_READ));
  assert_status(ZX_ERR_BAD_STATE, vm_object_paged_read(fx.vmo, &b, 0, 1));
  size_t actual;
  assert_ok(vm_pager_query_dirty_ranges(fx.vmo, 0, P, NULL, 0, &actual, NULL));
  unmap(m);
  // Releasing the VMO sends no second COMPLETE.
  vm_object_paged_release(fx.vmo);
  fx.vmo = NULL;
  assert_int_equal(0, packet_queue_count(&fx.q));
}

static void pager_last_release_sends_complete(void** state) {
  vm_object_paged_release(fx.vmo);
  fx.vmo = NULL;
  assert_packet(KEY, ZX_PAGER_VMO_COMPLETE, 0, 0, pop());
  assert_int_equal(0, packet_queue_count(&fx.q));
}

static void pager_detach_without_complete_for_closed_pager(void** state) {
  assert_ok(vm_pager_detach_vmo(fx.vmo, false));
  vm_object_paged_release(fx.vmo);
  fx.vmo = NULL;
  assert_int_equal(0, packet_queue_count(&fx.q));
}

static void pager_shrink_wakes_waiters_beyond_the_end(void** state) {
  struct page_source* src2;
  assert_ok(page_source_create(0, KEY + 2, packet_queue_send, &fx.q, &src2));
  struct vm_object_paged* vmo2;
  assert_ok(vm_pager_create_vmo(VM_OBJECT_PAGED_RESIZABLE, 32 * P, src2, &vmo2));
  struct vm_object_paged* main_vmo = fx.vmo;
  fx.vmo = vmo2;  // the accessor reads fx.vmo
  struct accessor a;
  accessor_start(&a, ACCESS_VMO_READ, 0, 20 * P, 1);
  assert_packet(KEY + 2, ZX_PAGER_VMO_READ, 20 * P, P, pop());
  assert_blocked(&a);
  assert_ok(vm_object_paged_set_size(vmo2, 8 * P));
  // The waiter must wake by itself; if it does not, detaching frees it so the test fails cleanly.
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += WAIT_MS / 1000;
  if (pthread_timedjoin_np(a.thread, NULL, &deadline) != 0) {
    assert_ok(vm_pager_detach_vmo(vmo2, false));
    assert_int_equal(0, pthread_join(a.thread, NULL));
    fail_msg("a waiter beyond the new end was not woken by the shrink");
  }
  assert_status(ZX_ERR_OUT_OF_RANGE, a.status);
  page_source_check(src2);
  fx.vmo = main_vmo;
  vm_object_paged_release(vmo2);
  assert_packet(KEY + 2, ZX_PAGER_VMO_COMPLETE, 0, 0, pop());
  page_source_release(src2);
}

// ---- dirty zero intervals, OP_ZERO, hints -----------------------------------------------------

static void assert_range(const zx_vmo_dirty_range_t* r, uint64_t offset, uint64_t len,
                         uint64_t options) {
  assert_int_equal(offset, r->offset);
  assert_int_equal(len, r->length);
  assert_int_equal(options, r->options);
}

// Zircon's ResizeSupplyZero / ResizeWriteback cases: the tail a resize adds is dirty and zero.
static void pager_resize_tail_is_dirty_zero_until_written_back(void** state) {
  struct vm_object_paged* main_vmo = fx.vmo;
  struct page_source* src2;
  assert_ok(page_source_create(0, KEY + 4, packet_queue_send, &fx.q, &src2));
  assert_ok(vm_pager_create_vmo(VM_OBJECT_PAGED_RESIZABLE, 2 * P, src2, &fx.vmo));
  assert_ok(supply(0, 2 * P));
  assert_ok(vm_object_paged_set_size(fx.vmo, 5 * P));
  zx_vmo_dirty_range_t r[4];
  size_t actual, avail;
  assert_ok(vm_pager_query_dirty_ranges(fx.vmo, 0, 5 * P, r, 4, &actual, &avail));
  assert_int_equal(1, actual);
  assert_range(&r[0], 2 * P, 3 * P, ZX_VMO_DIRTY_RANGE_IS_ZERO);
  // Read without a request; nothing committed for the tail; a supply there is a no-op.
  static uint8_t buf[5 * 4096];
  assert_ok(vm_object_paged_read(fx.vmo, buf, 0, 5 * P));
  for (uint64_t i = 2 * P; i < 5 * P; i++) assert_int_equal(0, buf[i]);
  assert_int_equal(0, packet_queue_count(&fx.q));
  assert_int_equal(2, committed_pages(fx.vmo));
  assert_ok(supply(2 * P, 3 * P));
  assert_int_equal(2, committed_pages(fx.vmo));
  assert_ok(vm_object_paged_read(fx.vmo, buf, 2 * P, P));
  assert_int_equal(0, buf[0]);
  // A write in the middle commits a DIRTY page and splits the interval.
  uint8_t b = 0xab;
  assert_ok(vm_object_paged_write(fx.vmo, &b, 3 * P, 1));
  assert_int_equal(3, committed_pages(fx.vmo));
  assert_ok(vm_pager_query_dirty_ranges(fx.vmo, 0, 5 * P, r, 4, &actual, &avail));
  assert_int_equal(3, actual);
  assert_range(&r[0], 2 * P, P, ZX_VMO_DIRTY_RANGE_IS_ZERO);
  assert_range(&r[1], 3 * P, P, 0);
  assert_range(&r[2], 4 * P, P, ZX_VMO_DIRTY_RANGE_IS_ZERO);
  // Writing back as zeros takes only the intervals: the written page stays dirty.
  assert_ok(vm_pager_op_range(fx.vmo, ZX_PAGER_OP_WRITEBACK_BEGIN, 2 * P, 3 * P,
                              ZX_VMO_DIRTY_RANGE_IS_ZERO));
  assert_ok(vm_pager_op_range(fx.vmo, ZX_PAGER_OP_WRITEBACK_END, 2 * P, 3 * P, 0));
  assert_ok(vm_pager_query_dirty_ranges(fx.vmo, 0, 5 * P, r, 4, &actual, &avail));
  assert_int_equal(1, actual);
  assert_range(&r[0], 3 * P, P, 0);
  // A written-back interval is absent again: the pager is asked for it.
  struct accessor a;
  accessor_start(&a, ACCESS_VMO_READ, 0, 4 * P, 1);
  assert_packet(KEY + 4, ZX_PAGER_VMO_READ, 4 * P, P, pop());
  assert_ok(supply(4 * P, P));
  assert_ok(accessor_join(&a));
  // A writeback that begins partway into an interval does not reach it (Zircon).
  assert_ok(vm_object_paged_set_size(fx.vmo, 8 * P));  // [5, 8) new interval
  assert_ok(vm_pager_op_range(fx.vmo, ZX_PAGER_OP_WRITEBACK_BEGIN, 6 * P, 2 * P, 0));
  assert_ok(vm_pager_op_range(fx.vmo, ZX_PAGER_OP_WRITEBACK_END, 5 * P, 3 * P, 0));
  assert_ok(vm_pager_query_dirty_ranges(fx.vmo, 5 * P, 3 * P, r, 4, &actual, &avail));
  assert_int_equal(1, actual);
  assert_range(&r[0], 5 * P, 3 * P, ZX_VMO_DIRTY_RANGE_IS_ZERO);
  // Shrinking cuts the interval.
  assert_ok(vm_object_paged_set_size(fx.vmo, 6 * P));
  assert_ok(vm_pager_query_dirty_ranges(fx.vmo, 0, 6 * P, r, 4, &actual, &avail));
  assert_int_equal(2, actual);
  assert_range(&r[1], 5 * P, P, ZX_VMO_DIRTY_RANGE_IS_ZERO);
  vm_object_paged_check(fx.vmo);
  vm_object_paged_release(fx.vmo);
  fx.vmo = main_vmo;
  assert_packet(KEY + 4, ZX_PAGER_VMO_COMPLETE, 0, 0, pop());
  page_source_release(src2);
}

// Zircon's ResizeDirtyRequest: under TRAP_DIRTY a write into the tail asks DIRTY first, in one
// request with the clean page before it; the ack commits the zero page.
static void pager_trap_dirty_write_into_zero_tail_asks_dirty(void** state) {
  struct vm_object_paged* main_vmo = fx.vmo;
  struct page_source* src2;
  assert_ok(
      page_source_create(PAGE_SOURCE_FLAG_TRAP_DIRTY, KEY + 5, packet_queue_send, &fx.q, &src2));
  assert_ok(vm_pager_create_vmo(VM_OBJECT_PAGED_RESIZABLE, 2 * P, src2, &fx.vmo));
  assert_ok(supply(0, 2 * P));
  assert_ok(vm_object_paged_set_size(fx.vmo, 3 * P));
  struct accessor a;
  memset(a.buf, 0xaa, sizeof(a.buf));
  accessor_start(&a, ACCESS_VMO_WRITE, 0, P, 2 * P);
  assert_packet(KEY + 5, ZX_PAGER_VMO_DIRTY, P, 2 * P, pop());
  assert_blocked(&a);
  assert_int_equal(2, committed_pages(fx.vmo));
  assert_ok(vm_pager_op_range(fx.vmo, ZX_PAGER_OP_DIRTY, P, 2 * P, 0));
  assert_ok(accessor_join(&a));
  assert_int_equal(3, committed_pages(fx.vmo));
  zx_vmo_dirty_range_t r[2];
  size_t actual;
  assert_ok(vm_pager_query_dirty_ranges(fx.vmo, 0, 3 * P, r, 2, &actual, NULL));
  assert_int_equal(1, actual);
  assert_range(&r[0], P, 2 * P, 0);
  // OP_ZERO needs no request even under TRAP_DIRTY: whole pages become a zero interval.
  assert_ok(vm_object_paged_zero_range(fx.vmo, 0, 3 * P));
  assert_int_equal(0, packet_queue_count(&fx.q));
  assert_int_equal(0, committed_pages(fx.vmo));
  assert_ok(vm_pager_query_dirty_ranges(fx.vmo, 0, 3 * P, r, 2, &actual, NULL));
  assert_int_equal(1, actual);
  assert_range(&r[0], 0, 3 * P, ZX_VMO_DIRTY_RANGE_IS_ZERO);
  vm_object_paged_check(fx.vmo);
  vm_object_paged_release(fx.vmo);
  fx.vmo = main_vmo;
  assert_packet(KEY + 5, ZX_PAGER_VMO_COMPLETE, 0, 0, pop());
  page_source_release(src2);
}

struct zeroer {
  pthread_t thread;
  uint64_t offset, len;
  zx_status_t status;
};

static void* zeroer_main(void* arg) {
  struct zeroer* z = arg;
  z->status = vm_object_paged_zero_range(fx.vmo, z->offset, z->len);
  return NULL;
}

// Zircon's OpZero / OpZeroPartialPage: a partial page needs its content (READ, that page alone)
// before it is zeroed, and is dirty afterwards; whole pages ask nothing and free what they held.
static void pager_op_zero_reads_partial_pages_only(void** state) {
  assert_ok(supply(2 * P, P));
  struct zeroer z = {.offset = P + 8, .len = 2 * P - 8, .status = 1};  // [P + 8, 3P)
  assert_int_equal(0, pthread_create(&z.thread, NULL, zeroer_main, &z));
  assert_packet(KEY, ZX_PAGER_VMO_READ, P, P, pop());
  assert_ok(supply(P, P));
  assert_int_equal(0, pthread_join(z.thread, NULL));
  assert_ok(z.status);
  uint8_t b[16];
  assert_ok(vm_object_paged_read(fx.vmo, b, P, 16));
  assert_int_equal(pattern(1, 0), b[0]);
  assert_int_equal(0, b[8]);
  zx_vmo_dirty_range_t r[2];
  size_t actual;
  assert_ok(vm_pager_query_dirty_ranges(fx.vmo, 0, 32 * P, r, 2, &actual, NULL));
  assert_int_equal(2, actual);
  assert_range(&r[0], P, P, 0);
  assert_range(&r[1], 2 * P, P, ZX_VMO_DIRTY_RANGE_IS_ZERO);
  assert_int_equal(1, committed_pages(fx.vmo));  // page 2 was freed
  assert_int_equal(0, packet_queue_count(&fx.q));
}

static void* prefetch_main(void* arg) {
  *(zx_status_t*)arg =
      vm_object_paged_hint_range(fx.vmo, VM_OBJECT_PAGED_HINT_PREFETCH, 4 * P, 4 * P);
  return NULL;
}

// ALWAYS_NEED fetches through the pager and protects the pages from eviction; DONT_NEED makes
// clean pages the first to go; PREFETCH fetches.
static void pager_hints_steer_fetching_and_eviction(void** state) {
  assert_ok(supply(0, 4 * P));
  assert_ok(vm_object_paged_hint_range(fx.vmo, VM_OBJECT_PAGED_HINT_ALWAYS_NEED, 0, 2 * P));
  for (int i = 0; i < 3; i++) vm_evictor_harvest();
  assert_int_equal(2, vm_evictor_evict(100));  // pages 2 and 3 only
  assert_int_equal(VM_PAGER_PAGE_CLEAN, vm_pager_debug_page_state(fx.vmo, 0));
  assert_int_equal(-1, vm_pager_debug_page_state(fx.vmo, 2 * P));
  // DONT_NEED: old at once, and no longer protected.
  assert_ok(vm_object_paged_hint_range(fx.vmo, VM_OBJECT_PAGED_HINT_DONT_NEED, 0, P));
  assert_int_equal(VM_PAGE_AGE_MAX, vm_pager_debug_page_age(fx.vmo, 0));
  assert_int_equal(1, vm_evictor_evict(100));
  assert_int_equal(-1, vm_pager_debug_page_state(fx.vmo, 0));
  // DONT_NEED fetches nothing; PREFETCH asks for the absent pages of its range in one request.
  assert_ok(vm_object_paged_hint_range(fx.vmo, VM_OBJECT_PAGED_HINT_DONT_NEED, 4 * P, 4 * P));
  assert_int_equal(0, packet_queue_count(&fx.q));
  struct {
    pthread_t t;
    zx_status_t status;
  } h = {.status = 1};
  assert_int_equal(0, pthread_create(&h.t, NULL, prefetch_main, &h.status));
  assert_packet(KEY, ZX_PAGER_VMO_READ, 4 * P, 4 * P, pop());
  assert_ok(supply(4 * P, 4 * P));
  assert_int_equal(0, pthread_join(h.t, NULL));
  assert_ok(h.status);
  assert_int_equal(VM_PAGER_PAGE_CLEAN, vm_pager_debug_page_state(fx.vmo, 7 * P));
}

// ---- operations that outlive a wait ------------------------------------------------------------
//
// A commit or hint blocked on the pager retries after the wait with no lock held, so it must look
// at the VMO again: a shrink meanwhile cuts its range short (Zircon trims commits and hints after
// each wait; only their first check fails), and it must never ask for a page beyond the end.

struct range_op {
  pthread_t thread;
  int hint;  // -1: commit, else an enum vm_object_paged_hint
  uint64_t offset, len;
  zx_status_t status;
  _Atomic bool done;
};

static void* range_op_main(void* arg) {
  struct range_op* r = arg;
  r->status = r->hint < 0 ? vm_object_paged_commit_range(fx.vmo, r->offset, r->len)
                          : vm_object_paged_hint_range(fx.vmo, (enum vm_object_paged_hint)r->hint,
                                                       r->offset, r->len);
  atomic_store(&r->done, true);
  return NULL;
}

static void range_op_start(struct range_op* r, int hint, uint64_t offset, uint64_t len) {
  r->hint = hint;
  r->offset = offset;
  r->len = len;
  r->status = 1;
  atomic_init(&r->done, false);
  assert_int_equal(0, pthread_create(&r->thread, NULL, range_op_main, r));
}

// The operation is still blocked a while later.
static void assert_blocked_op(struct range_op* r) {
  usleep(20000);
  assert_false(atomic_load(&r->done));
}

static zx_status_t range_op_join(struct range_op* r) {
  assert_int_equal(0, pthread_join(r->thread, NULL));
  return r->status;
}

// Fuchsia's ResizeCommitTest: a commit blocked on [0, 3) completes once the VMO has shrunk to one
// page and that page is supplied.
static void pager_commit_cut_short_by_shrink(void** state) {
  struct range_op r;
  range_op_start(&r, -1, 0, 3 * P);
  assert_packet(KEY, ZX_PAGER_VMO_READ, 0, 3 * P, pop());
  assert_ok(supply(2 * P, P));
  assert_ok(vm_object_paged_set_size(fx.vmo, P));
  assert_blocked_op(&r);
  assert_ok(supply(0, P));
  assert_ok(range_op_join(&r));
  assert_int_equal(1, committed_pages(fx.vmo));
  assert_int_equal(0, packet_queue_count(&fx.q));
  // The first check still refuses a range beyond the end.
  assert_status(ZX_ERR_OUT_OF_RANGE, vm_object_paged_commit_range(fx.vmo, 0, 2 * P));
}

// Fuchsia's EvictionHintsWithResize (zxvm used to assert in the pager's missing-page hook): the
// hint ends once the shrink removes what it still waits for, whether the shrink cuts the range
// partway or removes all that is left of it. (A grown tail is known zero: no request there.)
static void hint_cut_short_by_shrink(enum vm_object_paged_hint hint) {
  struct range_op r;
  range_op_start(&r, (int)hint, 10 * P, 10 * P);
  assert_packet(KEY, ZX_PAGER_VMO_READ, 10 * P, 10 * P, pop());
  assert_ok(supply(10 * P, 2 * P));
  assert_ok(vm_object_paged_set_size(fx.vmo, 12 * P));
  assert_ok(range_op_join(&r));
  assert_int_equal(0, packet_queue_count(&fx.q));
  assert_int_equal(VM_PAGER_PAGE_CLEAN, vm_pager_debug_page_state(fx.vmo, 11 * P));
  range_op_start(&r, (int)hint, 6 * P, 6 * P);
  assert_packet(KEY, ZX_PAGER_VMO_READ, 6 * P, 4 * P, pop());  // stops at the present page 10
  assert_ok(vm_object_paged_set_size(fx.vmo, 5 * P));
  assert_ok(range_op_join(&r));
  assert_int_equal(0, packet_queue_count(&fx.q));
}

static void pager_always_need_cut_short_by_shrink(void** state) {
  hint_cut_short_by_shrink(VM_OBJECT_PAGED_HINT_ALWAYS_NEED);
}

static void pager_prefetch_cut_short_by_shrink(void** state) {
  hint_cut_short_by_shrink(VM_OBJECT_PAGED_HINT_PREFETCH);
}

// ALWAYS_NEED is best effort: a page the pager fails is skipped and the rest still fetched.
// PREFETCH reports the failure.
static void pager_always_need_skips_failed_pages(void** state) {
  struct range_op r;
  range_op_start(&r, VM_OBJECT_PAGED_HINT_ALWAYS_NEED, 0, 3 * P);
  assert_packet(KEY, ZX_PAGER_VMO_READ, 0, 3 * P, pop());
  assert_ok(vm_pager_op_range(fx.vmo, ZX_PAGER_OP_FAIL, 0, 3 * P, (uint64_t)(int64_t)ZX_ERR_IO));
  // Page 0 skipped; the failed pages are no longer pending, so the rest is asked for again.
  assert_packet(KEY, ZX_PAGER_VMO_READ, P, 2 * P, pop());
  assert_ok(vm_pager_op_range(fx.vmo, ZX_PAGER_OP_FAIL, P, P, (uint64_t)(int64_t)ZX_ERR_IO));
  assert_ok(supply(2 * P, P));
  assert_ok(range_op_join(&r));
  assert_int_equal(-1, vm_pager_debug_page_state(fx.vmo, 0));
  assert_int_equal(-1, vm_pager_debug_page_state(fx.vmo, P));
  assert_int_equal(VM_PAGER_PAGE_CLEAN, vm_pager_debug_page_state(fx.vmo, 2 * P));
  assert_int_equal(0, packet_queue_count(&fx.q));
  range_op_start(&r, VM_OBJECT_PAGED_HINT_PREFETCH, 0, 3 * P);
  assert_packet(KEY, ZX_PAGER_VMO_READ, 0, 2 * P, pop());
  assert_ok(vm_pager_op_range(fx.vmo, ZX_PAGER_OP_FAIL, 0, 2 * P, (uint64_t)(int64_t)ZX_ERR_IO));
  assert_status(ZX_ERR_IO, range_op_join(&r));
  // Detached: ALWAYS_NEED still succeeds, PREFETCH fails.
  assert_ok(vm_pager_detach_vmo(fx.vmo, false));
  assert_ok(vm_object_paged_hint_range(fx.vmo, VM_OBJECT_PAGED_HINT_ALWAYS_NEED, 0, 20 * P));
  assert_status(ZX_ERR_BAD_STATE,
                vm_object_paged_hint_range(fx.vmo, VM_OBJECT_PAGED_HINT_PREFETCH, 0, 20 * P));
}

// Hints on a VMO no pager backs succeed whatever the range (Fuchsia's EvictionHintsOpRange);
// PREFETCH still checks it.
static void pager_hints_ignore_range_without_pager(void** state) {
  struct vm_object_paged* plain;
  assert_ok(vm_object_paged_create(0, P, &plain));
  assert_ok(vm_object_paged_hint_range(plain, VM_OBJECT_PAGED_HINT_ALWAYS_NEED, 0, 20 * P));
  assert_ok(vm_object_paged_hint_range(plain, VM_OBJECT_PAGED_HINT_DONT_NEED, 0, 20 * P));
  assert_ok(vm_object_paged_hint_range(plain, VM_OBJECT_PAGED_HINT_DONT_NEED, P, UINT64_MAX));
  assert_ok(vm_object_paged_hint_range(plain, VM_OBJECT_PAGED_HINT_PREFETCH, 0, P));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                vm_object_paged_hint_range(plain, VM_OBJECT_PAGED_HINT_PREFETCH, 0, 2 * P));
  vm_object_paged_release(plain);
  // A pager VMO checks the range for every hint.
  assert_status(ZX_ERR_OUT_OF_RANGE,
                vm_object_paged_hint_range(fx.vmo, VM_OBJECT_PAGED_HINT_DONT_NEED, 0, 33 * P));
  assert_status(ZX_ERR_OUT_OF_RANGE, vm_object_paged_hint_range(
                                         fx.vmo, VM_OBJECT_PAGED_HINT_ALWAYS_NEED, P, UINT64_MAX));
}

struct vmar_op {
  pthread_t thread;
  uint32_t op;
  vaddr_t base;
  size_t len;
  zx_status_t status;
};

static void* vmar_op_main(void* arg) {
  struct vmar_op* o = arg;
  o->status =
      vm_address_region_range_op(fx.root, o->op, o->base, o->len, VM_OP_CHILDREN_YES, NULL, 0);
  return NULL;
}

// ZX_VMAR_OP_ALWAYS_NEED is the VMO's ALWAYS_NEED over each mapping (fetch through the pager,
// protect from eviction), then maps what is present; DONT_NEED is the VMO's DONT_NEED.
static void pager_vmar_always_need_fetches_and_maps(void** state) {
  assert_ok(supply(P, P));
  vaddr_t base;
  struct vm_mapping* m = map(RO, &base);
  struct vmar_op o = {.op = ZX_VMAR_OP_ALWAYS_NEED, .base = base, .len = 3 * P, .status = 1};
  assert_int_equal(0, pthread_create(&o.thread, NULL, vmar_op_main, &o));
  assert_packet(KEY, ZX_PAGER_VMO_READ, 0, P, pop());
  assert_ok(supply(0, P));
  assert_packet(KEY, ZX_PAGER_VMO_READ, 2 * P, P, pop());
  assert_ok(supply(2 * P, P));
  assert_int_equal(0, pthread_join(o.thread, NULL));
  assert_ok(o.status);
  for (uint64_t i = 0; i < 3; i++) assert_int_not_equal(0, pte_flags(base + i * P));
  for (int i = 0; i < 3; i++) vm_evictor_harvest();
  assert_int_equal(0, vm_evictor_evict(100));
  assert_ok(vm_address_region_range_op(fx.root, ZX_VMAR_OP_DONT_NEED, base, 3 * P,
                                       VM_OP_CHILDREN_YES, NULL, 0));
  assert_int_equal(VM_PAGE_AGE_MAX, vm_pager_debug_page_age(fx.vmo, 2 * P));
  assert_int_equal(3, vm_evictor_evict(100));
  assert_int_equal(0, packet_queue_count(&fx.q));
  unmap(m);
}

// ---- eviction ---------------------------------------------------------------------------------

static uint64_t free_pages(void) {
  pmm_thread_cache_drain();
  struct pmm_counts c;
  pmm_get_counts(&c);
  return c.free_pages;
}

static void pager_evict_reclaims_old_clean_pages_and_refaults(void** state) {
  assert_ok(supply(0, 8 * P));
  vaddr_t base;
  struct vm_mapping* m = map(RW, &base);
  uint8_t b;
  for (uint64_t i = 0; i < 8; i++) {
    assert_ok(vm_aspace_user_access(fx.aspace, base + i * P, &b, 1, ARCH_ACCESS_READ));
  }
  b = 3;
  assert_ok(vm_aspace_user_access(fx.aspace, base + 7 * P, &b, 1, ARCH_ACCESS_WRITE));  // dirty
  assert_true(vm_evictor_harvest() >= 8);  // every page was touched since supply
  assert_int_equal(0, vm_pager_debug_page_age(fx.vmo, 0));
  assert_int_equal(0, vm_evictor_evict(100));  // all young
  assert_ok(vm_aspace_user_access(fx.aspace, base + 5 * P, &b, 1, ARCH_ACCESS_READ));
  vm_evictor_harvest();
  assert_ok(vm_aspace_user_access(fx.aspace, base + 5 * P, &b, 1, ARCH_ACCESS_READ));
  vm_evictor_harvest();
  assert_int_equal(2, vm_pager_debug_page_age(fx.vmo, 0));
  assert_int_equal(0, vm_pager_debug_page_age(fx.vmo, 5 * P));
  uint64_t before = free_pages();
  // Pages 0-4 and 6 are old and clean; 5 is young, 7 dirty.
  assert_int_equal(6, vm_evictor_evict(100));
  assert_true(free_pages() >= before + 6);
  assert_int_equal(-1, vm_pager_debug_page_state(fx.vmo, 2 * P));
  assert_int_equal(VM_PAGER_PAGE_CLEAN, vm_pager_debug_page_state(fx.vmo, 5 * P));
  assert_int_equal(VM_PAGER_PAGE_DIRTY, vm_pager_debug_page_state(fx.vmo, 7 * P));
  assert_int_equal(0, pte_flags(base + 2 * P));  // unmapped before it was freed
  vm_aspace_check(fx.aspace);
  // Touching an evicted page asks the pager again.
  struct accessor a;
  accessor_start(&a, ACCESS_USER_READ, base + 2 * P, 0, 1);
  assert_packet(KEY, ZX_PAGER_VMO_READ, 2 * P, P, pop());
  assert_ok(supply(2 * P, 3 * P));
  assert_ok(accessor_join(&a));
  assert_int_equal(pattern(2, 0), a.buf[0]);
  struct vm_evictor_stats es;
  vm_evictor_get_stats(&es);
  assert_true(es.pages_evicted >= 6);
  unmap(m);
}

static void pager_evict_respects_target_and_watermarks(void** state) {
  assert_ok(supply(0, 16 * P));
  for (int i = 0; i < 3; i++) vm_evictor_harvest();
  assert_int_equal(4, vm_evictor_evict(4));
  vm_evictor_set_watermarks(0, 0);
  assert_int_equal(0, vm_evictor_check_watermark());
  vm_evictor_set_watermarks(UINT64_MAX / 2, UINT64_MAX / 2);  // always under pressure
  assert_int_equal(12, vm_evictor_check_watermark());
  vm_evictor_set_watermarks(0, 0);
  assert_false(vm_evictor_reclaim_for_allocation());  // nothing left
  struct vm_object_paged_stats st;
  vm_object_paged_get_stats(fx.vmo, &st);
  assert_int_equal(0, st.committed_bytes);
}

// Memory exhausted: a fault that cannot allocate evicts old clean pager pages and retries once.
static void pager_fault_out_of_memory_evicts_and_retries(void** state) {
  enum { PAGER_PAGES = 8192 };
  struct page_source* src2;
  assert_ok(page_source_create(0, KEY + 3, packet_queue_send, &fx.q, &src2));
  struct vm_object_paged* big;
  assert_ok(vm_pager_create_vmo(0, PAGER_PAGES * P, src2, &big));
  struct vm_object_paged* aux;
  assert_ok(vm_object_paged_create(0, PAGER_PAGES * P, &aux));
  assert_ok(vm_object_paged_commit_range(aux, 0, PAGER_PAGES * P));
  assert_ok(vm_pager_supply_pages(big, 0, PAGER_PAGES * P, aux, 0));
  vm_object_paged_release(aux);
  for (int i = 0; i < 3; i++) vm_evictor_harvest();
  // An anonymous VMO takes every free page that is left.
  struct vm_object_paged* filler;
  uint64_t left = free_pages();
  assert_ok(vm_object_paged_create(0, left * P, &filler));
  assert_ok(vm_object_paged_commit_range(filler, 0, left * P));
  assert_int_equal(0, free_pages());
  // A write fault on fresh anonymous memory cannot allocate at first.
  struct vm_object_paged* anon;
  assert_ok(vm_object_paged_create(0, P, &anon));
  struct vm_mapping* m;
  vaddr_t base;
  assert_ok(vm_address_region_create_vm_mapping(fx.root, 0, P, 0, 0, &anon->base, 0, RW, "anon", &m,
                                                &base));
  struct vm_evictor_stats before, after;
  vm_evictor_get_stats(&before);
  uint8_t b = 0x3c;
  assert_ok(vm_aspace_user_access(fx.aspace, base, &b, 1, ARCH_ACCESS_WRITE));
  vm_evictor_get_stats(&after);
  assert_int_equal(before.reclaim_calls + 1, after.reclaim_calls);
  assert_true(after.pages_evicted >= before.pages_evicted + VM_EVICTOR_RECLAIM_BATCH);
  unmap(m);
  vm_object_paged_release(anon);
  vm_object_paged_release(filler);
  vm_object_paged_release(big);
  assert_packet(KEY + 3, ZX_PAGER_VMO_COMPLETE, 0, 0, pop());
  page_source_release(src2);
}

// Memory exhausted, and no pager page old enough: a VMO write and a commit still succeed, because
// reclaim ages the clean pager pages (harvests) before it evicts them.
static void pager_vmo_ops_out_of_memory_age_and_reclaim(void** state) {
  enum { PAGER_PAGES = 4096 };
  struct page_source* src2;
  assert_ok(page_source_create(0, KEY + 4, packet_queue_send, &fx.q, &src2));
  struct vm_object_paged* big;
  assert_ok(vm_pager_create_vmo(0, PAGER_PAGES * P, src2, &big));
  struct vm_object_paged* aux;
  assert_ok(vm_object_paged_create(0, PAGER_PAGES * P, &aux));
  assert_ok(vm_object_paged_commit_range(aux, 0, PAGER_PAGES * P));
  assert_ok(vm_pager_supply_pages(big, 0, PAGER_PAGES * P, aux, 0));
  vm_object_paged_release(aux);
  // No harvest: every supplied page is young.
  struct vm_object_paged* filler;
  uint64_t left = free_pages();
  assert_ok(vm_object_paged_create(0, left * P, &filler));
  assert_ok(vm_object_paged_commit_range(filler, 0, left * P));
  assert_int_equal(0, free_pages());
  struct vm_object_paged* anon;
  assert_ok(vm_object_paged_create(0, 4 * P, &anon));
  struct vm_evictor_stats before, after;
  vm_evictor_get_stats(&before);
  uint8_t b = 0x5a;
  assert_ok(vm_object_paged_write(anon, &b, 0, 1));
  vm_evictor_get_stats(&after);
  assert_int_equal(before.reclaim_calls + 1, after.reclaim_calls);
  assert_true(after.harvests > before.harvests);  // it had to age them first
  // Use up what the reclaim freed, then a commit needs another reclaim.
  uint64_t spare = free_pages();
  struct vm_object_paged* filler2;
  assert_ok(vm_object_paged_create(0, (spare + 1) * P, &filler2));
  assert_ok(vm_object_paged_commit_range(filler2, 0, spare * P));
  assert_int_equal(0, free_pages());
  assert_ok(vm_object_paged_commit_range(anon, P, 2 * P));
  vm_evictor_get_stats(&before);
  assert_int_equal(after.reclaim_calls + 1, before.reclaim_calls);
  uint8_t back = 0;
  assert_ok(vm_object_paged_read(anon, &back, 0, 1));
  assert_int_equal(0x5a, back);
  vm_object_paged_check(anon);
  vm_object_paged_release(anon);
  vm_object_paged_release(filler2);
  vm_object_paged_release(filler);
  vm_object_paged_release(big);
  assert_packet(KEY + 4, ZX_PAGER_VMO_COMPLETE, 0, 0, pop());
  page_source_release(src2);
}

// Detach keeps what the pager must still write back: DIRTY and AWAITING_CLEAN pages (readable,
// writable, reported by query_dirty_ranges, cleanable by writeback), never evicted afterwards.
// Clean pages go; so do pages cleaned later only by the evictor's rules (it no longer scans).
static void pager_detach_keeps_dirty_pages_drops_clean_ones(void** state) {
  assert_ok(supply(0, 4 * P));
  uint8_t w = 0x5c, b = 0;
  assert_ok(vm_object_paged_write(fx.vmo, &w, 0, 1));      // page 0 DIRTY
  assert_ok(vm_object_paged_write(fx.vmo, &w, 2 * P, 1));  // page 2 DIRTY, then AWAITING_CLEAN
  assert_ok(vm_pager_op_range(fx.vmo, ZX_PAGER_OP_WRITEBACK_BEGIN, 2 * P, P, 0));
  vaddr_t base;
  struct vm_mapping* m = map(RO, &base);
  assert_ok(vm_aspace_user_access(fx.aspace, base + P, &b, 1, ARCH_ACCESS_READ));
  assert_int_not_equal(0, pte_flags(base + P));
  for (int i = 0; i < 3; i++) vm_evictor_harvest();
  assert_ok(vm_pager_detach_vmo(fx.vmo, true));
  assert_packet(KEY, ZX_PAGER_VMO_COMPLETE, 0, 0, pop());
  assert_int_equal(0, pte_flags(base + P));  // unmapped with the page
  assert_int_equal(2, committed_pages(fx.vmo));
  assert_int_equal(VM_PAGER_PAGE_DIRTY, vm_pager_debug_page_state(fx.vmo, 0));
  assert_int_equal(VM_PAGER_PAGE_AWAITING_CLEAN, vm_pager_debug_page_state(fx.vmo, 2 * P));
  assert_int_equal(-1, vm_pager_debug_page_state(fx.vmo, P));
  assert_int_equal(-1, vm_pager_debug_page_state(fx.vmo, 3 * P));
  assert_ok(vm_aspace_user_access(fx.aspace, base, &b, 1, ARCH_ACCESS_READ));
  assert_int_equal(w, b);
  assert_status(ZX_ERR_BAD_STATE,
                vm_aspace_user_access(fx.aspace, base + P, &b, 1, ARCH_ACCESS_READ));
  zx_vmo_dirty_range_t r[2];
  size_t actual;
  assert_ok(vm_pager_query_dirty_ranges(fx.vmo, 0, 4 * P, r, 2, &actual, NULL));
  assert_int_equal(2, actual);
  assert_range(&r[0], 0, P, 0);
  assert_range(&r[1], 2 * P, P, 0);
  assert_ok(vm_pager_op_range(fx.vmo, ZX_PAGER_OP_WRITEBACK_END, 2 * P, P, 0));
  assert_int_equal(VM_PAGER_PAGE_CLEAN, vm_pager_debug_page_state(fx.vmo, 2 * P));
  assert_int_equal(0, vm_evictor_evict(100));
  assert_int_equal(0, packet_queue_count(&fx.q));
  unmap(m);
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
#define TD(name) cmocka_unit_test_setup_teardown(name, setup_trap_dirty, teardown)
#define TR(name) cmocka_unit_test_setup_teardown(name, setup_resizable, teardown)
  const struct CMUnitTest tests[] = {
      T(pager_read_fault_asks_one_page_and_resumes),
      T(pager_batch_stops_at_present_page),
      T(pager_vmo_read_waits_for_supply),
      T(pager_supply_keeps_present_pages_and_decommits_aux),
      T(pager_supply_absent_aux_pages_become_zero),
      T(pager_supply_rejects_bad_arguments),
      T(pager_fail_fails_fault_and_read_then_recovers),
      T(pager_op_range_rejects_bad_arguments),
      TD(pager_trap_dirty_write_waits_for_dirty_ack),
      T(pager_write_without_trap_dirty_dirties_at_once),
      T(pager_optimistic_neighbours_of_write_fault_stay_read_only),
      T(pager_writeback_transitions),
      T(pager_query_dirty_ranges_coalesces_and_truncates),
      T(pager_detach_fails_waiters_and_completes_once),
      T(pager_last_release_sends_complete),
      T(pager_detach_without_complete_for_closed_pager),
      T(pager_shrink_wakes_waiters_beyond_the_end),
      T(pager_resize_tail_is_dirty_zero_until_written_back),
      T(pager_trap_dirty_write_into_zero_tail_asks_dirty),
      T(pager_op_zero_reads_partial_pages_only),
      T(pager_hints_steer_fetching_and_eviction),
      T(pager_evict_reclaims_old_clean_pages_and_refaults),
      T(pager_evict_respects_target_and_watermarks),
      T(pager_fault_out_of_memory_evicts_and_retries),
      T(pager_vmo_ops_out_of_memory_age_and_reclaim),
      T(pager_detach_keeps_dirty_pages_drops_clean_ones),
      TR(pager_commit_cut_short_by_shrink),
      TR(pager_always_need_cut_short_by_shrink),
      TR(pager_prefetch_cut_short_by_shrink),
      TR(pager_always_need_skips_failed_pages),
      T(pager_hints_ignore_range_without_pager),
      T(pager_vmar_always_need_fetches_and_maps),
  };
#undef T
#undef TD
#undef TR
  return cmocka_run_group_tests(tests, NULL, NULL);
}
