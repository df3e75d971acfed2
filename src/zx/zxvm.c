// The library's own API (include/zxvm/zxvm.h) and its global state: the once-init (explicit
// through zxvm_init or implicit from the environment on the first zx_ call), the self process,
// its root VMAR and the default job with their handles, simulated user accesses, dump, checker
// and statistics.
//
// Main invariant: once |kernel.state| is KERNEL_READY, the pmm is initialized, the self process,
// its root VMAR and the default job exist and the kernel holds one reference to each; the fields
// below never change again.
#include <zxvm/zxvm.h>

#include "pmm/pmm.h"
#include "vm/page_source.h"
#include "vm/vm_cow_pages.h"
#include "zx/zx_priv.h"

enum { KERNEL_UNINIT = 0, KERNEL_INITIALIZING = 1, KERNEL_READY = 2 };

#define KERNEL_DEFAULT_ASLR_BITS 30u

static struct {
  _Atomic int state;
  struct vm_aspace_config aspace_config;  // (c) once ready
  struct process_dispatcher* self;        // (c)
  struct job_dispatcher* job;             // (c)
  zx_handle_t self_handle;                // (c)
  zx_handle_t root_vmar_handle;           // (c)
  zx_handle_t job_handle;                 // (c)
} kernel;

// Parses a decimal or 0x-hex number; false if |s| is not one.
static bool parse_u64(const char* s, uint64_t* out) {
  if (s == NULL || *s == '\0') return false;
  unsigned base = 10;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
  }
  uint64_t v = 0;
  for (; *s; s++) {
    unsigned d;
    if (*s >= '0' && *s <= '9') {
      d = (unsigned)(*s - '0');
    } else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f') {
      d = (unsigned)((*s | 0x20) - 'a' + 10);
    } else {
      return false;
    }
    if (__builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, d, &v)) return false;
  }
  *out = v;
  return true;
}

static bool str_equal(const char* a, const char* b) {
  while (*a && *a == *b) {
    a++;
    b++;
  }
  return *a == *b;
}

// The configuration the environment asks for. ZXVM_BACKEND=soft picks the soft MMU; anything
// else keeps the default (host where built, else soft): only zxvm_init makes a hard host request.
static void config_from_env(zxvm_config_t* c) {
  *c = (zxvm_config_t){.backend = ZXVM_BACKEND_DEFAULT,
                       .aslr_entropy_bits = KERNEL_DEFAULT_ASLR_BITS};
  const char* backend = platform_getenv("ZXVM_BACKEND");
  if (backend != NULL && str_equal(backend, "soft")) c->backend = ZXVM_BACKEND_SOFT;
  uint64_t v;
  if (parse_u64(platform_getenv("ZXVM_PHYS_MB"), &v) && v > 0 && v < ((uint64_t)1 << 44)) {
    c->phys_mem_bytes = v << 20;
  }
  if (parse_u64(platform_getenv("ZXVM_ASLR_BITS"), &v) && v <= VM_ASPACE_MAX_ASLR_ENTROPY_BITS) {
    c->aslr_entropy_bits = (uint32_t)v;
  }
  if (parse_u64(platform_getenv("ZXVM_ASLR_SEED"), &v)) c->aslr_seed = v;
}

static void kernel_teardown_partial(void) {
  struct dispatcher* d;
  zx_handle_t handles[] = {kernel.self_handle, kernel.root_vmar_handle, kernel.job_handle};
  for (size_t i = 0; i < countof(handles); i++) {
    if (handles[i] != ZX_HANDLE_INVALID && handle_table_remove(handles[i], &d) == ZX_OK) {
      dispatcher_release(d);
    }
  }
  if (kernel.self != NULL) dispatcher_release(&kernel.self->base);
  if (kernel.job != NULL) dispatcher_release(&kernel.job->base);
  kernel.self = NULL;
  kernel.job = NULL;
  kernel.self_handle = kernel.root_vmar_handle = kernel.job_handle = ZX_HANDLE_INVALID;
}

// Creates the self process for |c| (the default backend falls back to soft).
static zx_status_t kernel_create_self(const zxvm_config_t* c) {
  struct vm_aspace_config* ac = &kernel.aspace_config;
  *ac = (struct vm_aspace_config){
      .backend = c->backend == ZXVM_BACKEND_SOFT ? ARCH_BACKEND_SOFT : ARCH_BACKEND_HOST,
      .aslr_enabled = c->aslr_entropy_bits > 0,
      .aslr_entropy_bits = c->aslr_entropy_bits,
      .aslr_compact_entropy_bits = 0,
      .aslr_seed = c->aslr_seed,
  };
  zx_status_t status = process_dispatcher_create(ac, "zxvm-self", ZX_MAX_NAME_LEN,
                                                 kernel.job->base.koid, &kernel.self);
  if (status == ZX_ERR_NOT_SUPPORTED && c->backend == ZXVM_BACKEND_DEFAULT) {
    ac->backend = ARCH_BACKEND_SOFT;
    status = process_dispatcher_create(ac, "zxvm-self", ZX_MAX_NAME_LEN, kernel.job->base.koid,
                                       &kernel.self);
  }
  return status;
}

static zx_status_t kernel_init_locked(const zxvm_config_t* c) {
  if (c->backend > ZXVM_BACKEND_HOST || c->aslr_entropy_bits > VM_ASPACE_MAX_ASLR_ENTROPY_BITS) {
    return ZX_ERR_INVALID_ARGS;
  }
  zx_status_t status = ZX_OK;
  // The host backend (registered where built) needs the pmm's shared arena, a memory file; the
  // soft backend works on either arena, so only an explicit soft request gets a private one. No
  // memory file on this host: the default backend falls back to soft (kernel_create_self).
  bool want_host = c->backend != ZXVM_BACKEND_SOFT && arch_host_backend_register() == ZX_OK;
  if (!pmm_initialized()) {
    status =
        pmm_init_ex((size_t)c->phys_mem_bytes, want_host ? PMM_ARENA_SHARED : PMM_ARENA_PRIVATE);
    if (status == ZX_ERR_NOT_SUPPORTED && c->backend == ZXVM_BACKEND_DEFAULT) {
      status = pmm_init((size_t)c->phys_mem_bytes);
    }
    if (status != ZX_OK) return status;
  }
  status = job_dispatcher_create(&kernel.job);
  if (status != ZX_OK) goto fail;
  status = handle_table_add(&kernel.job->base, ZX_DEFAULT_JOB_RIGHTS, &kernel.job_handle);
  if (status != ZX_OK) goto fail;
  status = kernel_create_self(c);
  if (status != ZX_OK) goto fail;
  status = handle_table_add(&kernel.self->base, ZX_DEFAULT_PROCESS_RIGHTS, &kernel.self_handle);
  if (status != ZX_OK) goto fail;
  status =
      handle_table_add(&kernel.self->root_vmar->base,
                       ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE,
                       &kernel.root_vmar_handle);
  if (status != ZX_OK) goto fail;
  return ZX_OK;

fail:
  kernel_teardown_partial();
  return status;
}

// Runs the initialization once; concurrent callers wait for the winner. A failed attempt leaves
// the library uninitialized, so a later call may try again.
static zx_status_t kernel_init(const zxvm_config_t* c, bool explicit_call) {
  for (;;) {
    int expected = KERNEL_UNINIT;
    if (atomic_compare_exchange_strong(&kernel.state, &expected, KERNEL_INITIALIZING)) {
      zx_status_t status = kernel_init_locked(c);
      atomic_store_explicit(&kernel.state, status == ZX_OK ? KERNEL_READY : KERNEL_UNINIT,
                            memory_order_release);
      return status;
    }
    if (expected == KERNEL_READY) return explicit_call ? ZX_ERR_BAD_STATE : ZX_OK;
    platform_yield();
  }
}

zx_status_t kernel_ensure_init(void) {
  if (likely(atomic_load_explicit(&kernel.state, memory_order_acquire) == KERNEL_READY)) {
    return ZX_OK;
  }
  zxvm_config_t c;
  config_from_env(&c);
  return kernel_init(&c, false);
}

ZXVM_EXPORT zx_status_t zxvm_init(const zxvm_config_t* config) {
  zxvm_config_t c;
  if (config == NULL) {
    config_from_env(&c);
  } else {
    c = *config;
    if (c.phys_mem_bytes == 0) {
      zxvm_config_t env;
      config_from_env(&env);
      c.phys_mem_bytes = env.phys_mem_bytes;
    }
  }
  return kernel_init(&c, true);
}

const struct vm_aspace_config* kernel_aspace_config(void) { return &kernel.aspace_config; }

struct process_dispatcher* kernel_self_process(void) {
  if (atomic_load_explicit(&kernel.state, memory_order_acquire) != KERNEL_READY) return NULL;
  return kernel.self;
}

// ---- process-wide handles (zircon/process.h) --------------------------------------------------

ZXVM_EXPORT zx_handle_t zx_process_self(void) {
  return kernel_ensure_init() == ZX_OK ? kernel.self_handle : ZX_HANDLE_INVALID;
}

ZXVM_EXPORT zx_handle_t zx_vmar_root_self(void) {
  return kernel_ensure_init() == ZX_OK ? kernel.root_vmar_handle : ZX_HANDLE_INVALID;
}

ZXVM_EXPORT zx_handle_t zx_job_default(void) {
  return kernel_ensure_init() == ZX_OK ? kernel.job_handle : ZX_HANDLE_INVALID;
}

// ---- validation -------------------------------------------------------------------------------

void kernel_validate_aspace(struct vm_aspace* aspace) { VM_VALIDATE(vm_aspace_check, aspace); }

#define KERNEL_SNAPSHOT_MAX 256u

void kernel_validate_all(void) {
  if (!ZXVM_TESTING_ENABLED) return;
  struct process_dispatcher* procs[KERNEL_SNAPSHOT_MAX];
  size_t n;
  process_registry_snapshot(procs, countof(procs), &n);
  for (size_t i = 0; i < n; i++) {
    vm_aspace_check(procs[i]->aspace);
    dispatcher_release(&procs[i]->base);
  }
}

// ---- user access, dump, check -----------------------------------------------------------------

static zx_status_t lookup_process(zx_handle_t handle, struct process_dispatcher** out) {
  struct dispatcher* d;
  zx_status_t status = dispatcher_lookup(handle, ZX_OBJ_TYPE_PROCESS, 0, &d, NULL);
  if (status != ZX_OK) return status;
  *out = process_dispatcher_from(d);
  return ZX_OK;
}

static zx_status_t user_access(zx_handle_t process, zx_vaddr_t va, void* buffer, size_t len,
                               uint32_t access) {
  struct process_dispatcher* p;
  zx_status_t status = lookup_process(process, &p);
  if (status != ZX_OK) return status;
  if (buffer == NULL && len > 0) {
    status = ZX_ERR_INVALID_ARGS;
  } else if (len > 0) {
    status = vm_aspace_user_access(p->aspace, va, buffer, len, access | ARCH_ACCESS_USER);
    kernel_validate_aspace(p->aspace);
  }
  dispatcher_release(&p->base);
  return status;
}

ZXVM_EXPORT zx_status_t zxvm_user_read(zx_handle_t process, zx_vaddr_t va, void* buffer,
                                       size_t len) {
  return user_access(process, va, buffer, len, ARCH_ACCESS_READ);
}

ZXVM_EXPORT zx_status_t zxvm_user_write(zx_handle_t process, zx_vaddr_t va, const void* buffer,
                                        size_t len) {
  // The access only reads |buffer|; the VM's interface is shared with reads.
  return user_access(process, va, (void*)buffer, len, ARCH_ACCESS_WRITE);
}

ZXVM_EXPORT zx_status_t zxvm_user_fetch(zx_handle_t process, zx_vaddr_t va) {
  uint8_t byte;
  return user_access(process, va, &byte, 1, ARCH_ACCESS_EXECUTE);
}

static void file_printer_write(void* ctx, const char* text, size_t len) {
  platform_file_write(ctx, text, len);
}

ZXVM_EXPORT zx_status_t zxvm_dump(zx_handle_t process, FILE* out) {
  if (out == NULL) return ZX_ERR_INVALID_ARGS;
  struct process_dispatcher* p;
  zx_status_t status = lookup_process(process, &p);
  if (status != ZX_OK) return status;
  struct printer printer = {.write = file_printer_write, .ctx = out};
  vm_aspace_dump(p->aspace, true, &printer);
  dispatcher_release(&p->base);
  return ZX_OK;
}

ZXVM_EXPORT zx_status_t zxvm_check(zx_handle_t process) {
  struct process_dispatcher* p;
  zx_status_t status = lookup_process(process, &p);
  if (status != ZX_OK) return status;
  vm_aspace_check(p->aspace);
  handle_table_check();
  pmm_check();
  dispatcher_release(&p->base);
  return ZX_OK;
}

// ---- statistics -------------------------------------------------------------------------------

static void stats_add_process(zxvm_stats_t* s, struct process_dispatcher* p) {
  struct vm_aspace_counts c;
  vm_aspace_get_counts(p->aspace, &c);
  s->faults += c.faults;
  s->faults_not_found += c.faults_not_found;
  s->faults_access_denied += c.faults_denied;
  s->faults_out_of_range += c.faults_out_of_range;
  s->faults_retried += c.faults_retried;
  s->fault_pages_mapped += c.fault_pages_mapped;
  s->pages_mapped += c.present_entries;
}

ZXVM_EXPORT zx_status_t zxvm_get_stats(zxvm_stats_t* stats) {
  if (stats == NULL) return ZX_ERR_INVALID_ARGS;
  zx_status_t status = kernel_ensure_init();
  if (status != ZX_OK) return status;
  zxvm_stats_t s = {0};
  struct pmm_counts pc;
  pmm_get_counts(&pc);
  s.pmm_total_pages = pc.total_pages;
  s.pmm_free_pages = pc.free_pages;
  s.pmm_object_pages = pc.by_state[VM_PAGE_STATE_OBJECT];
  s.pmm_mmu_pages = pc.by_state[VM_PAGE_STATE_MMU];
  s.pmm_wired_pages = pc.by_state[VM_PAGE_STATE_WIRED];
  struct process_dispatcher* procs[KERNEL_SNAPSHOT_MAX];
  size_t n;
  process_registry_snapshot(procs, countof(procs), &n);
  for (size_t i = 0; i < n; i++) {
    stats_add_process(&s, procs[i]);
    dispatcher_release(&procs[i]->base);
  }
  s.cow_copies = vm_cow_pages_copy_count();
  s.pager_requests = page_source_requests_sent();
  s.processes = process_registry_count();
  s.handles = handle_table_count();
  *stats = s;
  return ZX_OK;
}
