// The host backend under the whole VM, through the zx_ API: the self process's root VMAR is a real
// reservation, VMOs mapped into it are used with plain C loads and stores, and faults (SIGSEGV)
// run the VM core's fault path. Lazy commit (a read maps the zero page read-only, a write after a
// read upgrades), protections and unmapping as fatal signals in a forked child, two mappings of one
// VMO, decommit seen through another mapping, shadow/host agreement, and many threads faulting at
// once. White-box only where the host's state is compared with the shadow's.
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zircon/syscalls.h>
#include <zircon/types.h>
#include <zxvm/zxvm.h>

#include "test_util.h"
// zxvm internals after cmocka.
#include "arch/host/arch_host.h"
#include "pmm/pmm.h"
#include "vm/evictor.h"
#include "zx/zx_priv.h"

#define PAGE ((size_t)PAGE_SIZE)
#define RW (ZX_VM_PERM_READ | ZX_VM_PERM_WRITE)

static struct arch_aspace* self_arch(void) { return kernel_self_process()->aspace->arch; }

static void check_self(void) {
  assert_ok(zxvm_check(zx_process_self()));
  assert_true(arch_host_debug_check_host_state(self_arch()));
}

static int group_setup(void** state) {
  // The library's own init (src/zx) is asked for the host backend; the shared arena and the
  // backend registration are made here first so this test does not depend on how zxvm_init
  // chooses them.
  if (arch_host_backend_register() != ZX_OK) return -1;
  if (pmm_init_ex((size_t)256 << 20, PMM_ARENA_SHARED) != ZX_OK) return -1;
  zxvm_config_t config = {.backend = ZXVM_BACKEND_HOST, .aslr_entropy_bits = 0};
  if (zxvm_init(&config) != ZX_OK) return -1;
  return arch_aspace_backend(self_arch()) == ARCH_BACKEND_HOST ? 0 : -1;
}

static zx_handle_t make_vmo(size_t size) {
  zx_handle_t vmo;
  assert_ok(zx_vmo_create(size, 0, &vmo));
  return vmo;
}

static char* map(zx_handle_t vmo, zx_vm_option_t perms, uint64_t offset, size_t len) {
  // cmocka installs its own SIGSEGV handler around every test function, without chaining: zxvm's
  // goes back on top (chaining to cmocka's for faults that are not zxvm's).
  assert_ok(arch_host_fault_handler_install());
  zx_vaddr_t addr;
  assert_ok(zx_vmar_map(zx_vmar_root_self(), perms, 0, vmo, offset, len, &addr));
  return (char*)addr;
}

static void unmap(void* p, size_t len) {
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)p, len));
}

// Runs |fn(arg)| in a forked child; returns the signal that ended it (0 if it exited). The child
// only dies or returns: it shares the memory file with the parent, so it must not allocate.
static int child_signal(void (*fn)(void*), void* arg) {
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    arch_host_debug_pass_faults_to_default();
    fn(arg);
    _exit(0);
  }
  int status;
  assert_int_equal(pid, waitpid(pid, &status, 0));
  return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void write_byte(void* p) { *(volatile char*)p = 1; }
static void read_byte(void* p) { (void)*(volatile char*)p; }

static void host_root_vmar_is_a_real_reservation(void** state) {
  zx_info_vmar_t info;
  assert_ok(zx_object_get_info(zx_vmar_root_self(), ZX_INFO_VMAR, &info, sizeof(info), NULL, NULL));
  assert_int_equal(arch_aspace_base(self_arch()), info.base);
  assert_int_equal(arch_aspace_size(self_arch()), info.len);
  // Inside our own address space, not at Zircon's fixed 0x200000.
  int on_stack;
  assert_true(info.base != 0x200000);
  assert_true((uintptr_t)&on_stack < info.base || (uintptr_t)&on_stack >= info.base + info.len);
  check_self();
}

// Plain stores are seen by zx_vmo_read and zx_vmo_write by plain loads.
static void host_plain_loads_and_stores(void** state) {
  zx_handle_t vmo = make_vmo(4 * PAGE);
  char* p = map(vmo, RW, 0, 4 * PAGE);
  strcpy(p + PAGE + 10, "stored by a pointer");
  char buf[32] = {0};
  assert_ok(zx_vmo_read(vmo, buf, PAGE + 10, 20));
  assert_string_equal("stored by a pointer", buf);
  assert_ok(zx_vmo_write(vmo, "written by zx_vmo_write", 3 * PAGE - 4, 24));
  assert_string_equal("written by zx_vmo_write", p + 3 * PAGE - 4);  // straddles two pages
  for (size_t i = 0; i < 4 * PAGE; i += 64) p[i] ^= 0x5a;
  check_self();
  unmap(p, 4 * PAGE);
  zx_handle_close(vmo);
}

static uint64_t object_pages(void) {
  zxvm_stats_t s;
  assert_ok(zxvm_get_stats(&s));
  return s.pmm_object_pages;
}

// First touch commits; a read maps the shared zero page read-only; a write after it upgrades.
static void host_lazy_faults(void** state) {
  zx_handle_t vmo = make_vmo(8 * PAGE);
  char* p = map(vmo, RW, 0, 8 * PAGE);
  vaddr_t va = (vaddr_t)p + 2 * PAGE;
  assert_status(ZX_ERR_NOT_FOUND, arch_aspace_query(self_arch(), va, NULL, NULL));
  uint64_t pages0 = object_pages();
  struct arch_host_fault_counts f0, f1;
  arch_host_get_fault_counts(&f0);
  assert_int_equal(0, ((volatile char*)va)[100]);  // read fault
  arch_host_get_fault_counts(&f1);
  assert_true(f1.resolved > f0.resolved);
  paddr_t pa;
  arch_mmu_flags_t flags;
  assert_ok(arch_aspace_query(self_arch(), va, &pa, &flags));
  assert_int_equal(pmm_zero_page_paddr(), pa);
  assert_false(flags & ARCH_MMU_FLAG_PERM_WRITE);
  assert_int_equal(pages0, object_pages());  // nothing committed by a read
  check_self();
  ((volatile char*)va)[100] = 7;  // write after read: upgrade to a private page
  assert_ok(arch_aspace_query(self_arch(), va, &pa, &flags));
  assert_true(pa != pmm_zero_page_paddr());
  assert_true(flags & ARCH_MMU_FLAG_PERM_WRITE);
  assert_true(object_pages() > pages0);
  char b = 0;
  assert_ok(zx_vmo_read(vmo, &b, 2 * PAGE + 100, 1));
  assert_int_equal(7, b);
  // A first write commits directly.
  p[5 * PAGE] = 9;
  assert_ok(arch_aspace_query(self_arch(), (vaddr_t)p + 5 * PAGE, &pa, &flags));
  assert_true(flags & ARCH_MMU_FLAG_PERM_WRITE);
  check_self();
  unmap(p, 8 * PAGE);
  zx_handle_close(vmo);
}

// A store to a read-only mapping, and any access after unmap, kill (in a forked child).
static void host_protection_and_unmap_kill(void** state) {
  zx_handle_t vmo = make_vmo(2 * PAGE);
  char* p = map(vmo, RW, 0, 2 * PAGE);
  p[0] = 'w';
  p[PAGE] = 'x';
  assert_ok(zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ, (zx_vaddr_t)p, PAGE));
  check_self();
  assert_int_equal('w', p[0]);  // still readable
  assert_int_equal(SIGSEGV, child_signal(write_byte, p));
  assert_int_equal(0, child_signal(write_byte, p + PAGE));  // the other page stays writable
  unmap(p, 2 * PAGE);
  check_self();
  assert_int_equal(SIGSEGV, child_signal(read_byte, p));
  assert_int_equal(SIGSEGV, child_signal(write_byte, p + PAGE));
  zx_handle_close(vmo);
}

// Two mappings of one VMO see each other's stores; a decommit through one reads as zeros through
// the other.
static void host_two_mappings_share_and_decommit(void** state) {
  zx_handle_t vmo = make_vmo(4 * PAGE);
  char* a = map(vmo, RW, 0, 4 * PAGE);
  char* b = map(vmo, RW, 0, 4 * PAGE);
  assert_true(a != b);
  strcpy(a + 123, "via a");
  assert_string_equal("via a", b + 123);
  strcpy(b + 3 * PAGE, "via b");
  assert_string_equal("via b", a + 3 * PAGE);
  assert_ok(
      zx_vmar_op_range(zx_vmar_root_self(), ZX_VMAR_OP_DECOMMIT, (zx_vaddr_t)a, 4 * PAGE, NULL, 0));
  check_self();
  for (size_t i = 0; i < 4 * PAGE; i++) {
    if (b[i] != 0) fail_msg("byte %zu is %d after decommit", i, b[i]);
  }
  assert_int_equal(0, a[123]);
  check_self();
  unmap(a, 4 * PAGE);
  unmap(b, 4 * PAGE);
  zx_handle_close(vmo);
}

// Many threads fault on one mapping at once (same pages and distinct pages), then every byte
// written is where it should be and the shadow agrees with the host.
#define THREADS 8
#define PAGES_PER_THREAD 64

struct worker {
  char* base;
  int index;
};

static void* fault_worker(void* arg) {
  struct worker* w = arg;
  size_t pages = THREADS * PAGES_PER_THREAD;
  for (size_t round = 0; round < 4; round++) {
    for (size_t i = 0; i < pages; i++) {
      // Each thread owns one byte of every page (contended faults) ...
      size_t page = (i * 7 + (size_t)w->index * 13 + round) % pages;
      volatile char* p = w->base + page * PAGE + (size_t)w->index;
      if (round == 0) (void)*p;  // read faults first (zero page), upgraded below
      *p = (char)(w->index + 1);
    }
  }
  return NULL;
}

static void host_concurrent_faults(void** state) {
  size_t len = THREADS * PAGES_PER_THREAD * PAGE;
  zx_handle_t vmo = make_vmo(len);
  char* base = map(vmo, RW, 0, len);
  pthread_t threads[THREADS];
  struct worker workers[THREADS];
  for (int i = 0; i < THREADS; i++) {
    workers[i] = (struct worker){base, i};
    assert_int_equal(0, pthread_create(&threads[i], NULL, fault_worker, &workers[i]));
  }
  for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
  for (size_t page = 0; page < THREADS * PAGES_PER_THREAD; page++) {
    for (int i = 0; i < THREADS; i++) {
      if (base[page * PAGE + (size_t)i] != i + 1) fail_msg("page %zu byte %d", page, i);
    }
  }
  check_self();
  unmap(base, len);
  zx_handle_close(vmo);
}

// ---- eviction ages pages by real accesses
// --------------------------------------------------------

static void supply_pattern(zx_handle_t pager, zx_handle_t vmo, uint64_t offset, uint64_t len) {
  zx_handle_t aux = make_vmo(len);
  for (uint64_t i = 0; i < len; i += PAGE) {
    char c = (char)('a' + (offset + i) / PAGE);
    assert_ok(zx_vmo_write(aux, &c, i, 1));
  }
  assert_ok(zx_pager_supply_pages(pager, vmo, offset, len, aux, 0));
  zx_handle_close(aux);
}

struct toucher {
  pthread_t t;
  volatile char* p;
  char seen;
};

static void* touch_main(void* arg) {
  struct toucher* t = arg;
  t->seen = *t->p;
  return NULL;
}

// A pager-backed VMO mapped on the host: plain loads keep pages young (the harvest traps them and
// the next load untraps them, host_aspace.c), so eviction takes exactly the pages not loaded
// since; loading an evicted one faults and asks the pager again.
static void host_eviction_follows_real_accesses(void** state) {
  zx_handle_t pager, port, vmo;
  assert_ok(zx_pager_create(0, &pager));
  assert_ok(zx_port_create(0, &port));
  assert_ok(zx_pager_create_vmo(pager, 0, port, 7, 8 * PAGE, &vmo));
  supply_pattern(pager, vmo, 0, 8 * PAGE);
  char* base = map(vmo, ZX_VM_PERM_READ, 0, 8 * PAGE);
  for (int i = 0; i < 8; i++) assert_int_equal('a' + i, base[i * PAGE]);
  for (int round = 0; round < 3; round++) {
    vm_evictor_harvest();
    check_self();
    for (int i = 4; i < 8; i++) read_byte(base + i * PAGE);  // pages 4..7 stay in use
  }
  vm_evictor_harvest();
  // Other tests' pager VMOs are closed, so only this VMO's pages can go: exactly 0..3.
  assert_int_equal(4, vm_evictor_evict(100));
  zx_info_vmo_t info;
  assert_ok(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  assert_int_equal(4 * PAGE, info.committed_bytes);
  check_self();
  for (int i = 4; i < 8; i++) assert_int_equal('a' + i, base[i * PAGE]);  // no request needed
  struct toucher t = {.p = base + 2 * PAGE};
  assert_int_equal(0, pthread_create(&t.t, NULL, touch_main, &t));
  zx_port_packet_t packet;
  assert_ok(zx_port_wait(port, zx_deadline_after(ZX_SEC(10)), &packet));
  assert_int_equal(ZX_PAGER_VMO_READ, packet.page_request.command);
  assert_int_equal(2 * PAGE, packet.page_request.offset);
  supply_pattern(pager, vmo, packet.page_request.offset, packet.page_request.length);
  assert_int_equal(0, pthread_join(t.t, NULL));
  assert_int_equal('c', t.seen);
  check_self();
  unmap(base, 8 * PAGE);
  zx_handle_t list[] = {vmo, port, pager};
  assert_ok(zx_handle_close_many(list, 3));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(host_root_vmar_is_a_real_reservation),
      cmocka_unit_test(host_plain_loads_and_stores),
      cmocka_unit_test(host_lazy_faults),
      cmocka_unit_test(host_protection_and_unmap_kill),
      cmocka_unit_test(host_two_mappings_share_and_decommit),
      cmocka_unit_test(host_concurrent_faults),
      cmocka_unit_test(host_eviction_follows_real_accesses),
  };
  return cmocka_run_group_tests(tests, group_setup, NULL);
}
