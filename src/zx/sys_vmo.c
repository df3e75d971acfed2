// The VMO calls: zx_vmo_create, read, write, get_size, set_size, get_stream_size,
// set_stream_size, op_range, create_child, set_cache_policy, replace_as_executable.
//
// Each call looks its handle up (BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED, in that order), checks its
// arguments in the order Fuchsia does, and only then acts through vm_object_paged.
//
// Discardable VMOs: zxvm never discards pages, which a kernel is allowed to do; so the LOCK ops
// only track the lock count, TRY_LOCK always succeeds, and a lock never reports discarded pages.
//
// Children: zx_vmo_create_child makes the checks Fuchsia makes before its VM is involved, in its
// order, lets vm_object_paged_create_child make the rest, and gives the child handle the rights
// Fuchsia gives (see child_rights). ZX_VMO_ZERO_CHILDREN is kept by the VMO object (object.c).
#include <string.h>

#include "zx/zx_priv.h"

static zx_status_t lookup_vmo(zx_handle_t handle, zx_rights_t rights, struct vmo_dispatcher** out,
                              zx_rights_t* out_rights) {
  struct dispatcher* d;
  zx_status_t status = dispatcher_lookup(handle, ZX_OBJ_TYPE_VMO, rights, &d, out_rights);
  if (status != ZX_OK) return status;
  *out = vmo_dispatcher_from(d);
  return ZX_OK;
}

static void vmo_put(struct vmo_dispatcher* v) { dispatcher_release(&v->base); }

static bool vmo_is_discardable(const struct vmo_dispatcher* v) {
  return (v->create_options & ZX_VMO_DISCARDABLE) != 0;
}

static bool vmo_is_resizable(const struct vmo_dispatcher* v) {
  return (v->create_options & ZX_VMO_RESIZABLE) != 0;
}

// Bounce-buffer chunk for buffers in zxvm-mapped memory.
#define USER_COPY_CHUNK ((size_t)64 << 10)

zx_status_t zx_vmo_read_user(struct vm_object_paged* vmo, void* buffer, uint64_t offset,
                             size_t len) {
  if (!vm_buffer_in_mapped_memory(buffer, len)) {
    return vm_object_paged_read(vmo, buffer, offset, len);
  }
  size_t chunk = len < USER_COPY_CHUNK ? len : USER_COPY_CHUNK;
  char* bounce = heap_alloc(chunk);
  if (bounce == NULL) return ZX_ERR_NO_MEMORY;
  zx_status_t status = ZX_OK;
  for (size_t done = 0; done < len && status == ZX_OK; done += chunk) {
    size_t n = len - done < chunk ? len - done : chunk;
    status = vm_object_paged_read(vmo, bounce, offset + done, n);
    if (status == ZX_OK) memcpy((char*)buffer + done, bounce, n);  // may fault: no lock held
  }
  heap_free(bounce);
  return status;
}

zx_status_t zx_vmo_write_user(struct vm_object_paged* vmo, const void* buffer, uint64_t offset,
                              size_t len) {
  if (!vm_buffer_in_mapped_memory(buffer, len)) {
    return vm_object_paged_write(vmo, buffer, offset, len);
  }
  size_t chunk = len < USER_COPY_CHUNK ? len : USER_COPY_CHUNK;
  char* bounce = heap_alloc(chunk);
  if (bounce == NULL) return ZX_ERR_NO_MEMORY;
  zx_status_t status = ZX_OK;
  for (size_t done = 0; done < len && status == ZX_OK; done += chunk) {
    size_t n = len - done < chunk ? len - done : chunk;
    memcpy(bounce, (const char*)buffer + done, n);  // may fault: no lock held
    status = vm_object_paged_write(vmo, bounce, offset + done, n);
  }
  heap_free(bounce);
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t* out) {
  // Fuchsia's order: UNBOUNDED with RESIZABLE, then the size (which an unbounded VMO ignores),
  // then unknown bits. DISCARDABLE combines with RESIZABLE: a lock always spans the current size.
  const uint32_t known = ZX_VMO_RESIZABLE | ZX_VMO_DISCARDABLE | ZX_VMO_UNBOUNDED;
  if ((options & ZX_VMO_UNBOUNDED) && (options & ZX_VMO_RESIZABLE)) return ZX_ERR_INVALID_ARGS;
  if (!(options & ZX_VMO_UNBOUNDED) && size > VM_OBJECT_PAGED_MAX_SIZE) {
    return ZX_ERR_OUT_OF_RANGE;
  }
  if (options & ~known) return ZX_ERR_INVALID_ARGS;
  if (size > VM_OBJECT_PAGED_MAX_SIZE) return ZX_ERR_OUT_OF_RANGE;
  if (out == NULL) return ZX_ERR_INVALID_ARGS;
  zx_status_t status = kernel_ensure_init();
  if (status != ZX_OK) return status;
  // An unbounded VMO has the largest size; |size| is its stream size.
  uint64_t vmo_size = (options & ZX_VMO_UNBOUNDED) ? VM_OBJECT_PAGED_MAX_SIZE : size;
  struct vm_object_paged* vmo;
  status = vm_object_paged_create((options & ZX_VMO_RESIZABLE) ? VM_OBJECT_PAGED_RESIZABLE : 0,
                                  vmo_size, &vmo);
  if (status != ZX_OK) return status;
  if (options & ZX_VMO_UNBOUNDED) vm_object_paged_set_content_size(vmo, size);
  struct vmo_dispatcher* v;
  status = vmo_dispatcher_create(vmo, options, &v);
  if (status != ZX_OK) {
    vm_object_paged_release(vmo);
    return status;
  }
  zx_rights_t rights = ZX_DEFAULT_VMO_RIGHTS;
  if (options & ZX_VMO_RESIZABLE) rights |= ZX_RIGHT_RESIZE;
  status = handle_table_add(&v->base, rights, out);
  vmo_put(v);
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmo_read(zx_handle_t handle, void* buffer, uint64_t offset,
                                    size_t buffer_size) {
  struct vmo_dispatcher* v;
  zx_status_t status = lookup_vmo(handle, ZX_RIGHT_READ, &v, NULL);
  if (status != ZX_OK) return status;
  // The range is checked before the buffer is looked at.
  if (!range_within(offset, buffer_size, vm_object_paged_get_size(v->vmo))) {
    status = ZX_ERR_OUT_OF_RANGE;
  } else if (buffer == NULL && buffer_size > 0) {
    status = ZX_ERR_INVALID_ARGS;
  } else if (buffer_size > 0) {
    status = zx_vmo_read_user(v->vmo, buffer, offset, buffer_size);
  }
  vmo_put(v);
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmo_write(zx_handle_t handle, const void* buffer, uint64_t offset,
                                     size_t buffer_size) {
  struct vmo_dispatcher* v;
  zx_status_t status = lookup_vmo(handle, ZX_RIGHT_WRITE, &v, NULL);
  if (status != ZX_OK) return status;
  if (!range_within(offset, buffer_size, vm_object_paged_get_size(v->vmo))) {
    status = ZX_ERR_OUT_OF_RANGE;
  } else if (buffer == NULL && buffer_size > 0) {
    status = ZX_ERR_INVALID_ARGS;
  } else if (buffer_size > 0) {
    status = zx_vmo_write_user(v->vmo, buffer, offset, buffer_size);
    kernel_validate_all();
  }
  vmo_put(v);
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t* size) {
  struct vmo_dispatcher* v;
  zx_status_t status = lookup_vmo(handle, 0, &v, NULL);
  if (status != ZX_OK) return status;
  if (size == NULL) {
    status = ZX_ERR_INVALID_ARGS;
  } else {
    *size = vm_object_paged_get_size(v->vmo);
  }
  vmo_put(v);
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmo_set_size(zx_handle_t handle, uint64_t size) {
  struct vmo_dispatcher* v;
  zx_rights_t rights;
  zx_status_t status = lookup_vmo(handle, ZX_RIGHT_WRITE, &v, &rights);
  if (status != ZX_OK) return status;
  // A VMO that is not resizable answers ZX_ERR_UNAVAILABLE whatever the handle's rights; the
  // RESIZE right only matters for a resizable one.
  uint64_t end;
  if (vmo_is_resizable(v) && !(rights & ZX_RIGHT_RESIZE)) {
    status = ZX_ERR_ACCESS_DENIED;
  } else if (size > UINT64_MAX - PAGE_MASK) {
    // Fuchsia rounds the size up before asking the VMO, so a size that cannot be rounded is out
    // of range even for a VMO that is not resizable.
    status = ZX_ERR_OUT_OF_RANGE;
  } else if (vmo_is_resizable(v) && size <= VM_OBJECT_PAGED_MAX_SIZE &&
             __builtin_add_overflow(v->root_offset, (size + PAGE_MASK) & ~(uint64_t)PAGE_MASK,
                                    &end)) {
    // A child must stay addressable from its tree's root.
    status = ZX_ERR_INVALID_ARGS;
  } else {
    status = vm_object_paged_set_size(v->vmo, size);
    if (status == ZX_OK) kernel_validate_all();
  }
  vmo_put(v);
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmo_get_stream_size(zx_handle_t handle, uint64_t* size) {
  // Like zx_vmo_get_size, no right is needed.
  struct vmo_dispatcher* v;
  zx_status_t status = lookup_vmo(handle, 0, &v, NULL);
  if (status != ZX_OK) return status;
  if (size == NULL) {
    status = ZX_ERR_INVALID_ARGS;
  } else {
    *size = vm_object_paged_get_content_size(v->vmo);
  }
  vmo_put(v);
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmo_set_stream_size(zx_handle_t handle, uint64_t size) {
  struct vmo_dispatcher* v;
  zx_status_t status = lookup_vmo(handle, ZX_RIGHT_WRITE, &v, NULL);
  if (status != ZX_OK) return status;
  // As Fuchsia's SetStreamSize: an unchanged size is a no-op; otherwise everything from the lower
  // of the two sizes to the end of the VMO is zeroed (bytes a zx_vmo_write put past the stream
  // size included), so the bytes past the stream size always read as zero.
  uint64_t vmo_size = vm_object_paged_get_size(v->vmo);
  uint64_t old = vm_object_paged_get_content_size(v->vmo);
  if (size != old && size > vmo_size) {
    status = ZX_ERR_OUT_OF_RANGE;
  } else if (size != old) {
    uint64_t from = size < old ? size : old;
    status = vm_object_paged_zero_range(v->vmo, from, vmo_size - from);
    if (status == ZX_OK) vm_object_paged_set_content_size(v->vmo, size);
    kernel_validate_all();
  }
  vmo_put(v);
  return status;
}

// ---- zx_vmo_op_range --------------------------------------------------------------------------

// LOCK / TRY_LOCK / UNLOCK of a discardable VMO (|op| one of the three), in Fuchsia's order: not
// discardable, then the range (the whole VMO), then LOCK's state buffer, which Fuchsia checks
// after locking and so refuses with the lock undone (here: before taking it).
static zx_status_t vmo_lock_op(struct vmo_dispatcher* v, uint32_t op, uint64_t offset,
                               uint64_t size, void* buffer, size_t buffer_size) {
  if (!vmo_is_discardable(v)) return ZX_ERR_NOT_SUPPORTED;
  uint64_t vmo_size = vm_object_paged_get_size(v->vmo);
  if (offset != 0 || size != vmo_size) return ZX_ERR_OUT_OF_RANGE;
  if (op == ZX_VMO_OP_LOCK && (buffer == NULL || buffer_size < sizeof(zx_vmo_lock_state_t))) {
    return ZX_ERR_INVALID_ARGS;
  }
  zx_status_t status = ZX_OK;
  mutex_lock(&v->base.lock);
  if (op == ZX_VMO_OP_UNLOCK) {
    if (v->lock_count == 0) {
      status = ZX_ERR_BAD_STATE;
    } else {
      v->lock_count--;
    }
  } else {
    v->lock_count++;
  }
  mutex_unlock(&v->base.lock);
  if (status == ZX_OK && op == ZX_VMO_OP_LOCK) {
    // Nothing is ever discarded, so the discarded range is empty.
    zx_vmo_lock_state_t state = {.offset = 0, .size = vmo_size};
    *(zx_vmo_lock_state_t*)buffer = state;
  }
  return status;
}

// The cache maintenance ops: byte granular, size 0 refused; host memory needs no maintenance.
static zx_status_t vmo_cache_op(struct vmo_dispatcher* v, uint64_t offset, uint64_t size) {
  if (size == 0) return ZX_ERR_INVALID_ARGS;
  if (!range_within(offset, size, vm_object_paged_get_size(v->vmo))) return ZX_ERR_OUT_OF_RANGE;
  return ZX_OK;
}

// DONT_NEED / ALWAYS_NEED / PREFETCH (vm_object_paged_hint_range): where a pager backs the VMO
// the range is checked, ALWAYS_NEED and PREFETCH fetch the pages (waiting for the pager) and
// ALWAYS_NEED / DONT_NEED steer eviction; on other VMOs the hints succeed without looking at the
// range (as Fuchsia's HintRange) and PREFETCH only checks it.
static zx_status_t vmo_hint_op(struct vmo_dispatcher* v, uint32_t op, uint64_t offset,
                               uint64_t size) {
  enum vm_object_paged_hint hint = op == ZX_VMO_OP_ALWAYS_NEED ? VM_OBJECT_PAGED_HINT_ALWAYS_NEED
                                   : op == ZX_VMO_OP_DONT_NEED ? VM_OBJECT_PAGED_HINT_DONT_NEED
                                                               : VM_OBJECT_PAGED_HINT_PREFETCH;
  return vm_object_paged_hint_range(v->vmo, hint, offset, size);
}

// The right |op| needs: ZX_OK, ZX_ERR_ACCESS_DENIED, or ZX_ERR_INVALID_ARGS for an unknown op.
static zx_status_t vmo_op_rights(uint32_t op, zx_rights_t rights) {
  zx_rights_t need;
  switch (op) {
    case ZX_VMO_OP_COMMIT:
    case ZX_VMO_OP_DECOMMIT:
    case ZX_VMO_OP_ZERO:
    case ZX_VMO_OP_CACHE_INVALIDATE:
      need = ZX_RIGHT_WRITE;
      break;
    case ZX_VMO_OP_CACHE_SYNC:
    case ZX_VMO_OP_CACHE_CLEAN:
    case ZX_VMO_OP_CACHE_CLEAN_INVALIDATE:
    case ZX_VMO_OP_PREFETCH:
      need = ZX_RIGHT_READ;
      break;
    case ZX_VMO_OP_LOCK:
    case ZX_VMO_OP_TRY_LOCK:
    case ZX_VMO_OP_UNLOCK:
      return (rights & (ZX_RIGHT_READ | ZX_RIGHT_WRITE)) ? ZX_OK : ZX_ERR_ACCESS_DENIED;
    case ZX_VMO_OP_DONT_NEED:
    case ZX_VMO_OP_ALWAYS_NEED:
      return ZX_OK;
    default:
      return ZX_ERR_INVALID_ARGS;
  }
  return (rights & need) == need ? ZX_OK : ZX_ERR_ACCESS_DENIED;
}

static zx_status_t vmo_op(struct vmo_dispatcher* v, uint32_t op, uint64_t offset, uint64_t size,
                          void* buffer, size_t buffer_size) {
  zx_status_t status;
  switch (op) {
    case ZX_VMO_OP_COMMIT:
      status = vm_object_paged_commit_range(v->vmo, offset, size);
      break;
    case ZX_VMO_OP_DECOMMIT:
      status = vm_object_paged_decommit_range(v->vmo, offset, size);
      break;
    case ZX_VMO_OP_ZERO:
      status = vm_object_paged_zero_range(v->vmo, offset, size);
      break;
    case ZX_VMO_OP_LOCK:
    case ZX_VMO_OP_TRY_LOCK:
    case ZX_VMO_OP_UNLOCK:
      return vmo_lock_op(v, op, offset, size, buffer, buffer_size);
    case ZX_VMO_OP_CACHE_SYNC:
    case ZX_VMO_OP_CACHE_INVALIDATE:
    case ZX_VMO_OP_CACHE_CLEAN:
    case ZX_VMO_OP_CACHE_CLEAN_INVALIDATE:
      return vmo_cache_op(v, offset, size);
    default:  // DONT_NEED, ALWAYS_NEED, PREFETCH (vmo_op_rights refused the rest)
      status = vmo_hint_op(v, op, offset, size);
      break;
  }
  kernel_validate_all();
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmo_op_range(zx_handle_t handle, uint32_t op, uint64_t offset,
                                        uint64_t size, void* buffer, size_t buffer_size) {
  struct vmo_dispatcher* v;
  zx_rights_t rights;
  zx_status_t status = lookup_vmo(handle, 0, &v, &rights);
  if (status != ZX_OK) return status;
  status = vmo_op_rights(op, rights);
  if (status == ZX_OK) status = vmo_op(v, op, offset, size, buffer, buffer_size);
  vmo_put(v);
  return status;
}

// ---- zx_vmo_create_child ----------------------------------------------------------------------

_Static_assert(VM_CHILD_SNAPSHOT == ZX_VMO_CHILD_SNAPSHOT, "child option values");
_Static_assert(VM_CHILD_RESIZABLE == ZX_VMO_CHILD_RESIZABLE, "child option values");
_Static_assert(VM_CHILD_SLICE == ZX_VMO_CHILD_SLICE, "child option values");
_Static_assert(VM_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE == ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
               "child option values");
_Static_assert(VM_CHILD_NO_WRITE == ZX_VMO_CHILD_NO_WRITE, "child option values");
_Static_assert(VM_CHILD_REFERENCE == ZX_VMO_CHILD_REFERENCE, "child option values");
_Static_assert(VM_CHILD_SNAPSHOT_MODIFIED == ZX_VMO_CHILD_SNAPSHOT_MODIFIED, "child option values");

#define VMO_CHILD_SNAPSHOT_TYPES \
  (ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE | ZX_VMO_CHILD_SNAPSHOT_MODIFIED)

static bool vmo_is_cached(struct vmo_dispatcher* v) {
  return vm_object_get_cache_policy(&v->vmo->base) == ZX_CACHE_POLICY_CACHED;
}

// A slice: no other option; a page-aligned window wholly inside a parent that cannot resize.
static zx_status_t child_check_slice(struct vmo_dispatcher* v, uint32_t options, uint64_t offset,
                                     uint64_t rounded) {
  if (options != ZX_VMO_CHILD_SLICE || !IS_PAGE_ALIGNED(offset)) return ZX_ERR_INVALID_ARGS;
  if (!range_within(offset, rounded, vm_object_paged_get_size(v->vmo))) return ZX_ERR_INVALID_ARGS;
  if (vmo_is_resizable(v)) return ZX_ERR_NOT_SUPPORTED;
  return vmo_is_cached(v) ? ZX_OK : ZX_ERR_BAD_STATE;
}

// A reference: only RESIZABLE besides; it spans the whole parent, so offset and size must be 0.
static zx_status_t child_check_reference(struct vmo_dispatcher* v, uint32_t options,
                                         uint64_t offset, uint64_t rounded) {
  if (options & ~(ZX_VMO_CHILD_REFERENCE | ZX_VMO_CHILD_RESIZABLE)) return ZX_ERR_INVALID_ARGS;
  if (offset != 0 || rounded != 0) return ZX_ERR_INVALID_ARGS;
  if (vm_object_paged_is_slice(v->vmo)) return ZX_ERR_NOT_SUPPORTED;
  if ((options & ZX_VMO_CHILD_RESIZABLE) && !vmo_is_resizable(v)) return ZX_ERR_NOT_SUPPORTED;
  return vmo_is_cached(v) ? ZX_OK : ZX_ERR_BAD_STATE;
}

// The snapshot types: exactly one of them (checked in Fuchsia's priority order), plus RESIZABLE.
static zx_status_t child_check_snapshot(struct vmo_dispatcher* v, uint32_t options, uint64_t offset,
                                        uint64_t rounded) {
  uint32_t type = options & ZX_VMO_CHILD_SNAPSHOT;
  if (type == 0) type = options & ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE;
  if (type == 0) type = options & ZX_VMO_CHILD_SNAPSHOT_MODIFIED;
  if (type == 0 || (options & ~(type | ZX_VMO_CHILD_RESIZABLE))) return ZX_ERR_INVALID_ARGS;
  if (!IS_PAGE_ALIGNED(offset)) return ZX_ERR_INVALID_ARGS;
  uint64_t end;
  if (__builtin_add_overflow(offset, rounded, &end)) return ZX_ERR_OUT_OF_RANGE;
  if (!vmo_is_cached(v)) return ZX_ERR_BAD_STATE;
  // Offsets accumulated from the tree's root must not wrap either.
  if (__builtin_add_overflow(v->root_offset, end, &end)) return ZX_ERR_INVALID_ARGS;
  // A full snapshot through a slice has no defined semantics; Fuchsia refuses it.
  if (type == ZX_VMO_CHILD_SNAPSHOT && vm_object_paged_is_slice(v->vmo)) {
    return ZX_ERR_NOT_SUPPORTED;
  }
  return ZX_OK;
}

// Every check Fuchsia makes on the parent before the VM is asked (the VM adds the ones that need
// its lock: pins, pager trees, accumulated offsets). |options| has NO_WRITE removed already.
static zx_status_t child_validate(struct vmo_dispatcher* v, uint32_t options, uint64_t offset,
                                  uint64_t rounded) {
  if (vmo_is_discardable(v)) return ZX_ERR_NOT_SUPPORTED;
  if (options & ZX_VMO_CHILD_SLICE) return child_check_slice(v, options, offset, rounded);
  if (options & ZX_VMO_CHILD_REFERENCE) return child_check_reference(v, options, offset, rounded);
  return child_check_snapshot(v, options, offset, rounded);
}

// The child handle's rights (Fuchsia's sys_vmo_create_child): the parent handle's, without RESIZE
// unless the child is resizable, always with GET/SET_PROPERTY (so the child can be named);
// NO_WRITE removes WRITE; otherwise a snapshot-type child is writable but never executable.
static zx_rights_t child_rights(zx_rights_t parent, uint32_t options, bool no_write) {
  zx_rights_t rights = (parent & ~ZX_RIGHT_RESIZE) | ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY;
  if (options & ZX_VMO_CHILD_RESIZABLE) rights |= ZX_RIGHT_RESIZE;
  if (no_write) {
    rights &= ~ZX_RIGHT_WRITE;
  } else if (options & VMO_CHILD_SNAPSHOT_TYPES) {
    rights = (rights & ~ZX_RIGHT_EXECUTE) | ZX_RIGHT_WRITE;
  }
  return rights;
}

// Creates the child VMO and its dispatcher. NO_WRITE reaches the VM only with SNAPSHOT: that is
// the one combination Fuchsia marks immutable (ZX_INFO_VMO_IMMUTABLE).
static zx_status_t child_create(struct vmo_dispatcher* v, uint32_t options, bool no_write,
                                uint64_t offset, uint64_t size, zx_rights_t parent_rights,
                                struct vmo_dispatcher** out) {
  uint32_t vm_options = options;
  if (no_write && (options & ZX_VMO_CHILD_SNAPSHOT)) vm_options |= VM_CHILD_NO_WRITE;
  struct vm_object_paged* child;
  zx_status_t status = vm_object_paged_create_child(v->vmo, vm_options, offset, size, &child);
  if (status != ZX_OK) return status;
  // The name is copied only for a caller that may read it.
  if (!(parent_rights & ZX_RIGHT_GET_PROPERTY)) vm_object_set_name(&child->base, "", 0);
  // A reference shares its parent's node and so its resizability; a handle still needs RESIZE.
  bool resizable = (options & ZX_VMO_CHILD_RESIZABLE) ||
                   ((options & ZX_VMO_CHILD_REFERENCE) && vmo_is_resizable(v));
  struct vmo_dispatcher* c;
  status = vmo_dispatcher_create(child, resizable ? ZX_VMO_RESIZABLE : 0, &c);
  if (status != ZX_OK) {
    vm_object_paged_release(child);
    return status;
  }
  c->child_options = options | (no_write ? ZX_VMO_CHILD_NO_WRITE : 0);
  // Checked not to wrap (snapshots) or inside the parent (slices); a reference starts with it.
  c->root_offset = v->root_offset + ((options & ZX_VMO_CHILD_REFERENCE) ? 0 : offset);
  *out = c;
  return ZX_OK;
}

ZXVM_EXPORT zx_status_t zx_vmo_create_child(zx_handle_t handle, uint32_t options, uint64_t offset,
                                            uint64_t size, zx_handle_t* out) {
  // Fuchsia's order: the size must round, NO_WRITE|RESIZABLE is refused, and only then is the
  // handle looked at.
  if (size > VM_OBJECT_PAGED_MAX_SIZE) return ZX_ERR_OUT_OF_RANGE;
  uint64_t rounded = (size + PAGE_MASK) & ~(uint64_t)PAGE_MASK;  // cannot wrap below the max
  if ((options & ZX_VMO_CHILD_NO_WRITE) && (options & ZX_VMO_CHILD_RESIZABLE)) {
    return ZX_ERR_INVALID_ARGS;
  }
  // Writability belongs to the handle, not the object.
  bool no_write = (options & ZX_VMO_CHILD_NO_WRITE) != 0;
  options &= ~ZX_VMO_CHILD_NO_WRITE;
  struct vmo_dispatcher* v;
  zx_rights_t parent_rights;
  zx_status_t status = lookup_vmo(handle, ZX_RIGHT_DUPLICATE | ZX_RIGHT_READ, &v, &parent_rights);
  if (status != ZX_OK) return status;
  status = child_validate(v, options, offset, rounded);
  if (status == ZX_OK && out == NULL) status = ZX_ERR_INVALID_ARGS;
  struct vmo_dispatcher* c = NULL;
  if (status == ZX_OK) status = child_create(v, options, no_write, offset, size, parent_rights, &c);
  if (status == ZX_OK) {
    status = handle_table_add(&c->base, child_rights(parent_rights, options, no_write), out);
    // On failure the child dies with our reference; the parent regains ZERO_CHILDREN.
    vmo_put(c);
    kernel_validate_all();
  }
  vmo_put(v);
  return status;
}

// ---- cache policy, executable -----------------------------------------------------------------

ZXVM_EXPORT zx_status_t zx_vmo_set_cache_policy(zx_handle_t handle, uint32_t cache_policy) {
  // The value is checked before the handle, as Fuchsia does.
  if (cache_policy & ~ZX_CACHE_POLICY_MASK) return ZX_ERR_INVALID_ARGS;
  struct vmo_dispatcher* v;
  zx_status_t status = lookup_vmo(handle, ZX_RIGHT_MAP, &v, NULL);
  if (status != ZX_OK) return status;
  status = vm_object_paged_set_cache_policy(v->vmo, cache_policy);
  vmo_put(v);
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmo_replace_as_executable(zx_handle_t handle, zx_handle_t vmex,
                                                     zx_handle_t* out) {
  zx_status_t status = kernel_ensure_init();
  if (status != ZX_OK) return status;
  // |vmex| must be the VMEX resource, or ZX_HANDLE_INVALID (ambient marking, which the default
  // job's policy allows). zxvm has no resources, so any other handle is of the wrong type.
  zx_status_t vmex_status = ZX_OK;
  if (vmex != ZX_HANDLE_INVALID) {
    struct dispatcher* r;
    vmex_status = handle_table_get(vmex, &r, NULL);
    if (vmex_status == ZX_OK) {
      dispatcher_release(r);
      vmex_status = ZX_ERR_WRONG_TYPE;
    }
  }
  struct dispatcher* d;
  zx_rights_t rights;
  status = handle_table_get(handle, &d, &rights);
  if (status != ZX_OK) return status;
  bool is_vmo = d->type == ZX_OBJ_TYPE_VMO;
  dispatcher_release(d);
  // From here on |handle| is consumed, whatever the outcome.
  if (vmex_status != ZX_OK || !is_vmo || out == NULL) {
    (void)zx_handle_close(handle);
    if (vmex_status != ZX_OK) return vmex_status;
    return is_vmo ? ZX_ERR_INVALID_ARGS : ZX_ERR_BAD_HANDLE;
  }
  struct dispatcher* consumed = NULL;
  status = handle_table_duplicate(handle, rights | ZX_RIGHT_EXECUTE, true, out, &consumed);
  if (consumed != NULL) {
    dispatcher_on_handle_closed(consumed);
    dispatcher_release(consumed);
  }
  return status;
}
