// The VMAR calls: zx_vmar_allocate, map, unmap, protect, op_range, destroy. Options are split
// into VMAR_FLAG_* and ARCH_MMU_FLAG_* exactly as Zircon's split_syscall_flags does
// (vm_split_syscall_flags); the rights rules are those of spec §5 and zx-abi.md §6. In the
// testing build every call that changes an address space ends with vm_aspace_check on it.
#include "zx/zx_priv.h"

// The simulated MMU cannot map execute-only, so READ_IF_XOM_UNSUPPORTED always means READ.
static zx_vm_option_t resolve_xom(zx_vm_option_t options) {
  if (options & ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED) {
    options = (options & ~ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED) | ZX_VM_PERM_READ;
  }
  return options;
}

// The handle rights each requested permission needs.
static zx_rights_t perm_rights(zx_vm_option_t perms) {
  zx_rights_t r = 0;
  if (perms & ZX_VM_PERM_READ) r |= ZX_RIGHT_READ;
  if (perms & ZX_VM_PERM_WRITE) r |= ZX_RIGHT_WRITE;
  if (perms & ZX_VM_PERM_EXECUTE) r |= ZX_RIGHT_EXECUTE;
  return r;
}

// Writable or executable mappings must be readable (no write-only or execute-only mappings).
static bool is_valid_mapping_protection(zx_vm_option_t options) {
  return (options & ZX_VM_PERM_READ) || !(options & (ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE));
}

static zx_status_t lookup_vmar(zx_handle_t handle, zx_rights_t rights, struct vmar_dispatcher** out,
                               zx_rights_t* out_rights) {
  struct dispatcher* d;
  zx_status_t status = dispatcher_lookup(handle, ZX_OBJ_TYPE_VMAR, rights, &d, out_rights);
  if (status != ZX_OK) return status;
  *out = vmar_dispatcher_from(d);
  return ZX_OK;
}

static void vmar_put(struct vmar_dispatcher* v) { dispatcher_release(&v->base); }

static enum vm_op_children op_children_of(zx_rights_t rights) {
  return (rights & ZX_RIGHT_OP_CHILDREN) ? VM_OP_CHILDREN_YES : VM_OP_CHILDREN_NO;
}

static struct vm_aspace* vmar_aspace(struct vmar_dispatcher* v) { return v->vmar->common.aspace; }

// Undoes a VMAR or mapping just created by a call that then failed. Destroying what this thread
// just made can only fail if another thread destroyed it first, which is fine.
static void undo_create(struct vm_address_region_or_mapping* r) {
  zx_status_t status = vm_address_region_or_mapping_destroy(r);
  ZX_DEBUG_ASSERT(status == ZX_OK || status == ZX_ERR_BAD_STATE);
}

// ---- allocate ---------------------------------------------------------------------------------

#define ALLOCATE_VMAR_FLAGS                                                                   \
  (VMAR_FLAG_SPECIFIC | VMAR_FLAG_CAN_MAP_SPECIFIC | VMAR_FLAG_COMPACT | VMAR_CAN_RWX_FLAGS | \
   VMAR_FLAG_OFFSET_IS_UPPER_LIMIT)

// Makes a handle for the new |child|; on failure the child is destroyed again.
static zx_status_t vmar_publish_child(struct vm_address_region* child, zx_rights_t rights,
                                      zx_handle_t* out_handle, zx_vaddr_t* out_addr) {
  struct vmar_dispatcher* cv;
  zx_status_t status = vmar_dispatcher_create(child, false, &cv);
  if (status != ZX_OK) {
    undo_create(&child->common);
    vm_address_region_or_mapping_release(&child->common);
    return status;
  }
  status = handle_table_add(&cv->base, rights, out_handle);
  if (status == ZX_OK) {
    *out_addr = vm_region_base(&child->common);
  } else {
    undo_create(&child->common);
  }
  vmar_put(cv);
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmar_allocate(zx_handle_t parent_vmar, zx_vm_option_t options,
                                         size_t offset, size_t size, zx_handle_t* child_vmar,
                                         zx_vaddr_t* child_addr) {
  zx_rights_t need = 0;
  if (options & ZX_VM_CAN_MAP_READ) need |= ZX_RIGHT_READ;
  if (options & ZX_VM_CAN_MAP_WRITE) need |= ZX_RIGHT_WRITE;
  if (options & ZX_VM_CAN_MAP_EXECUTE) need |= ZX_RIGHT_EXECUTE;
  struct vmar_dispatcher* v;
  zx_status_t status = lookup_vmar(parent_vmar, need, &v, NULL);
  if (status != ZX_OK) return status;
  uint32_t vmar_flags, mmu_flags;
  uint8_t align;
  bool map_range;
  status = vm_split_syscall_flags(options, &vmar_flags, &mmu_flags, &align, &map_range);
  if (status == ZX_OK && (mmu_flags != 0 || map_range || (vmar_flags & ~ALLOCATE_VMAR_FLAGS))) {
    status = ZX_ERR_INVALID_ARGS;
  }
  if (status == ZX_OK && (child_vmar == NULL || child_addr == NULL)) status = ZX_ERR_INVALID_ARGS;
  struct vm_address_region* child = NULL;
  if (status == ZX_OK) {
    status = vm_address_region_create_sub_vmar(v->vmar, offset, size, align, vmar_flags,
                                               "useralloc", &child);
  }
  if (status == ZX_OK) {
    zx_rights_t rights = ZX_DEFAULT_VMAR_RIGHTS | need;
    status = vmar_publish_child(child, rights, child_vmar, child_addr);
    kernel_validate_aspace(vmar_aspace(v));
  }
  vmar_put(v);
  return status;
}

// ---- map --------------------------------------------------------------------------------------

struct map_request {
  zx_vm_option_t options;  // after the rights pass: CAN_MAP_* added, XOM resolved
  uint32_t vmar_flags;
  uint32_t mmu_flags;
  uint8_t align;
  bool map_range;
};

// The rights and option checks of vmar_map_common, in Fuchsia's order.
static zx_status_t map_check(zx_vm_option_t options, zx_rights_t vmar_rights,
                             zx_rights_t vmo_rights, struct vmo_dispatcher* vmo,
                             struct map_request* req) {
  if (!(vmo_rights & ZX_RIGHT_MAP)) return ZX_ERR_ACCESS_DENIED;
  options = resolve_xom(options);
  if (!is_valid_mapping_protection(options)) return ZX_ERR_INVALID_ARGS;
  if ((options & ZX_VM_MAP_RANGE) && (options & ZX_VM_SPECIFIC_OVERWRITE)) {
    return ZX_ERR_INVALID_ARGS;
  }
  if (options & (ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_EXECUTE)) {
    return ZX_ERR_INVALID_ARGS;
  }
  zx_rights_t both = vmar_rights & vmo_rights;
  if ((perm_rights(options) & both) != perm_rights(options)) return ZX_ERR_ACCESS_DENIED;
  // What both handles allow becomes the mapping's ceiling for later protects.
  if (both & ZX_RIGHT_READ) options |= ZX_VM_CAN_MAP_READ;
  if (both & ZX_RIGHT_WRITE) options |= ZX_VM_CAN_MAP_WRITE;
  if (both & ZX_RIGHT_EXECUTE) options |= ZX_VM_CAN_MAP_EXECUTE;
  zx_status_t status = vm_split_syscall_flags(options, &req->vmar_flags, &req->mmu_flags,
                                              &req->align, &req->map_range);
  if (status != ZX_OK) return status;
  if ((req->vmar_flags & VMAR_FLAG_FAULT_BEYOND_STREAM_SIZE) &&
      !(req->vmar_flags & VMAR_FLAG_ALLOW_FAULTS)) {
    return ZX_ERR_INVALID_ARGS;
  }
  if ((req->vmar_flags & VMAR_FLAG_REQUIRE_NON_RESIZABLE) &&
      (vmo->create_options & ZX_VMO_RESIZABLE)) {
    return ZX_ERR_NOT_SUPPORTED;
  }
  if ((vmo->create_options & ZX_VMO_DISCARDABLE) && !(req->vmar_flags & VMAR_FLAG_ALLOW_FAULTS)) {
    return ZX_ERR_NOT_SUPPORTED;
  }
  req->options = options;
  req->mmu_flags |= ARCH_MMU_FLAG_PERM_USER;
  return ZX_OK;
}

// Creates the mapping, pre-populates it for MAP_RANGE, and hands it to the merge logic.
static zx_status_t map_create(struct vmar_dispatcher* v, struct vmo_dispatcher* vmo,
                              const struct map_request* req, size_t vmar_offset,
                              uint64_t vmo_offset, size_t len, zx_vaddr_t* mapped_addr) {
  struct vm_mapping* m;
  vaddr_t base;
  zx_status_t status = vm_address_region_create_vm_mapping(
      v->vmar, vmar_offset, len, req->align, req->vmar_flags, &vmo->vmo->base, vmo_offset,
      req->mmu_flags, "useralloc", &m, &base);
  if (status != ZX_OK) return status;
  if (req->map_range) {
    status = vm_mapping_map_range(m, 0, vm_mapping_size(m), false, true);
    if (status != ZX_OK) {
      undo_create(&m->common);
      vm_address_region_or_mapping_release(&m->common);
      return status;
    }
  }
  *mapped_addr = base;
  vm_mapping_mark_mergeable(m);
  return ZX_OK;
}

ZXVM_EXPORT zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options, size_t vmar_offset,
                                    zx_handle_t vmo, uint64_t vmo_offset, size_t len,
                                    zx_vaddr_t* mapped_addr) {
  struct vmar_dispatcher* v;
  zx_rights_t vmar_rights;
  zx_status_t status = lookup_vmar(handle, 0, &v, &vmar_rights);
  if (status != ZX_OK) return status;
  struct dispatcher* d;
  zx_rights_t vmo_rights;
  status = dispatcher_lookup(vmo, ZX_OBJ_TYPE_VMO, 0, &d, &vmo_rights);
  if (status != ZX_OK) {
    vmar_put(v);
    return status;
  }
  struct vmo_dispatcher* vd = vmo_dispatcher_from(d);
  struct map_request req;
  status = map_check(options, vmar_rights, vmo_rights, vd, &req);
  if (status == ZX_OK && mapped_addr == NULL) status = ZX_ERR_INVALID_ARGS;
  if (status == ZX_OK) {
    status = map_create(v, vd, &req, vmar_offset, vmo_offset, len, mapped_addr);
    kernel_validate_aspace(vmar_aspace(v));
  }
  dispatcher_release(d);
  vmar_put(v);
  return status;
}

// ---- unmap, protect, op_range, destroy --------------------------------------------------------

ZXVM_EXPORT zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, size_t len) {
  struct vmar_dispatcher* v;
  zx_rights_t rights;
  zx_status_t status = lookup_vmar(handle, 0, &v, &rights);
  if (status != ZX_OK) return status;
  status = vm_address_region_unmap(v->vmar, addr, len, op_children_of(rights), false);
  kernel_validate_aspace(vmar_aspace(v));
  vmar_put(v);
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmar_protect(zx_handle_t handle, zx_vm_option_t options, zx_vaddr_t addr,
                                        size_t len) {
  options = resolve_xom(options);
  struct vmar_dispatcher* v;
  zx_rights_t rights;
  zx_status_t status = lookup_vmar(handle, perm_rights(options), &v, &rights);
  if (status != ZX_OK) return status;
  uint32_t vmar_flags, mmu_flags;
  uint8_t align;
  bool map_range;
  if (!is_valid_mapping_protection(options)) {
    status = ZX_ERR_INVALID_ARGS;
  } else {
    status = vm_split_syscall_flags(options, &vmar_flags, &mmu_flags, &align, &map_range);
    // Only permission bits are meaningful here.
    if (status == ZX_OK && (vmar_flags != 0 || align != 0 || map_range)) {
      status = ZX_ERR_INVALID_ARGS;
    }
  }
  if (status == ZX_OK) {
    status = vm_address_region_protect(v->vmar, addr, len, mmu_flags | ARCH_MMU_FLAG_PERM_USER,
                                       op_children_of(rights));
    kernel_validate_aspace(vmar_aspace(v));
  }
  vmar_put(v);
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmar_op_range(zx_handle_t handle, uint32_t op, zx_vaddr_t address,
                                         size_t size, void* buffer, size_t buffer_size) {
  struct vmar_dispatcher* v;
  zx_rights_t rights;
  zx_status_t status = lookup_vmar(handle, 0, &v, &rights);
  if (status != ZX_OK) return status;
  // The right each op needs on the VMAR handle (2025 kernels): the ops that change contents need
  // WRITE, the ones that populate page tables need READ, the hints nothing.
  switch (op) {
    case ZX_VMAR_OP_COMMIT:
    case ZX_VMAR_OP_DECOMMIT:
    case ZX_VMAR_OP_ZERO:
      if (!(rights & ZX_RIGHT_WRITE)) status = ZX_ERR_ACCESS_DENIED;
      break;
    case ZX_VMAR_OP_MAP_RANGE:
    case ZX_VMAR_OP_PREFETCH:
      if (!(rights & ZX_RIGHT_READ)) status = ZX_ERR_ACCESS_DENIED;
      break;
    case ZX_VMAR_OP_DONT_NEED:
    case ZX_VMAR_OP_ALWAYS_NEED:
      break;
    default:
      status = ZX_ERR_INVALID_ARGS;
      break;
  }
  if (status == ZX_OK) {
    status = vm_address_region_range_op(v->vmar, op, address, size, op_children_of(rights), buffer,
                                        buffer_size);
    kernel_validate_aspace(vmar_aspace(v));
  }
  vmar_put(v);
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmar_destroy(zx_handle_t handle) {
  struct vmar_dispatcher* v;
  zx_status_t status = lookup_vmar(handle, ZX_RIGHT_OP_CHILDREN, &v, NULL);
  if (status != ZX_OK) return status;
  if (v->is_root) {
    status = ZX_ERR_NOT_SUPPORTED;
  } else {
    status = vm_address_region_or_mapping_destroy(&v->vmar->common);
    kernel_validate_aspace(vmar_aspace(v));
  }
  vmar_put(v);
  return status;
}
