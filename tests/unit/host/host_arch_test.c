// Unit tests of the host backend at the arch layer (src/arch/host/): the reservation the host
// places, every map / protect / unmap mirrored to real mappings (checked against /proc/self/maps
// and through plain loads and stores), runs of contiguous pages in one host call, the existing-
// entry actions, accessed bits emulated by trapping (harvest, untrap in the signal handler),
// free_unaccessed (frees nothing), the shadow answering arch_soft_translate, and the signal handler
// calling the aspace's fault handler (here a test function standing in for the VM core).
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.h"
// zxvm headers after cmocka.
#include "arch/arch_aspace.h"
#include "arch/host/arch_host.h"
#include "pmm/pmm.h"

#define ARENA_PAGES 2048u
#define ASPACE_SIZE ((size_t)1 << 30)
#define R ARCH_MMU_FLAG_PERM_READ
#define RW (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_WRITE)
#define RX (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_EXECUTE)
#define U ARCH_MMU_FLAG_PERM_USER

static int setup(void** state) {
  (void)state;
  if (arch_host_backend_register() != ZX_OK) return -1;
  return pmm_init_ex(ARENA_PAGES * PAGE_SIZE, PMM_ARENA_SHARED) == ZX_OK ? 0 : -1;
}

// Shuts the pmm down (which panics on a leak) unless a failed test left pages behind: then the
// arena is leaked so that cmocka reports the failure instead of the panic hiding it.
static int teardown(void** state) {
  (void)state;
  struct pmm_counts c;
  pmm_get_counts(&c);
  if (c.free_pages + 1 != c.total_pages) return -1;
  pmm_shutdown();
  return 0;
}

static struct arch_aspace* make_aspace(void) {
  struct arch_aspace* a;
  assert_ok(arch_aspace_create(ARCH_BACKEND_HOST, 0, ASPACE_SIZE, ARCH_ASPACE_FLAG_USER, &a));
  return a;
}

static uint64_t host_calls(struct arch_aspace* a) {
  struct arch_host_counts c;
  arch_host_get_counts(a, &c);
  return c.host_calls;
}

static void check_all(struct arch_aspace* a) {
  arch_aspace_check(a);
  assert_true(arch_host_debug_check_host_state(a));
}

// Runs |fn(arg)| in a forked child; returns the signal that ended it (0 if it exited).
static int child_signal(void (*fn)(void*), void* arg) {
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    arch_host_debug_pass_faults_to_default();  // die, not cmocka's failure report
    fn(arg);
    _exit(0);
  }
  int status;
  assert_int_equal(pid, waitpid(pid, &status, 0));
  return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void write_byte(void* p) { *(volatile char*)p = 1; }
static void read_byte(void* p) { (void)*(volatile char*)p; }

static void host_create_places_a_reservation(void** state) {
  struct arch_aspace* a = make_aspace();
  vaddr_t base = arch_aspace_base(a);
  assert_true(base != 0);
  assert_int_equal(ASPACE_SIZE, arch_aspace_size(a));
  assert_int_equal(ARCH_BACKEND_HOST, arch_aspace_backend(a));
  check_all(a);
  // The reservation is inaccessible: touching it (no fault handler set) kills.
  assert_int_equal(SIGSEGV, child_signal(read_byte, (void*)(base + 5 * PAGE_SIZE)));
  // A fixed base that is taken (our own reservation) is refused.
  struct arch_aspace* b;
  assert_status(ZX_ERR_NO_RESOURCES, arch_aspace_create(ARCH_BACKEND_HOST, base, ASPACE_SIZE,
                                                        ARCH_ASPACE_FLAG_USER, &b));
  arch_aspace_destroy(a);
  // After destroy the range is free again: a fixed base there works.
  assert_ok(arch_aspace_create(ARCH_BACKEND_HOST, base, ASPACE_SIZE, ARCH_ASPACE_FLAG_USER, &b));
  assert_int_equal(base, arch_aspace_base(b));
  check_all(b);
  arch_aspace_destroy(b);
}

static void host_create_needs_the_shared_arena(void** state) {
  pmm_shutdown();
  assert_ok(pmm_init(64 * PAGE_SIZE));
  struct arch_aspace* a;
  assert_status(ZX_ERR_NOT_SUPPORTED,
                arch_aspace_create(ARCH_BACKEND_HOST, 0, ASPACE_SIZE, ARCH_ASPACE_FLAG_USER, &a));
  // The soft backend works on either arena kind.
  assert_ok(
      arch_aspace_create(ARCH_BACKEND_SOFT, PAGE_SIZE, ASPACE_SIZE, ARCH_ASPACE_FLAG_USER, &a));
  arch_aspace_destroy(a);
  pmm_shutdown();
  assert_ok(pmm_init_ex(ARENA_PAGES * PAGE_SIZE, PMM_ARENA_SHARED));
  assert_ok(
      arch_aspace_create(ARCH_BACKEND_SOFT, PAGE_SIZE, ASPACE_SIZE, ARCH_ASPACE_FLAG_USER, &a));
  arch_aspace_destroy(a);
}

// A contiguous run of pages maps in one host call, and plain loads and stores through it reach
// the physical pages.
static void host_map_contiguous_run_is_one_mmap(void** state) {
  struct arch_aspace* a = make_aspace();
  vaddr_t va = arch_aspace_base(a) + 64 * PAGE_SIZE;
  paddr_t pa;
  struct page_list list;
  page_list_init(&list);
  assert_ok(pmm_alloc_contiguous(16, 0, PAGE_SIZE_SHIFT, &pa, &list));
  uint64_t before = host_calls(a);
  assert_ok(arch_aspace_map_contiguous(a, va, pa, 16, RW | U, NULL));
  assert_int_equal(before + 1, host_calls(a));
  check_all(a);
  for (size_t i = 0; i < 16; i++) {
    char* p = (char*)(va + i * PAGE_SIZE);
    memset(p, (int)('a' + i), PAGE_SIZE);  // a plain store through the host mapping
    assert_int_equal('a' + i, ((char*)paddr_to_physmap(pa + i * PAGE_SIZE))[PAGE_SIZE - 1]);
  }
  ((char*)paddr_to_physmap(pa))[7] = 'Z';  // and the other way round
  assert_int_equal('Z', ((volatile char*)va)[7]);
  size_t unmapped;
  before = host_calls(a);
  assert_ok(arch_aspace_unmap(a, va, 16, ARCH_UNMAP_OPTION_NONE, &unmapped));
  assert_int_equal(16, unmapped);
  assert_int_equal(before + 1, host_calls(a));
  check_all(a);
  assert_int_equal(SIGSEGV, child_signal(read_byte, (void*)va));
  // Unmapping nothing makes no host call.
  assert_ok(arch_aspace_unmap(a, va, 16, ARCH_UNMAP_OPTION_NONE, &unmapped));
  assert_int_equal(0, unmapped);
  assert_int_equal(before + 1, host_calls(a));
  arch_aspace_destroy(a);
  pmm_free_pages(&list);
}

// Scattered pages: one host mapping per physically contiguous run; protect narrows them.
static void host_map_scattered_protect_unmap(void** state) {
  struct arch_aspace* a = make_aspace();
  vaddr_t va = arch_aspace_base(a) + (2u << 20) - 4 * PAGE_SIZE;  // straddles a 2 MiB table
  enum { N = 8 };
  struct vm_page* pages[N];
  paddr_t pas[N];
  for (int i = 0; i < N; i++) {
    assert_ok(pmm_alloc_page(0, &pages[i], &pas[i]));
    memset(vm_page_to_physmap(pages[i]), i, PAGE_SIZE);
  }
  assert_ok(arch_aspace_map(a, va, pas, N, RW | U, ARCH_EXISTING_ENTRY_ERROR, NULL));
  check_all(a);
  for (int i = 0; i < N; i++) assert_int_equal(i, ((volatile char*)va)[i * PAGE_SIZE + 100]);
  // Read-only: a store kills, a load works.
  assert_ok(arch_aspace_protect(a, va, N, R | U, ARCH_UNMAP_OPTION_NONE));
  check_all(a);
  assert_int_equal(3, ((volatile char*)va)[3 * PAGE_SIZE]);
  assert_int_equal(SIGSEGV, child_signal(write_byte, (void*)(va + 3 * PAGE_SIZE)));
  // Executable and writable again, on part of the range.
  assert_ok(arch_aspace_protect(a, va + 2 * PAGE_SIZE, 4, RW | ARCH_MMU_FLAG_PERM_EXECUTE | U,
                                ARCH_UNMAP_OPTION_NONE));
  check_all(a);
  ((volatile char*)va)[2 * PAGE_SIZE] = 42;
  assert_int_equal(42, *(char*)vm_page_to_physmap(pages[2]));
  // Protect without any permission unmaps.
  assert_ok(arch_aspace_protect(a, va, 2, 0, ARCH_UNMAP_OPTION_NONE));
  check_all(a);
  assert_status(ZX_ERR_NOT_FOUND, arch_aspace_query(a, va, NULL, NULL));
  // Unmap of a range with holes and outside pages.
  size_t unmapped;
  assert_ok(arch_aspace_unmap(a, va - 16 * PAGE_SIZE, N + 32, ARCH_UNMAP_OPTION_NONE, &unmapped));
  assert_int_equal(N - 2, unmapped);
  check_all(a);
  arch_aspace_destroy(a);
  for (int i = 0; i < N; i++) pmm_free_page(pages[i]);
}

// SKIP keeps the existing page's host mapping, UPGRADE replaces it; both mirror what they change.
static void host_existing_entry_actions_mirror(void** state) {
  struct arch_aspace* a = make_aspace();
  vaddr_t va = arch_aspace_base(a) + 16 * PAGE_SIZE;
  struct vm_page *p0, *p1, *p2;
  paddr_t a0, a1, a2;
  assert_ok(pmm_alloc_page(0, &p0, &a0));
  assert_ok(pmm_alloc_page(0, &p1, &a1));
  assert_ok(pmm_alloc_page(0, &p2, &a2));
  strcpy(vm_page_to_physmap(p0), "zero");
  strcpy(vm_page_to_physmap(p1), "one");
  strcpy(vm_page_to_physmap(p2), "two");
  assert_ok(arch_aspace_map(a, va, &a0, 1, R | U, ARCH_EXISTING_ENTRY_ERROR, NULL));
  paddr_t both[2] = {a1, a2};
  assert_status(ZX_ERR_ALREADY_EXISTS,
                arch_aspace_map(a, va, both, 2, RW | U, ARCH_EXISTING_ENTRY_ERROR, NULL));
  check_all(a);
  assert_ok(arch_aspace_map(a, va, both, 2, RW | U, ARCH_EXISTING_ENTRY_SKIP, NULL));
  check_all(a);
  assert_string_equal("zero", (char*)va);
  assert_string_equal("two", (char*)(va + PAGE_SIZE));
  assert_ok(arch_aspace_map(a, va, both, 2, RW | U, ARCH_EXISTING_ENTRY_UPGRADE, NULL));
  check_all(a);
  assert_string_equal("one", (char*)va);
  ((char*)va)[0] = 'O';  // writable now
  assert_string_equal("One", (char*)vm_page_to_physmap(p1));
  size_t unmapped;
  assert_ok(arch_aspace_unmap(a, va, 2, ARCH_UNMAP_OPTION_NONE, &unmapped));
  check_all(a);
  arch_aspace_destroy(a);
  pmm_free_page(p0);
  pmm_free_page(p1);
  pmm_free_page(p2);
}

static void count_accessed(void* ctx, paddr_t pa, vaddr_t va) { (*(size_t*)ctx)++; }

static size_t harvest_count(struct arch_aspace* a, vaddr_t va, size_t count) {
  size_t n = 0;
  assert_ok(arch_aspace_harvest_accessed(a, va, count, count_accessed, &n));
  return n;
}

// Accessed bits are emulated by trapping: a map counts as an access; a harvest reports and clears
// the bits and traps the pages (PROT_NONE over the same file offset); the next real load or store
// untraps one page in the signal handler and sets its bit again. free_unaccessed frees nothing.
static void host_harvest_traps_and_reports_touched_pages(void** state) {
  struct arch_aspace* a = make_aspace();
  vaddr_t va = arch_aspace_base(a);
  paddr_t pa;
  struct page_list list;
  page_list_init(&list);
  assert_ok(pmm_alloc_contiguous(4, 0, PAGE_SIZE_SHIFT, &pa, &list));
  assert_ok(arch_aspace_map_contiguous(a, va, pa, 4, RW | U, NULL));
  char* p = (char*)va;
  p[2 * PAGE_SIZE + 5] = 42;
  assert_int_equal(4, harvest_count(a, va, 512));  // mapped: the host may have touched them
  check_all(a);                                    // trapped pages are allowed by the checker
  assert_int_equal(0, harvest_count(a, va, 512));
  struct arch_host_fault_counts before, after;
  arch_host_get_fault_counts(&before);
  read_byte(p + PAGE_SIZE);
  assert_int_equal(42, p[2 * PAGE_SIZE + 5]);  // contents survive the trap
  write_byte(p + 3 * PAGE_SIZE);
  arch_host_get_fault_counts(&after);
  assert_int_equal(before.resolved + 3, after.resolved);
  check_all(a);
  assert_int_equal(3, harvest_count(a, va, 512));
  assert_int_equal(0, harvest_count(a, va, 512));
  // Touching an untrapped page again costs nothing; a trapped one faults once.
  arch_host_get_fault_counts(&before);
  read_byte(p + PAGE_SIZE);
  read_byte(p + PAGE_SIZE);
  arch_host_get_fault_counts(&after);
  assert_int_equal(before.resolved + 1, after.resolved);
  size_t freed = 99;
  assert_ok(arch_aspace_free_unaccessed(a, va, 512, &freed));
  assert_int_equal(0, freed);
  // A protect gives the pages back to the host, so they count as accessed.
  assert_ok(arch_aspace_protect(a, va + 2 * PAGE_SIZE, 2, R | U, ARCH_UNMAP_OPTION_NONE));
  assert_int_equal(3, harvest_count(a, va, 512));  // pages 1, 2, 3
  check_all(a);
  // An unmap with HARVEST reports exactly the pages touched since the last harvest.
  size_t n = 0;
  arch_aspace_set_accessed_hook(a, count_accessed, &n);
  read_byte(p);
  size_t unmapped;
  assert_ok(arch_aspace_unmap(a, va, 4, ARCH_UNMAP_OPTION_HARVEST, &unmapped));
  assert_int_equal(1, n);
  check_all(a);
  arch_aspace_destroy(a);
  pmm_free_pages(&list);
}

// The shadow is the soft backend's tables: the simulated CPU and query work on a host aspace.
static void host_shadow_answers_translate_and_query(void** state) {
  struct arch_aspace* a = make_aspace();
  vaddr_t va = arch_aspace_base(a) + 3 * PAGE_SIZE;
  struct vm_page* page;
  paddr_t pa;
  assert_ok(pmm_alloc_page(0, &page, &pa));
  assert_ok(arch_aspace_map(a, va, &pa, 1, RX | U, ARCH_EXISTING_ENTRY_ERROR, NULL));
  paddr_t got;
  arch_mmu_flags_t flags;
  assert_ok(arch_aspace_query(a, va + 12, &got, &flags));
  assert_int_equal(pa + 12, got);
  assert_int_equal(RX | U, flags);
  assert_ok(arch_soft_translate(a, va + 5, ARCH_ACCESS_READ | ARCH_ACCESS_USER, &got, NULL));
  assert_int_equal(pa + 5, got);
  uint32_t pf;
  assert_status(ZX_ERR_NOT_FOUND,
                arch_soft_translate(a, va, ARCH_ACCESS_WRITE | ARCH_ACCESS_USER, NULL, &pf));
  assert_true(pf & VMM_PF_FLAG_WRITE);
  size_t unmapped;
  assert_ok(arch_aspace_unmap(a, va, 1, ARCH_UNMAP_OPTION_NONE, &unmapped));
  arch_aspace_destroy(a);
  pmm_free_page(page);
}

// A stand-in for the VM core: maps a fresh page on a not-present fault, refuses the rest.
struct fake_vm {
  struct arch_aspace* a;
  int faults;
  uint32_t last_flags;
  struct vm_page* pages[8];
  int npages;
};

static zx_status_t fake_fault(void* ctx, vaddr_t va, uint32_t pf_flags) {
  struct fake_vm* vm = ctx;
  vm->faults++;
  vm->last_flags = pf_flags;
  if (!(pf_flags & VMM_PF_FLAG_NOT_PRESENT) || vm->npages == 8) return ZX_ERR_ACCESS_DENIED;
  paddr_t pa;
  if (pmm_alloc_page(0, &vm->pages[vm->npages], &pa) != ZX_OK) return ZX_ERR_NO_MEMORY;
  pmm_page_zero(vm->pages[vm->npages++]);
  arch_mmu_flags_t flags = (pf_flags & VMM_PF_FLAG_WRITE) ? RW | U : R | U;
  return arch_aspace_map(vm->a, va, &pa, 1, flags, ARCH_EXISTING_ENTRY_ERROR, NULL);
}

static void host_signal_handler_calls_the_fault_handler(void** state) {
  struct fake_vm vm = {.a = make_aspace()};
  arch_aspace_set_fault_handler(vm.a, fake_fault, &vm);
  vaddr_t base = arch_aspace_base(vm.a);
  struct arch_host_fault_counts before, after;
  arch_host_get_fault_counts(&before);
  volatile uint64_t* p = (volatile uint64_t*)(base + 100 * PAGE_SIZE);
  *p = 0x1234;  // not present: fake_fault maps a writable page; the store re-executes
  assert_int_equal(1, vm.faults);
  assert_true(vm.last_flags & VMM_PF_FLAG_WRITE);
  assert_true(vm.last_flags & VMM_PF_FLAG_USER);
  assert_true(vm.last_flags & VMM_PF_FLAG_NOT_PRESENT);
  assert_int_equal(0x1234, *(uint64_t*)vm_page_to_physmap(vm.pages[0]));
  volatile char* q = (volatile char*)(base + 200 * PAGE_SIZE);
  assert_int_equal(0, *q);  // a read maps read-only
  assert_int_equal(2, vm.faults);
  assert_false(vm.last_flags & VMM_PF_FLAG_WRITE);
  arch_host_get_fault_counts(&after);
  assert_int_equal(before.resolved + 2, after.resolved);
  check_all(vm.a);
  // Refused faults pass on: the child dies with SIGSEGV (write to the read-only page).
  assert_int_equal(SIGSEGV, child_signal(write_byte, (void*)q));
  size_t unmapped;
  assert_ok(arch_aspace_unmap(vm.a, base, ASPACE_SIZE / PAGE_SIZE, 0, &unmapped));
  assert_int_equal(2, unmapped);
  arch_aspace_destroy(vm.a);
  for (int i = 0; i < vm.npages; i++) pmm_free_page(vm.pages[i]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(host_create_places_a_reservation, setup, teardown),
      cmocka_unit_test_setup_teardown(host_create_needs_the_shared_arena, setup, teardown),
      cmocka_unit_test_setup_teardown(host_map_contiguous_run_is_one_mmap, setup, teardown),
      cmocka_unit_test_setup_teardown(host_map_scattered_protect_unmap, setup, teardown),
      cmocka_unit_test_setup_teardown(host_existing_entry_actions_mirror, setup, teardown),
      cmocka_unit_test_setup_teardown(host_harvest_traps_and_reports_touched_pages, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(host_shadow_answers_translate_and_query, setup, teardown),
      cmocka_unit_test_setup_teardown(host_signal_handler_calls_the_fault_handler, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
