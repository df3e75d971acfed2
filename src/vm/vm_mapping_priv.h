// Functions shared by vm_mapping.c and vm_mapping_fault.c (not part of the VM core's contract).
#ifndef ZXVM_VM_VM_MAPPING_PRIV_H_
#define ZXVM_VM_VM_MAPPING_PRIV_H_

#include "vm/vm_address_region.h"

// The range_change callback installed in the mapping's VMO tree node: dispatches a VMO range
// change to the Aspace*LockedObject method for |op|. VMO lock held.
void vm_mapping_range_change(struct vm_object_mapping_node* node, uint32_t op, uint64_t offset,
                             uint64_t len);

// Arch-unmaps [|base|, |base|+|size|) of |m| (Enlarge in user aspaces, plus |extra_options|).
zx_status_t vm_mapping_arch_unmap(struct vm_mapping* m, vaddr_t base, size_t size,
                                  uint32_t extra_options) WARN_UNUSED;

// ProtectOrUnmap (spec §2): |flags| never include WRITE.
zx_status_t vm_mapping_protect_or_unmap(struct vm_mapping* m, vaddr_t base, size_t size,
                                        uint32_t flags) WARN_UNUSED;

// Printer context for protection-run lines of a dump.
struct vm_mapping_run_printer {
  const struct printer* out;
  unsigned depth;
};
zx_status_t vm_mapping_dump_run(void* ctx, vaddr_t base, size_t len, uint32_t flags);

#endif  // ZXVM_VM_VM_MAPPING_PRIV_H_
