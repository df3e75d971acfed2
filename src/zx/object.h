// Kernel objects (Zircon's dispatchers): what a handle names. Every object has a type
// (ZX_OBJ_TYPE_*), a unique 64-bit koid, an optional related koid, a reference count and a
// signal state with waiters. The concrete objects wrap the VM core: a VMO object holds a
// vm_object_paged, a VMAR object a vm_address_region, a process a vm_aspace; a job, a port and a
// pager carry what the zx_ calls on them need.
//
// Main invariant: an object lives while a handle or a reference names it; the last release
// destroys it (ops->destroy), releasing what it wraps. Koids are never reused.
//
// Locking: each object has one leaf lock (rank LOCK_RANK_LEAF) guarding its (L) fields: signals,
// waiters, a port's packet queue, a discardable VMO's lock count, a process's name. Nothing is
// called out while it is held.
#ifndef ZXVM_ZX_OBJECT_H_
#define ZXVM_ZX_OBJECT_H_

#include <stdatomic.h>
#include <zircon/syscalls/port.h>

#include "base/list.h"
#include "base/mutex.h"
#include "vm/vm_aspace.h"
#include "vm/vm_object_paged.h"

#define DISPATCHER_MAGIC ZXVM_MAGIC('Z', 'X', 'O', 'B')

struct dispatcher;

struct dispatcher_ops {
  // Frees the concrete object; its last reference is gone and no lock is held.
  void (*destroy)(struct dispatcher* d);
};

// Legend: (c) constant after creation, (a) atomic, (L) the object's own lock.
struct dispatcher {
  uint32_t magic;                    // (c) DISPATCHER_MAGIC
  zx_obj_type_t type;                // (c) ZX_OBJ_TYPE_*
  zx_koid_t koid;                    // (c)
  zx_koid_t related_koid;            // (c) 0 when none
  _Atomic uint64_t refcount;         // (a)
  const struct dispatcher_ops* ops;  // (c)
  bool has_signals;                  // (c) supports zx_object_signal / zx_object_wait_one
  struct mutex lock;                 // leaf lock
  struct cond cond;                  // waiters on signals (and a port's packets)
  zx_signals_t signals;              // (L)
  uint64_t close_count;              // (L) handles of this object closed so far (wakes waiters)
};

// A VMO. Legend as above.
struct vmo_dispatcher {
  struct dispatcher base;
  struct vm_object_paged* vmo;  // (c) one reference
  uint32_t create_options;      // (c) ZX_VMO_* given to zx_vmo_create (a child: RESIZABLE or 0)
  uint32_t child_options;       // (c) ZX_VMO_CHILD_* it was created with; 0 for zx_vmo_create
  uint64_t root_offset;         // (c) where it starts in its tree's root (overflow checks)
  uint32_t lock_count;          // (L) ZX_VMO_OP_LOCK holds of a discardable VMO
};

// A VMAR handle's object: the region (one reference), whether it is an address space's root.
struct vmar_dispatcher {
  struct dispatcher base;
  struct vm_address_region* vmar;  // (c) one reference
  bool is_root;                    // (c)
};

// A process: an address space that no thread ever runs in (zxvm simulates the CPU instead).
struct process_dispatcher {
  struct dispatcher base;
  struct vm_aspace* aspace;           // (c) one reference; destroyed with the process
  struct vmar_dispatcher* root_vmar;  // (c) one reference
  char name[ZX_MAX_NAME_LEN];         // (L)
  struct list_node registry_node;     // (K) in the kernel's list of live processes
};

struct job_dispatcher {
  struct dispatcher base;
  char name[ZX_MAX_NAME_LEN];  // (L)
};

// A port packet. A user packet (zx_port_queue) belongs to the port while queued and is freed by
// the reader. A kernel packet (a page request, sys_pager.c) stays its producer's: the reader only
// unlinks it and copies it out, and the producer may take it back while it is still queued
// (port_cancel_queued, Zircon's PortDispatcher::CancelQueued) before freeing it.
struct port_packet_node {
  struct list_node node;    // (L) in port_dispatcher.queue while queued; unlinked otherwise
  zx_port_packet_t packet;  // (c) once queued
  bool kernel_owned;        // (c) freed by its producer, not by the reader
};

#define PORT_MAX_QUEUED_PACKETS 4096u

struct port_dispatcher {
  struct dispatcher base;
  uint32_t options;        // (c)
  struct list_node queue;  // (L) of port_packet_node, oldest first
  size_t queued;           // (L)
};

struct pager_dispatcher {
  struct dispatcher base;
};

// Koids: unique, increasing, starting at ZX_KOID_FIRST.
zx_koid_t koid_generate(void);

void dispatcher_acquire(struct dispatcher* d);
// Drops a reference; the last one destroys the object. No lock may be held.
void dispatcher_release(struct dispatcher* d);
// Called after a handle to |d| was removed from the table: wakes waiters so a wait on the closed
// handle ends with ZX_ERR_CANCELED.
void dispatcher_on_handle_closed(struct dispatcher* d);

// Looks |handle| up as zx_ calls do: ZX_ERR_BAD_HANDLE (not a handle), ZX_ERR_WRONG_TYPE (|type|
// is not ZX_OBJ_TYPE_NONE and differs), ZX_ERR_ACCESS_DENIED (a right of |rights| is missing), in
// that order. Initializes the library on first use (its failure status is returned). ZX_OK:
// |*out| has a new reference, |*out_rights| (may be NULL) the handle's rights.
zx_status_t dispatcher_lookup(zx_handle_t handle, zx_obj_type_t type, zx_rights_t rights,
                              struct dispatcher** out, zx_rights_t* out_rights) WARN_UNUSED;

// Signals. |clear| then |set| on the object's signal state, waking waiters.
void dispatcher_update_signals(struct dispatcher* d, zx_signals_t clear, zx_signals_t set);
zx_signals_t dispatcher_signals(struct dispatcher* d);
// Waits until a signal of |signals| is asserted (ZX_OK), |deadline| passes (ZX_ERR_TIMED_OUT) or
// |handle| is closed (ZX_ERR_CANCELED, ZX_SIGNAL_HANDLE_CLOSED added); |*observed| is written in
// every case.
zx_status_t dispatcher_wait_one(struct dispatcher* d, zx_handle_t handle, zx_signals_t signals,
                                zx_instant_mono_t deadline, zx_signals_t* observed);

// Constructors. Each returns ZX_OK with one reference in |*out|, or ZX_ERR_NO_MEMORY (the
// wrapped VM object is then left to the caller).
// Takes over the caller's reference to |vmo| and becomes its children observer (the
// ZX_VMO_ZERO_CHILDREN signal) until it dies.
zx_status_t vmo_dispatcher_create(struct vm_object_paged* vmo, uint32_t create_options,
                                  struct vmo_dispatcher** out) WARN_UNUSED;
// Takes over the caller's reference to |vmar|.
zx_status_t vmar_dispatcher_create(struct vm_address_region* vmar, bool is_root,
                                   struct vmar_dispatcher** out) WARN_UNUSED;
// Creates an address space with |config| and its root VMAR object.
zx_status_t process_dispatcher_create(const struct vm_aspace_config* config, const char* name,
                                      size_t name_len, zx_koid_t job_koid,
                                      struct process_dispatcher** out) WARN_UNUSED;
zx_status_t job_dispatcher_create(struct job_dispatcher** out) WARN_UNUSED;
zx_status_t port_dispatcher_create(uint32_t options, struct port_dispatcher** out) WARN_UNUSED;
zx_status_t pager_dispatcher_create(struct pager_dispatcher** out) WARN_UNUSED;

// Queues |n| (node unlinked) on |port| and wakes its readers; no bound (a kernel packet is never
// refused). Takes the port's leaf lock only.
void port_queue_kernel_packet(struct port_dispatcher* port, struct port_packet_node* n);
// Takes the kernel packet |n| back from |port| if no reader has dequeued it yet: returns true if
// it was still queued. Either way |n| is unlinked afterwards and its producer may free it. Takes
// the port's leaf lock only.
bool port_cancel_queued(struct port_dispatcher* port, struct port_packet_node* n);

// Downcasts (type asserted in debug builds).
static inline struct vmo_dispatcher* vmo_dispatcher_from(struct dispatcher* d) {
  ZX_DEBUG_ASSERT(d->type == ZX_OBJ_TYPE_VMO);
  return containerof(d, struct vmo_dispatcher, base);
}
static inline struct vmar_dispatcher* vmar_dispatcher_from(struct dispatcher* d) {
  ZX_DEBUG_ASSERT(d->type == ZX_OBJ_TYPE_VMAR);
  return containerof(d, struct vmar_dispatcher, base);
}
static inline struct process_dispatcher* process_dispatcher_from(struct dispatcher* d) {
  ZX_DEBUG_ASSERT(d->type == ZX_OBJ_TYPE_PROCESS);
  return containerof(d, struct process_dispatcher, base);
}
static inline struct job_dispatcher* job_dispatcher_from(struct dispatcher* d) {
  ZX_DEBUG_ASSERT(d->type == ZX_OBJ_TYPE_JOB);
  return containerof(d, struct job_dispatcher, base);
}
static inline struct port_dispatcher* port_dispatcher_from(struct dispatcher* d) {
  ZX_DEBUG_ASSERT(d->type == ZX_OBJ_TYPE_PORT);
  return containerof(d, struct port_dispatcher, base);
}

// Names (ZX_PROP_NAME) of the objects that have one: VMO, process, job. False for other types.
bool dispatcher_get_name(struct dispatcher* d, char out[ZX_MAX_NAME_LEN]);
bool dispatcher_set_name(struct dispatcher* d, const char* name, size_t len);

// The kernel's registry of live processes (statistics, whole-library checks). Copies up to |max|
// live processes, each with a new reference, into |out|; their number in |*out_count|.
void process_registry_snapshot(struct process_dispatcher** out, size_t max, size_t* out_count);
size_t process_registry_count(void);

#endif  // ZXVM_ZX_OBJECT_H_
