// The host backend's fault entry: a SIGSEGV handler that turns a hardware fault on a host aspace's
// reservation into a call of the aspace's fault handler (the VM core's vm_aspace_page_fault), and
// the lock-free registry of live host aspaces it searches.
//
// Installation. At each host aspace creation, unless already on top (so a program or test harness
// that saved and restored SIGSEGV around zxvm gets it back): sigaction(SIGSEGV) and
// sigaction(SIGBUS) with SA_SIGINFO | SA_ONSTACK, every signal blocked while the handler runs.
//   - SA_SIGINFO: si_addr and the ucontext (x86-64: the page-fault error code).
//   - SA_ONSTACK: a thread whose stack lives in zxvm memory (a Fuchsia program maps its thread
//     stacks with zx_vmar_map) cannot take the signal on that stack: the frame itself would fault.
//     Such a thread must install a sigaltstack (64 KiB is ample for the fault path); threads
//     without one take the signal on their own stack as usual.
//   - sa_mask = all: no asynchronous signal runs on top of a fault in progress (which holds VM
//     locks); they are delivered when the fault is resolved.
// The previous dispositions are kept: a fault that is not ours, or that the VM core refuses, is
// passed on (below), so the program dies exactly as it would without zxvm, or a handler installed
// before zxvm (a runtime's, a sanitizer's) sees the fault as if it were first.
//
// Decoding (x86-64): uc_mcontext.gregs[REG_ERR] is the hardware error code: bit 1 write, bit 4
// instruction fetch, bit 0 clear = not present. Elsewhere the shadow decides: absent -> read (a
// write then faults again on the read-only page and is seen as one), present read-only -> write,
// present writable -> instruction fetch. Every fault carries VMM_PF_FLAG_USER | HW_FAULT.
//
// Fast path. A page trapped by an accessed-bit harvest (host_aspace.c) whose shadow entry allows
// the access is untrapped under the arch lock alone (arch_host_fault_untrap); the VM core is not
// entered.
//
// Outcome. ZX_OK -> return: the access re-executes and now finds the page mapped. Anything else,
// or an address in no host aspace, or a signal sent by kill(): the previous disposition. A previous
// handler is called with the same arguments; a previous default (or ignore) is restored and the
// handler returns, so the access faults again and the host's default action ends the process with
// the original siginfo (core dump and all). SIGBUS is never resolved (on the host backend it means
// the memory file could not supply a page, which no VM action fixes): it is reported and passed on.
//
// Async-signal-safety. The fault path takes mutexes and may allocate, which POSIX forbids in a
// signal handler in general. It is sound here because the interrupted code is *user* code touching
// zxvm memory, not zxvm: the faulting thread holds no zxvm lock and is not inside the allocator on
// zxvm's behalf, so it can take zxvm locks like any other thread (the same argument as a kernel's
// fault handler running on the faulting thread). The conditions, which zxvm must keep:
//   1. zxvm never touches host-mapped user memory while holding a VM lock. Known violation:
//      vm_object_paged_read/write (zx_vmo_read/write, zx_process_read/write_memory) copy to and
//      from the caller's buffer under the VMO lock (vm_cow_pages_read_locked/_write_locked); a
//      buffer that is itself an unfaulted host mapping faults there and the fault path waits for
//      that same lock (self-deadlock; the debug lock checker panics on the recursion instead).
//   2. An asynchronous signal handler of the program that touches unfaulted zxvm memory must not
//      interrupt zxvm code (same reason). Faults inside our own handler are blocked, so a zxvm bug
//      that faults there kills the process instead of recursing.
//   3. A fault handler must not run after its aspace is freed: host_registry_remove waits for
//      every handler inside the aspace to leave before the aspace goes (below).
//
// Registry. A fixed array of slots {aspace, base, last, users}; the handler scans the slots used
// so far without locks. Entering a slot: users++ (seq_cst), then re-read the slot's aspace and
// range (seq_cst); removal: aspace = NULL (seq_cst), then wait for users == 0. Either the handler
// sees NULL, or removal sees its users count: no handler runs in a removed aspace.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "arch/host/host_priv.h"
#include "base/platform.h"

#ifdef __linux__

// ---- registry -----------------------------------------------------------------------------------

#define HOST_REGISTRY_SLOTS 1024u
// The slot is being filled by host_registry_add.
#define SLOT_CLAIMED ((struct arch_aspace*)(uintptr_t)1)

struct host_slot {
  struct arch_aspace* aspace;  // (a) NULL: free; SLOT_CLAIMED; else a live host aspace
  vaddr_t base;                // (a) written before aspace is published
  vaddr_t last;                // (a)
  uint32_t users;              // (a) signal handlers inside the slot's aspace
};

static struct host_slot slots[HOST_REGISTRY_SLOTS];
static unsigned slots_used;  // (a) slots [0, slots_used) have ever been used

static bool slot_live(const struct arch_aspace* a) { return a != NULL && a != SLOT_CLAIMED; }

bool arch_host_range_overlaps(vaddr_t base, size_t len) {
  if (len == 0) return false;
  vaddr_t last = base + (len - 1) < base ? UINTPTR_MAX : base + (len - 1);
  unsigned used = __atomic_load_n(&slots_used, __ATOMIC_ACQUIRE);
  for (unsigned i = 0; i < used; i++) {
    struct host_slot* s = &slots[i];
    if (!slot_live(__atomic_load_n(&s->aspace, __ATOMIC_ACQUIRE))) continue;
    vaddr_t b = __atomic_load_n(&s->base, __ATOMIC_RELAXED);
    vaddr_t l = __atomic_load_n(&s->last, __ATOMIC_RELAXED);
    if (base <= l && b <= last) return true;
  }
  return false;
}

zx_status_t host_registry_add(struct arch_aspace* a, vaddr_t base, vaddr_t last, unsigned* slot) {
  for (unsigned i = 0; i < HOST_REGISTRY_SLOTS; i++) {
    struct host_slot* s = &slots[i];
    struct arch_aspace* expected = NULL;
    if (!__atomic_compare_exchange_n(&s->aspace, &expected, SLOT_CLAIMED, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_RELAXED)) {
      continue;
    }
    __atomic_store_n(&s->base, base, __ATOMIC_RELAXED);
    __atomic_store_n(&s->last, last, __ATOMIC_RELAXED);
    unsigned used = __atomic_load_n(&slots_used, __ATOMIC_RELAXED);
    while (used < i + 1 && !__atomic_compare_exchange_n(&slots_used, &used, i + 1, true,
                                                        __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
    }
    __atomic_store_n(&s->aspace, a, __ATOMIC_SEQ_CST);
    *slot = i;
    return ZX_OK;
  }
  return ZX_ERR_NO_RESOURCES;
}

void host_registry_remove(unsigned slot) {
  struct host_slot* s = &slots[slot];
  ZX_ASSERT(slot_live(__atomic_load_n(&s->aspace, __ATOMIC_RELAXED)));
  __atomic_store_n(&s->aspace, SLOT_CLAIMED, __ATOMIC_SEQ_CST);
  while (__atomic_load_n(&s->users, __ATOMIC_SEQ_CST) != 0) platform_yield();
  __atomic_store_n(&s->aspace, NULL, __ATOMIC_RELEASE);
}

static bool slot_covers(struct host_slot* s, vaddr_t va, struct arch_aspace* a) {
  return slot_live(a) && va >= __atomic_load_n(&s->base, __ATOMIC_RELAXED) &&
         va <= __atomic_load_n(&s->last, __ATOMIC_RELAXED);
}

// Enters the slot of the host aspace containing |va|: returns the aspace with the slot's users
// count raised (leave with slot_leave), or NULL.
static struct arch_aspace* slot_enter(vaddr_t va, struct host_slot** out) {
  unsigned used = __atomic_load_n(&slots_used, __ATOMIC_ACQUIRE);
  for (unsigned i = 0; i < used; i++) {
    struct host_slot* s = &slots[i];
    if (!slot_covers(s, va, __atomic_load_n(&s->aspace, __ATOMIC_ACQUIRE))) continue;
    __atomic_add_fetch(&s->users, 1, __ATOMIC_SEQ_CST);
    struct arch_aspace* a = __atomic_load_n(&s->aspace, __ATOMIC_SEQ_CST);
    if (slot_covers(s, va, a)) {
      *out = s;
      return a;
    }
    __atomic_sub_fetch(&s->users, 1, __ATOMIC_RELEASE);
  }
  return NULL;
}

static void slot_leave(struct host_slot* s) { __atomic_sub_fetch(&s->users, 1, __ATOMIC_RELEASE); }

// ---- the handler --------------------------------------------------------------------------------

static struct sigaction previous_segv;  // written by host_fault_install before it installs
static struct sigaction previous_bus;   // (c)
static uint64_t faults_resolved;        // (a)
static uint64_t faults_passed;          // (a)

// Resolved faults in a row by this thread at one address: a fault reported resolved that keeps
// faulting is a zxvm bug, which must end in a crash, not a livelock. initial-exec: no allocation
// on first use inside the handler.
#define HOST_MAX_REPEATED_FAULTS 64u
// Counted only while no host mapping changed in between (host_mirror_generation), so a program
// that maps, touches, unmaps the same address in a loop is never mistaken for one.
static _Thread_local __attribute__((tls_model("initial-exec"))) struct {
  vaddr_t va;
  uint64_t generation;
  unsigned count;
} repeated;

static uint32_t decode_pf_flags(struct arch_aspace* a, vaddr_t va, void* uctx) {
  uint32_t pf = VMM_PF_FLAG_HW_FAULT | VMM_PF_FLAG_USER;
#if defined(__x86_64__)
  const ucontext_t* uc = uctx;
  greg_t err = uc->uc_mcontext.gregs[REG_ERR];
  if (err & 2) pf |= VMM_PF_FLAG_WRITE;
  if (err & 16) pf |= VMM_PF_FLAG_INSTRUCTION;
  if (!(err & 1)) pf |= VMM_PF_FLAG_NOT_PRESENT;
#else
  arch_mmu_flags_t flags;
  if (arch_aspace_query(a, va, NULL, &flags) != ZX_OK) {
    pf |= VMM_PF_FLAG_NOT_PRESENT;
  } else if (!(flags & ARCH_MMU_FLAG_PERM_WRITE)) {
    pf |= VMM_PF_FLAG_WRITE;
  } else {
    pf |= VMM_PF_FLAG_INSTRUCTION;
  }
#endif
  return pf;
}

// Writes |msg| to stderr with write(2) only (async-signal-safe).
static void say(const char* msg) {
  ssize_t ignored = write(STDERR_FILENO, msg, strlen(msg));
  (void)ignored;
}

// Resolves a fault at |va| if it lies in a host aspace and the VM core accepts it.
static bool try_resolve(int sig, vaddr_t va, void* uctx) {
  struct host_slot* s;
  struct arch_aspace* a = slot_enter(va, &s);
  if (a == NULL) return false;
  bool ok = false;
  arch_fault_fn fn = __atomic_load_n(&a->fault_fn, __ATOMIC_ACQUIRE);
  void* ctx = __atomic_load_n(&a->fault_ctx, __ATOMIC_RELAXED);
  if (sig == SIGBUS) {
    say("zxvm: SIGBUS in a host aspace: the memory file could not supply a page\n");
  } else {
    uint32_t pf_flags = decode_pf_flags(a, va, uctx);
    // A page trapped by an accessed-bit harvest needs no VM work (host_aspace.c, the top).
    ok = arch_host_fault_untrap(a, va, pf_flags) ||
         (fn != NULL && fn(ctx, ROUNDDOWN_PAGE(va), pf_flags) == ZX_OK);
  }
  slot_leave(s);
  if (!ok) return false;
  uint64_t generation = __atomic_load_n(&host_mirror_generation, __ATOMIC_RELAXED);
  if (repeated.va != va || repeated.generation != generation) {
    repeated.va = va;
    repeated.generation = generation;
    repeated.count = 0;
  } else if (++repeated.count >= HOST_MAX_REPEATED_FAULTS) {
    say("zxvm: a host fault resolved 64 times in a row still faults (zxvm bug)\n");
    return false;
  }
  return true;
}

// Hands the signal to what was there before us (see the top).
static void pass_on(int sig, siginfo_t* info, void* uctx, const struct sigaction* prev) {
  if (prev->sa_handler == SIG_DFL || prev->sa_handler == SIG_IGN) {
    // A synchronous fault cannot be ignored: the host kills on the retry either way.
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    // A signal sent by kill() does not come back by itself.
    if (info->si_code <= 0) raise(sig);
    return;
  }
  if (prev->sa_flags & SA_SIGINFO) {
    prev->sa_sigaction(sig, info, uctx);
  } else {
    prev->sa_handler(sig);
  }
}

static void host_fault_handler(int sig, siginfo_t* info, void* uctx) {
  int saved_errno = errno;
  // si_code > 0: raised by the kernel for a fault (SEGV_MAPERR, SEGV_ACCERR, BUS_*).
  if (info->si_code > 0 && try_resolve(sig, (vaddr_t)info->si_addr, uctx)) {
    __atomic_add_fetch(&faults_resolved, 1, __ATOMIC_RELAXED);
  } else {
    __atomic_add_fetch(&faults_passed, 1, __ATOMIC_RELAXED);
    pass_on(sig, info, uctx, sig == SIGSEGV ? &previous_segv : &previous_bus);
  }
  errno = saved_errno;
}

// Puts the handler on top of |sig| unless it is there already, keeping what it replaces.
static bool install_one(int sig, struct sigaction* previous) {
  struct sigaction current;
  if (sigaction(sig, NULL, &current) != 0) return false;
  if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == host_fault_handler) return true;
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = host_fault_handler;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigfillset(&sa.sa_mask);
  // The handler reads |previous| only after this sigaction has made it the handler.
  *previous = current;
  return sigaction(sig, &sa, NULL) == 0;
}

zx_status_t host_fault_install(void) {
  // Runs at every host aspace creation: a program (or test harness) that replaced or restored
  // SIGSEGV since the last one gets zxvm's handler back on top, chaining to the replacement.
  // Creations are serialized by a spin flag (they are rare and the critical section is two
  // sigaction calls).
  static int busy;
  while (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE) != 0) platform_yield();
  bool ok = install_one(SIGSEGV, &previous_segv) && install_one(SIGBUS, &previous_bus);
  __atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
  return ok ? ZX_OK : ZX_ERR_INTERNAL;
}

void arch_host_get_fault_counts(struct arch_host_fault_counts* out) {
  out->resolved = __atomic_load_n(&faults_resolved, __ATOMIC_RELAXED);
  out->passed = __atomic_load_n(&faults_passed, __ATOMIC_RELAXED);
}

zx_status_t arch_host_fault_handler_install(void) { return host_fault_install(); }

void arch_host_debug_pass_faults_to_default(void) {
  memset(&previous_segv, 0, sizeof(previous_segv));
  previous_segv.sa_handler = SIG_DFL;
  previous_bus = previous_segv;
}

#else  // !__linux__

zx_status_t arch_host_fault_handler_install(void) { return ZX_ERR_NOT_SUPPORTED; }

void arch_host_debug_pass_faults_to_default(void) {}

void arch_host_get_fault_counts(struct arch_host_fault_counts* out) {
  out->resolved = 0;
  out->passed = 0;
}

#endif  // __linux__
