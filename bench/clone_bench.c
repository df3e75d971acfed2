// Copy-on-write clone benchmarks, side by side with Linux in the same run (issue #4 targets):
//  - snapshot creation of a VMO with 1 GiB committed vs 1 MiB committed (O(1): ratio <= 2);
//  - snapshot of a VMO with 1 GiB mapped writable (soft MMU, MapRange commit; the write-protect
//    walk of the mapped entries included) vs fork() + _exit + waitpid of a process that touched
//    1 GiB (target: 10x faster, ratio <= 0.1);
//  - first write per page after a snapshot, through a mapping (vm_aspace_user_access: a COW
//    fault) and through vm_object_paged_write, vs Linux's first write per page in a fork()ed child,
//    and the COW fault vs memcpy(4 KiB) + the plain (zero-fill) fault (target ratio <= 2).
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "pmm/pmm.h"
#include "vm/vm_aspace.h"
#include "vm/vm_object_paged.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define REPS 5
#define WRITE_BYTES (64 * MIB)
#define RW (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_WRITE | ARCH_MMU_FLAG_PERM_USER)

static void check(zx_status_t s, const char* what) {
  if (s != ZX_OK) {
    fprintf(stderr, "clone_bench: %s failed: %d\n", what, s);
    exit(1);
  }
}

static double median(double* v, int n) {
  for (int i = 1; i < n; i++) {
    for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
      double t = v[j];
      v[j] = v[j - 1];
      v[j - 1] = t;
    }
  }
  return v[n / 2];
}

static void escape(void* p) { __asm__ volatile("" : : "g"(p) : "memory"); }

// ---- snapshot creation --------------------------------------------------------------------------

// Median ns to create a snapshot of a VMO with |bytes| committed (children closed untimed).
static double snapshot_ns(uint64_t bytes) {
  struct vm_object_paged* vmo;
  check(vm_object_paged_create(0, bytes, &vmo), "create");
  check(vm_object_paged_commit_range(vmo, 0, bytes), "commit");
  double t[REPS];
  struct vm_object_paged* c[REPS];
  // Children stay open until the end: each snapshot hangs a new hidden node over the last.
  for (int r = 0; r < REPS; r++) {
    int64_t t0 = bench_now_ns();
    check(vm_object_paged_create_child(vmo, VM_CHILD_SNAPSHOT, 0, bytes, &c[r]), "snapshot");
    int64_t t1 = bench_now_ns();
    t[r] = (double)(t1 - t0);
  }
  for (int r = 0; r < REPS; r++) vm_object_paged_release(c[r]);
  vm_object_paged_release(vmo);
  return median(t, REPS);
}

// Median ns to snapshot a VMO with |bytes| committed and mapped writable in a soft aspace.
static double snapshot_mapped_ns(uint64_t bytes) {
  struct vm_aspace* aspace;
  check(vm_aspace_create(NULL, "bench", &aspace), "aspace");
  struct vm_address_region* root = vm_aspace_root_vmar(aspace);
  struct vm_object_paged* vmo;
  check(vm_object_paged_create(0, bytes, &vmo), "create");
  double t[3];
  for (int r = 0; r < 3; r++) {
    struct vm_mapping* m;
    vaddr_t base;
    check(vm_address_region_create_vm_mapping(root, 0, bytes, 0, 0, &vmo->base, 0, RW, "m", &m,
                                              &base),
          "map");
    check(vm_mapping_map_range(m, 0, bytes, true, false), "map_range");
    struct vm_object_paged* c;
    int64_t t0 = bench_now_ns();
    check(vm_object_paged_create_child(vmo, VM_CHILD_SNAPSHOT, 0, bytes, &c), "snapshot");
    int64_t t1 = bench_now_ns();
    t[r] = (double)(t1 - t0);
    vm_object_paged_release(c);
    check(vm_address_region_or_mapping_destroy(&m->common), "unmap");
    vm_address_region_or_mapping_release(&m->common);
  }
  vm_object_paged_release(vmo);
  vm_address_region_or_mapping_release(&root->common);
  check(vm_aspace_destroy(aspace), "aspace destroy");
  vm_aspace_release(aspace);
  return median(t, 3);
}

// Median ns of fork() + child _exit + waitpid for a process that touched |bytes|.
static double fork_ns(uint64_t bytes) {
  uint8_t* p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) exit(1);
  for (uint64_t off = 0; off < bytes; off += 4096) p[off] = 1;
  double t[3];
  for (int r = 0; r < 3; r++) {
    int64_t t0 = bench_now_ns();
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    waitpid(pid, NULL, 0);
    int64_t t1 = bench_now_ns();
    t[r] = (double)(t1 - t0);
  }
  munmap(p, bytes);
  return median(t, 3);
}

// ---- first write per page -----------------------------------------------------------------------

enum write_kind { WRITE_COW_FAULT, WRITE_COW_VMO, WRITE_ZERO_FAULT };

// ns per page for the first write of one byte to each page of a WRITE_BYTES VMO: after a snapshot
// through a writable mapping (COW fault) or vm_object_paged_write, or into a fresh VMO (plain
// zero-fill fault).
static double first_write_ns(enum write_kind kind) {
  struct vm_aspace* aspace;
  check(vm_aspace_create(NULL, "bench", &aspace), "aspace");
  struct vm_address_region* root = vm_aspace_root_vmar(aspace);
  struct vm_object_paged* vmo;
  check(vm_object_paged_create(0, WRITE_BYTES, &vmo), "create");
  struct vm_mapping* m;
  vaddr_t base;
  check(vm_address_region_create_vm_mapping(root, 0, WRITE_BYTES, 0, 0, &vmo->base, 0, RW, "m", &m,
                                            &base),
        "map");
  struct vm_object_paged* c = NULL;
  if (kind != WRITE_ZERO_FAULT) {
    check(vm_mapping_map_range(m, 0, WRITE_BYTES, true, false), "map_range");
    check(vm_object_paged_create_child(vmo, VM_CHILD_SNAPSHOT, 0, WRITE_BYTES, &c), "snapshot");
  }
  uint8_t v = 7;
  int64_t t0 = bench_now_ns();
  for (uint64_t off = 0; off < WRITE_BYTES; off += PAGE_SIZE) {
    if (kind == WRITE_COW_VMO) {
      check(vm_object_paged_write(vmo, &v, off, 1), "write");
    } else {
      check(vm_aspace_user_access(aspace, base + off, &v, 1, ARCH_ACCESS_WRITE), "access");
    }
  }
  int64_t t1 = bench_now_ns();
  if (c) vm_object_paged_release(c);
  check(vm_address_region_or_mapping_destroy(&m->common), "unmap");
  vm_address_region_or_mapping_release(&m->common);
  vm_object_paged_release(vmo);
  vm_address_region_or_mapping_release(&root->common);
  check(vm_aspace_destroy(aspace), "aspace destroy");
  vm_aspace_release(aspace);
  return (double)(t1 - t0) / (double)(WRITE_BYTES / PAGE_SIZE);
}

// ns per page of Linux's first write per page after fork(), measured in the child.
static double linux_fork_first_write_ns(void) {
  uint8_t* p = mmap(NULL, WRITE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) exit(1);
  memset(p, 1, WRITE_BYTES);
  int fds[2];
  if (pipe(fds) != 0) exit(1);
  pid_t pid = fork();
  if (pid == 0) {
    int64_t t0 = bench_now_ns();
    for (uint64_t off = 0; off < WRITE_BYTES; off += 4096) p[off] = 7;
    int64_t t1 = bench_now_ns();
    double ns = (double)(t1 - t0) / (double)(WRITE_BYTES / 4096);
    if (write(fds[1], &ns, sizeof(ns)) != sizeof(ns)) _exit(1);
    _exit(0);
  }
  double ns = 0;
  if (read(fds[0], &ns, sizeof(ns)) != sizeof(ns)) exit(1);
  waitpid(pid, NULL, 0);
  close(fds[0]);
  close(fds[1]);
  munmap(p, WRITE_BYTES);
  return ns;
}

// ns per memcpy of 4 KiB over WRITE_BYTES (cold-ish source and destination).
static double memcpy_4k_ns(void) {
  uint8_t* src = aligned_alloc(4096, WRITE_BYTES);
  uint8_t* dst = aligned_alloc(4096, WRITE_BYTES);
  if (!src || !dst) exit(1);
  memset(src, 1, WRITE_BYTES);
  memset(dst, 2, WRITE_BYTES);
  double t[REPS];
  for (int r = 0; r < REPS; r++) {
    int64_t t0 = bench_now_ns();
    for (uint64_t off = 0; off < WRITE_BYTES; off += 4096) memcpy(dst + off, src + off, 4096);
    escape(dst);
    int64_t t1 = bench_now_ns();
    t[r] = (double)(t1 - t0) / (double)(WRITE_BYTES / 4096);
  }
  free(src);
  free(dst);
  return median(t, REPS);
}

int main(void) {
  check(pmm_init(1400 * MIB), "pmm_init");
  bench_header("clone_bench");
  // Touch the whole arena once, so no figure pays for the host's first touch of pmm memory.
  struct vm_object_paged* warm;
  check(vm_object_paged_create(0, 1300 * MIB, &warm), "create");
  check(vm_object_paged_commit_range(warm, 0, 1300 * MIB), "warm");
  vm_object_paged_release(warm);
  double small = snapshot_ns(MIB), big = snapshot_ns(GIB);
  bench_report("snapshot_1GiB_vs_1MiB_committed", "ns", big, small, 2.0, false);
  double mapped = snapshot_mapped_ns(GIB), forked = fork_ns(GIB);
  bench_report("snapshot_1GiB_mapped_vs_fork_1GiB", "ns", mapped, forked, 0.1, false);
  double cow_fault = first_write_ns(WRITE_COW_FAULT);
  double cow_vmo = first_write_ns(WRITE_COW_VMO);
  double zero_fault = first_write_ns(WRITE_ZERO_FAULT);
  double linux_cow = linux_fork_first_write_ns();
  double copy = memcpy_4k_ns();
  bench_report("cow_fault_vs_linux_fork_write", "ns/page", cow_fault, linux_cow, 1.0, false);
  bench_report("cow_vmo_write_vs_linux_fork_write", "ns/page", cow_vmo, linux_cow, 1.0, false);
  bench_report("cow_fault_vs_memcpy4k_plus_fault", "ns/page", cow_fault, copy + zero_fault, 2.0,
               false);
  printf("# components: memcpy(4 KiB) %.0f ns, plain zero-fill fault %.0f ns per page\n", copy,
         zero_fault);
  pmm_shutdown();
  return 0;
}
