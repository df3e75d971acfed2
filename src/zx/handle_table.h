// The handle table: the one process-wide table ("the kernel's") that turns a zx_handle_t into the
// object it names and the rights it carries. Every value handed out has both low bits set
// (ZX_HANDLE_FIXED_BITS_MASK), a slot index and a generation:
//
//     bit 31 ......... 22 | 21 ............ 2 | 1 0
//         generation (10) |   slot index (20) | 1 1
//
// A slot's generation advances each time its handle is closed, and free slots are reused in FIFO
// order, so a closed handle's value keeps failing with ZX_ERR_BAD_HANDLE for a long time (1024
// reuses of that very slot), and so does any value the table never handed out.
//
// Main invariant: a live slot holds exactly one reference to its object; a free slot holds none
// and is on the free queue exactly once.
//
// Locking: one mutex (rank LOCK_RANK_HANDLE_TABLE, below every VM lock). It is never held while
// calling into the VM or into an object's own lock: lookups copy the object pointer and rights,
// take a reference, and drop the table lock.
#ifndef ZXVM_ZX_HANDLE_TABLE_H_
#define ZXVM_ZX_HANDLE_TABLE_H_

#include "base/compiler.h"

struct dispatcher;

#define HANDLE_INDEX_BITS 20u
#define HANDLE_GEN_BITS 10u
#define HANDLE_TABLE_MAX_HANDLES ((size_t)1 << HANDLE_INDEX_BITS)

// Adds a handle to |obj| with |rights|; the table takes a new reference to |obj|. ZX_OK with the
// value in |*out|; ZX_ERR_NO_MEMORY (the table could not grow); ZX_ERR_NO_RESOURCES (all
// HANDLE_TABLE_MAX_HANDLES slots in use).
zx_status_t handle_table_add(struct dispatcher* obj, zx_rights_t rights,
                             zx_handle_t* out) WARN_UNUSED;

// Looks |handle| up. ZX_OK: |*out_obj| gets a new reference (release it with dispatcher_release),
// |*out_rights| (may be NULL) the handle's rights. ZX_ERR_BAD_HANDLE for ZX_HANDLE_INVALID, a
// closed handle or a value the table never returned.
zx_status_t handle_table_get(zx_handle_t handle, struct dispatcher** out_obj,
                             zx_rights_t* out_rights) WARN_UNUSED;

// Removes |handle|: the table's reference moves to the caller in |*out_obj|, who must release it
// (after dispatcher_on_handle_closed). ZX_ERR_BAD_HANDLE as handle_table_get.
zx_status_t handle_table_remove(zx_handle_t handle, struct dispatcher** out_obj) WARN_UNUSED;

// Adds a second handle to the object of |handle| with |rights| (already validated by the caller
// against the source's rights). If |consume|, |handle| is removed in the same step (replace), and
// its reference moves to the caller in |*out_consumed| (NULL otherwise). ZX_ERR_BAD_HANDLE;
// ZX_ERR_NO_MEMORY / ZX_ERR_NO_RESOURCES (then |handle| is still removed if |consume|).
zx_status_t handle_table_duplicate(zx_handle_t handle, zx_rights_t rights, bool consume,
                                   zx_handle_t* out, struct dispatcher** out_consumed) WARN_UNUSED;

// Calls |fn(ctx, obj, rights)| for every live handle, in slot order, with the table lock held:
// |fn| must not call back into the table, take any lock, or block. It may take a reference.
typedef void (*handle_table_visit_fn)(void* ctx, struct dispatcher* obj, zx_rights_t rights);
void handle_table_for_each(handle_table_visit_fn fn, void* ctx);

// Number of live handles.
size_t handle_table_count(void);

// Validates the table (every live slot names an object with a positive refcount, the free queue
// holds exactly the free slots). Panics on violation.
void handle_table_check(void);

#endif  // ZXVM_ZX_HANDLE_TABLE_H_
