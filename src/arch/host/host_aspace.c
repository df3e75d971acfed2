// The host backend (Linux): an arch aspace whose translations are real mappings in this process, so
// ordinary C code uses zxvm memory with plain loads and stores.
//
// Design. Physical memory is the pmm's PMM_ARENA_SHARED arena: a memory file (memfd) mapped once as
// the physmap, so physical page pa is file offset pa - PMM_PADDR_BASE. A host aspace is
//   - a PROT_NONE, MAP_NORESERVE anonymous reservation of [base, base + size) in this process
//     (placed by the host when the caller asks for base 0: Zircon's fixed user base 0x200000 is
//     taken by our own program), and
//   - the soft backend's x86-64 tables (struct soft_aspace, embedded first) as the shadow. Every
//     operation runs the soft backend's own _locked implementation on the shadow, so bookkeeping,
//     query, check, check_entries and arch_soft_translate (zxvm_user_read/write) are exactly the
//     soft backend's; then each change that succeeded is mirrored to the host:
//       map     -> mmap(va, run, prot, MAP_SHARED|MAP_FIXED, memfd, pa - PMM_PADDR_BASE), one call
//                  per run of pages contiguous in both va and pa with equal permissions;
//       protect -> mprotect over each va-contiguous run of present entries;
//       unmap   -> mmap(PROT_NONE anonymous, MAP_FIXED) over the span of the removed entries, so
//                  the reservation is never given up.
//   A fault on the reservation (SIGSEGV) enters the VM core's fault path through the aspace's
//   fault handler (host_fault.c).
//
// Invariant (arch_host_debug_check_host_state): outside a call, under the arch lock, the host's
// mappings of [base, base + size) equal the shadow: a present shadow entry (va -> pa, flags) is a
// MAP_SHARED mapping of the memory file at offset pa - PMM_PADDR_BASE with PROT_READ, PROT_WRITE
// iff WRITE, PROT_EXEC iff EXECUTE; every absent entry is the PROT_NONE reservation. (The cache
// policy has no host equivalent and is kept in the shadow only.)
//
// Host failure. mmap and mprotect of a memory file can fail with ENOMEM when the process reaches
// vm.max_map_count (65530 by default; scattered single pages cost one host mapping each). The
// mirror then never leaves host and shadow disagreeing: it drops the translations of the affected
// range from both (absent entries are always safe: the next access faults them back in) and the
// operation reports ZX_ERR_NO_MEMORY (map) or succeeds (protect: the pages are simply absent now).
// A failed map therefore may have removed entries that existed before it (ARCH_EXISTING_ENTRY_SKIP
// and _UPGRADE), a documented deviation from "a failed map changes nothing". Restoring the
// reservation itself can only fail if the host cannot split a mapping; that is fatal (panic).
//
// Accessed bits. The host never says which page a load or store touched, so they are emulated by
// trapping, as a kernel does on hardware without them: every entry the host can reach counts as
// accessed (a map or protect marks its entries accessed in the shadow); a harvest reports the
// accessed entries, clears their bits and turns their host mappings PROT_NONE (the same memory
// file offset: "trapped"); the next host access to a trapped page faults, and the signal handler
// gives the mapping its permissions back and sets the bit again (arch_host_fault_untrap), without
// entering the VM core. So the invariant above holds with one relaxation: a present shadow entry
// may be trapped, a PROT_NONE mapping of its own file offset. (An entry whose bit the simulated CPU
// set while it was trapped stays trapped until its next host access: harmless.) A harvest whose
// mprotect the host refuses leaves the rest of the range untrapped and marked accessed
// (conservative: those pages look in use). free_unaccessed frees nothing: page-table-level
// accessed bits are not emulated.
//
// Only this directory and src/base/platform_*.c include OS headers.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "arch/host/host_priv.h"
#include "base/platform.h"

#ifdef __linux__

// ---- the shadow, read-only ----------------------------------------------------------------------

// The last-level table covering |va|, or NULL when a table on the way is absent. |*next| = the
// first address after the span that the returned table (or the absent entry) covers; 0 on wrap.
static pte_t* shadow_pt(struct soft_aspace* sa, vaddr_t va, vaddr_t* next) {
  pte_t* table = sa->root;
  for (int level = SOFT_TOP_LEVEL; level > 0; level--) {
    pte_t e = table[soft_index(va, level)];
    if (!(e & PTE_P)) {
      *next = (va | (((vaddr_t)1 << soft_entry_shift(level)) - 1)) + 1;
      return NULL;
    }
    table = soft_table_of(e);
  }
  *next = (va | (((vaddr_t)1 << soft_entry_shift(1)) - 1)) + 1;
  return table;
}

// A run of present shadow entries.
struct host_run {
  vaddr_t va;
  paddr_t pa;
  size_t count;
  pte_t perm;  // PTE_W | PTE_NX bits of the run
};

// Per-leaf filter of host_for_each_run: whether the present entry |e| at |va| belongs to a run.
typedef bool (*host_leaf_filter)(void* ctx, vaddr_t va, pte_t e);
// Run callback; returns false to stop the walk.
typedef bool (*host_run_fn)(struct host_aspace* ha, const struct host_run* run, void* ctx);

struct host_walk {
  host_leaf_filter filter;  // NULL: every present entry
  host_run_fn fn;
  void* ctx;
  bool pa_contiguous;  // runs must also be contiguous in pa with equal permissions
};

// Calls |w->fn| for each maximal run of (filtered) present entries in [va, last], ascending.
// Returns false if |w->fn| stopped the walk.
static bool host_for_each_run(struct host_aspace* ha, vaddr_t va, vaddr_t last,
                              const struct host_walk* w) {
  struct host_run run = {0, 0, 0, 0};
  for (;;) {
    vaddr_t next;
    pte_t* pt = shadow_pt(&ha->shadow, va, &next);
    vaddr_t span_last = (next == 0 || next - 1 > last) ? last : next - 1;
    for (; pt != NULL; va += PAGE_SIZE) {
      pte_t e = pt[soft_index(va, 0)];
      bool take = (e & PTE_P) && (w->filter == NULL || w->filter(w->ctx, va, e));
      paddr_t pa = (paddr_t)(e & PTE_ADDR_MASK);
      pte_t perm = e & (PTE_W | PTE_NX);
      bool extends =
          take && run.count != 0 && run.va + run.count * PAGE_SIZE == va &&
          (!w->pa_contiguous || (run.pa + run.count * PAGE_SIZE == pa && run.perm == perm));
      if (run.count != 0 && !extends) {
        if (!w->fn(ha, &run, w->ctx)) return false;
        run.count = 0;
      }
      if (take) {
        if (run.count == 0) run = (struct host_run){va, pa, 0, perm};
        run.count++;
      }
      if (va + (PAGE_SIZE - 1) == span_last) break;
    }
    if (span_last == last) break;
    va = span_last + 1;
  }
  return run.count == 0 || w->fn(ha, &run, w->ctx);
}

// ---- host calls ---------------------------------------------------------------------------------

static int host_prot(pte_t perm) {
  int prot = PROT_READ;
  if (perm & PTE_W) prot |= PROT_WRITE;
  if (!(perm & PTE_NX)) prot |= PROT_EXEC;
  return prot;
}

uint64_t host_mirror_generation;

// ThreadSanitizer models mmap() as a write to the whole range. A page mapped by one thread's fault
// and then used by another thread without faulting is ordered by the host's page tables, which
// TSan cannot see, so every such first use would be reported as a race with the mmap. Under TSan
// the mirror therefore calls the system call directly, bypassing the interceptor (the range's
// shadow state is then not reset; accesses through the physmap and through user addresses were
// never related by TSan anyway: they are different addresses).
static void* host_mmap(void* va, size_t len, int prot, int flags, int fd, off_t off) {
#ifdef ZXVM_TSAN
  return (void*)syscall(SYS_mmap, va, len, prot, flags, fd, off);
#else
  return mmap(va, len, prot, flags, fd, off);
#endif
}

static void host_call(struct host_aspace* ha) {
  ha->host_calls++;
  __atomic_add_fetch(&host_mirror_generation, 1, __ATOMIC_RELAXED);
}

static bool host_map_run(struct host_aspace* ha, const struct host_run* run) {
  host_call(ha);
  void* want = (void*)run->va;
  void* got = host_mmap(want, run->count * PAGE_SIZE, host_prot(run->perm), MAP_SHARED | MAP_FIXED,
                        ha->fd, (off_t)(run->pa - PMM_PADDR_BASE));
  if (got == want) return true;
  ha->host_failures++;
  return false;
}

// Puts the PROT_NONE reservation back over [va, va + len). Fatal on failure (see the top).
static void host_reserve(struct host_aspace* ha, vaddr_t va, size_t len) {
  host_call(ha);
  void* want = (void*)va;
  void* got = host_mmap(want, len, PROT_NONE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
  ZX_ASSERT_MSG(got == want,
                "host aspace: cannot restore the reservation at %#lx (+%#zx): errno %d",
                (unsigned long)va, len, errno);
}

// Drops [va, va + count pages) from both shadow and host: the way out of a refused mirror call.
static void host_drop_range(struct host_aspace* ha, vaddr_t va, size_t count) {
  struct arch_aspace* a = &ha->shadow.common;
  (void)arch_soft_ops.unmap_locked(a, va, count, ARCH_UNMAP_OPTION_NONE);
  host_reserve(ha, va, count * PAGE_SIZE);
}

// ---- map ----------------------------------------------------------------------------------------

struct map_ctx {
  vaddr_t va0;
  const paddr_t* pages;
  paddr_t contig_pa;
};

// A page is mirrored when the shadow now holds the page the caller asked for: always true for
// ERROR and UPGRADE, and false only for SKIP entries that kept a different, already mirrored page.
static bool map_filter(void* ctx, vaddr_t va, pte_t e) {
  struct map_ctx* m = ctx;
  size_t n = (size_t)((va - m->va0) >> PAGE_SIZE_SHIFT);
  paddr_t want = m->pages ? m->pages[n] : m->contig_pa + ((paddr_t)n << PAGE_SIZE_SHIFT);
  return (paddr_t)(e & PTE_ADDR_MASK) == want;
}

static bool map_run(struct host_aspace* ha, const struct host_run* run, void* ctx) {
  return host_map_run(ha, run);
}

static zx_status_t host_map_locked(struct arch_aspace* a, vaddr_t va, const paddr_t* pages,
                                   paddr_t contig_pa, size_t count, arch_mmu_flags_t flags,
                                   enum arch_existing_entry_action action) {
  zx_status_t status = arch_soft_ops.map_locked(a, va, pages, contig_pa, count, flags, action);
  if (status != ZX_OK) return status;
  struct host_aspace* ha = host_from_common(a);
  struct map_ctx m = {va, pages, contig_pa};
  struct host_walk w = {.filter = map_filter, .fn = map_run, .ctx = &m, .pa_contiguous = true};
  vaddr_t last = va + ((count << PAGE_SIZE_SHIFT) - 1);
  if (host_for_each_run(ha, va, last, &w)) {
    arch_soft_ops.mark_accessed_locked(a, va, count);  // the host may touch them from now on
    return ZX_OK;
  }
  host_drop_range(ha, va, count);
  return ZX_ERR_NO_MEMORY;
}

// ---- unmap, protect -----------------------------------------------------------------------------

struct span {
  vaddr_t first;
  vaddr_t last;
  bool any;
};

static bool span_run(struct host_aspace* ha, const struct host_run* run, void* ctx) {
  struct span* s = ctx;
  if (!s->any) s->first = run->va;
  s->last = run->va + (run->count * PAGE_SIZE - 1);
  s->any = true;
  return true;
}

static size_t host_unmap_locked(struct arch_aspace* a, vaddr_t va, size_t count, uint32_t options) {
  struct host_aspace* ha = host_from_common(a);
  vaddr_t last = va + ((count << PAGE_SIZE_SHIFT) - 1);
  struct span s = {0, 0, false};
  struct host_walk w = {.fn = span_run, .ctx = &s};
  (void)host_for_each_run(ha, va, last, &w);
  if (!s.any) return 0;
  size_t n = arch_soft_ops.unmap_locked(a, va, count, options);
  host_reserve(ha, s.first, s.last - s.first + 1);
  return n;
}

static bool protect_run(struct host_aspace* ha, const struct host_run* run, void* ctx) {
  host_call(ha);
  if (mprotect((void*)run->va, run->count * PAGE_SIZE, host_prot(run->perm)) == 0) return true;
  ha->host_failures++;
  return false;  // the shadow must not change under the walk: the caller drops the range
}

static zx_status_t host_protect_locked(struct arch_aspace* a, vaddr_t va, size_t count,
                                       arch_mmu_flags_t flags) {
  zx_status_t status = arch_soft_ops.protect_locked(a, va, count, flags);
  if (status != ZX_OK) return status;
  // After the soft protect every present entry of the range has the new permissions, so runs
  // need only be contiguous in va.
  struct host_walk w = {.fn = protect_run};
  struct host_aspace* ha = host_from_common(a);
  if (!host_for_each_run(ha, va, va + ((count << PAGE_SIZE_SHIFT) - 1), &w)) {
    host_drop_range(ha, va, count);  // absent is always safe: the pages fault back in
  }
  arch_soft_ops.mark_accessed_locked(a, va, count);  // untrapped by the mprotect
  return ZX_OK;
}

// ---- accessed bits, queries, checks ------------------------------------------------------------

static bool accessed_filter(void* ctx, vaddr_t va, pte_t e) { return (e & PTE_A) != 0; }

static bool trap_run(struct host_aspace* ha, const struct host_run* run, void* ctx) {
  host_call(ha);
  if (mprotect((void*)run->va, run->count * PAGE_SIZE, PROT_NONE) == 0) return true;
  ha->host_failures++;
  *(vaddr_t*)ctx = run->va;
  return false;
}

static void host_harvest_locked(struct arch_aspace* a, vaddr_t va, size_t count,
                                arch_accessed_fn fn, void* ctx) {
  struct host_aspace* ha = host_from_common(a);
  vaddr_t last = va + ((count << PAGE_SIZE_SHIFT) - 1);
  // Trap every accessed entry first (the shadow must not change under the walk), then let the
  // soft harvest report and clear the bits.
  vaddr_t refused_at = 0;
  struct host_walk w = {.filter = accessed_filter, .fn = trap_run, .ctx = &refused_at};
  bool all_trapped = host_for_each_run(ha, va, last, &w);
  arch_soft_ops.harvest_locked(a, va, count, fn, ctx);
  if (!all_trapped) {
    arch_soft_ops.mark_accessed_locked(a, refused_at, ((last - refused_at) >> PAGE_SIZE_SHIFT) + 1);
  }
}

bool arch_host_fault_untrap(struct arch_aspace* a, vaddr_t va, uint32_t pf_flags) {
  struct host_aspace* ha = host_from_common(a);
  va = ROUNDDOWN_PAGE(va);
  bool done = false;
  mutex_lock(&a->lock);
  vaddr_t next;
  pte_t* pt = shadow_pt(&ha->shadow, va, &next);
  pte_t e = pt ? pt[soft_index(va, 0)] : 0;
  bool allowed = (e & PTE_P) && (!(pf_flags & VMM_PF_FLAG_WRITE) || (e & PTE_W)) &&
                 (!(pf_flags & VMM_PF_FLAG_INSTRUCTION) || !(e & PTE_NX));
  if (allowed) {
    host_call(ha);
    if (mprotect((void*)va, PAGE_SIZE, host_prot(e & (PTE_W | PTE_NX))) == 0) {
      arch_soft_ops.mark_accessed_locked(a, va, 1);
      done = true;
    } else {
      ha->host_failures++;  // the VM core's fault path maps it again instead
    }
  }
  mutex_unlock(&a->lock);
  return done;
}

static size_t host_free_unaccessed_locked(struct arch_aspace* a, vaddr_t va, size_t count) {
  return 0;  // nothing is known to be unaccessed (see the top)
}

static void host_check_locked(struct arch_aspace* a) {
  arch_soft_ops.check_locked(a);
  struct host_aspace* ha = host_from_common(a);
  ZX_ASSERT_MSG(ha->fd == pmm_arena_fd(), "host aspace: memory file %d, pmm's is %d", ha->fd,
                pmm_arena_fd());
}

// ---- life cycle ---------------------------------------------------------------------------------

static zx_status_t host_create(vaddr_t base, size_t size, uint32_t flags,
                               struct arch_aspace** out) {
  int fd = pmm_arena_fd();
  if (fd < 0) return ZX_ERR_NOT_SUPPORTED;
  zx_status_t status = host_fault_install();
  if (status != ZX_OK) return status;
  struct host_aspace* ha = heap_calloc(1, sizeof(*ha));
  if (ha == NULL) return ZX_ERR_NO_MEMORY;
  int mflags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
  if (base != 0) mflags |= MAP_FIXED_NOREPLACE;
  void* p = mmap((void*)base, size, PROT_NONE, mflags, -1, 0);
  if (p == MAP_FAILED || (base != 0 && (vaddr_t)p != base)) {
    if (p != MAP_FAILED)
      munmap(p, size);  // a kernel without MAP_FIXED_NOREPLACE placed it elsewhere
    status = (base != 0 && (p != MAP_FAILED || errno == EEXIST)) ? ZX_ERR_NO_RESOURCES
                                                                 : ZX_ERR_NO_MEMORY;
    goto out_free;
  }
  vaddr_t va = (vaddr_t)p;
  status = arch_soft_aspace_init(&ha->shadow);
  if (status != ZX_OK) goto out_unmap;
  status = host_registry_add(&ha->shadow.common, va, va + (size - 1), &ha->slot);
  if (status != ZX_OK) goto out_fini;
  ha->fd = fd;
  ha->shadow.common.base = va;
  *out = &ha->shadow.common;
  return ZX_OK;

out_fini:
  // The common part is not filled in yet: give fini the range it walks.
  ha->shadow.common.base = va;
  ha->shadow.common.last = va + (size - 1);
  arch_soft_aspace_fini(&ha->shadow);
out_unmap:
  munmap(p, size);
out_free:
  heap_free(ha);
  return status;
}

static void host_destroy(struct arch_aspace* a) {
  struct host_aspace* ha = host_from_common(a);
  // First no signal handler may enter this aspace any more; then the mappings go.
  host_registry_remove(ha->slot);
  arch_soft_aspace_fini(&ha->shadow);
  munmap((void*)a->base, a->size);
  heap_free(ha);
}

static const struct arch_aspace_ops arch_host_ops = {
    .name = "host",
    .soft_layout = true,
    .create = host_create,
    .destroy = host_destroy,
    .map_locked = host_map_locked,
    .unmap_locked = host_unmap_locked,
    .protect_locked = host_protect_locked,
    .query_locked = NULL,  // filled from the soft ops in arch_host_backend_register
    .harvest_locked = host_harvest_locked,
    .mark_accessed_locked = NULL,  // soft
    .free_unaccessed_locked = host_free_unaccessed_locked,
    .enumerate_locked = NULL,  // soft
    .check_locked = host_check_locked,
};

// The ops actually registered: arch_host_ops with the soft backend's query, mark_accessed and
// enumerate (arch_soft_ops is not a constant expression, so they are copied in at registration).
static struct arch_aspace_ops registered_ops;

zx_status_t arch_host_backend_register(void) {
  // 0: not yet; 1: a thread is registering; 2: done.
  static int state;
  int expected = 0;
  if (__atomic_compare_exchange_n(&state, &expected, 1, false, __ATOMIC_ACQUIRE,
                                  __ATOMIC_ACQUIRE)) {
    registered_ops = arch_host_ops;
    registered_ops.query_locked = arch_soft_ops.query_locked;
    registered_ops.mark_accessed_locked = arch_soft_ops.mark_accessed_locked;
    registered_ops.enumerate_locked = arch_soft_ops.enumerate_locked;
    zx_status_t status = arch_aspace_register_backend(ARCH_BACKEND_HOST, &registered_ops);
    ZX_ASSERT_MSG(status == ZX_OK, "host backend registered by someone else (%d)", status);
    __atomic_store_n(&state, 2, __ATOMIC_RELEASE);
    return ZX_OK;
  }
  while (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != 2) platform_yield();
  return ZX_OK;
}

// ---- debug --------------------------------------------------------------------------------------

void arch_host_get_counts(struct arch_aspace* aspace, struct arch_host_counts* out) {
  ZX_ASSERT(aspace->ops == &registered_ops);
  struct host_aspace* ha = host_from_common(aspace);
  mutex_lock(&aspace->lock);
  out->host_calls = ha->host_calls;
  out->host_failures = ha->host_failures;
  mutex_unlock(&aspace->lock);
}

// One line of /proc/self/maps, clipped to the aspace.
struct maps_line {
  vaddr_t start, end;  // [start, end)
  char perms[5];
  uint64_t offset;
  bool memfd;  // a mapping of the pmm's memory file
};

// Checks the pages of |l| against the shadow; prints the first disagreement.
static bool check_maps_line(struct host_aspace* ha, const struct maps_line* l) {
  for (vaddr_t va = l->start; va < l->end; va += PAGE_SIZE) {
    vaddr_t next;
    pte_t* pt = shadow_pt(&ha->shadow, va, &next);
    pte_t e = pt ? pt[soft_index(va, 0)] : 0;
    if (!(e & PTE_P)) {
      if (!l->memfd && strcmp(l->perms, "---p") == 0) continue;
      platform_printf("host check: %#lx absent in the shadow, host has %s %s\n", (unsigned long)va,
                      l->perms, l->memfd ? "memfd" : "anon");
      return false;
    }
    char want[5] = {'r', (e & PTE_W) ? 'w' : '-', (e & PTE_NX) ? '-' : 'x', 's', '\0'};
    uint64_t off = l->offset + (va - l->start);
    paddr_t pa = (paddr_t)(e & PTE_ADDR_MASK);
    bool trapped = strcmp(l->perms, "---s") == 0;  // after a harvest (see the top)
    if (!l->memfd || (strcmp(l->perms, want) != 0 && !trapped) || off != pa - PMM_PADDR_BASE) {
      platform_printf("host check: %#lx -> pa %#lx %s in the shadow, host has %s %s offset %#lx\n",
                      (unsigned long)va, (unsigned long)pa, want, l->perms,
                      l->memfd ? "memfd" : "anon", (unsigned long)off);
      return false;
    }
  }
  return true;
}

static bool parse_maps_line(const char* text, vaddr_t base, vaddr_t end, struct maps_line* l) {
  unsigned long start, stop, offset;
  char perms[8];
  int path_at = 0;
  if (sscanf(text, "%lx-%lx %7s %lx %*s %*s %n", &start, &stop, perms, &offset, &path_at) < 4) {
    return false;
  }
  if (stop <= base || start >= end) return false;
  l->start = start < base ? base : start;
  l->end = stop > end ? end : stop;
  memcpy(l->perms, perms, 4);
  l->perms[4] = '\0';
  l->offset = offset + (l->start - start);
  l->memfd = path_at > 0 && strstr(text + path_at, "memfd:zxvm-phys") != NULL;
  return true;
}

bool arch_host_debug_check_host_state(struct arch_aspace* aspace) {
  ZX_ASSERT(aspace->ops == &registered_ops);
  struct host_aspace* ha = host_from_common(aspace);
  FILE* f = fopen("/proc/self/maps", "r");
  if (f == NULL) return false;
  vaddr_t base = aspace->base, end = aspace->base + aspace->size;
  vaddr_t covered = base;  // the lines must tile [base, end) without holes
  bool ok = true;
  char* line = NULL;
  size_t cap = 0;
  mutex_lock(&aspace->lock);
  while (ok && getline(&line, &cap, f) > 0) {
    struct maps_line l;
    if (!parse_maps_line(line, base, end, &l)) continue;
    if (l.start != covered) {
      platform_printf("host check: hole in the reservation at %#lx\n", (unsigned long)covered);
      ok = false;
      break;
    }
    ok = check_maps_line(ha, &l);
    covered = l.end;
  }
  mutex_unlock(&aspace->lock);
  if (ok && covered != end) {
    platform_printf("host check: reservation ends at %#lx, aspace at %#lx\n",
                    (unsigned long)covered, (unsigned long)end);
    ok = false;
  }
  free(line);
  fclose(f);
  return ok;
}

#else  // !__linux__

zx_status_t arch_host_backend_register(void) { return ZX_ERR_NOT_SUPPORTED; }

void arch_host_get_counts(struct arch_aspace* aspace, struct arch_host_counts* out) {
  ZX_PANIC("no host backend in this build");
}

bool arch_host_debug_check_host_state(struct arch_aspace* aspace) { return false; }

#endif  // __linux__
