// Page-fault flags (Zircon's VMM_PF_FLAG_*, values as in the kernel's fault.h): what a fault
// reports about the access that caused it. Produced by the arch layer (the simulated CPU, the host
// backend's signal handler) and consumed by the VM core's fault path.
#ifndef ZXVM_ARCH_FAULT_FLAGS_H_
#define ZXVM_ARCH_FAULT_FLAGS_H_

#define VMM_PF_FLAG_WRITE (1u << 0)
#define VMM_PF_FLAG_USER (1u << 1)
#define VMM_PF_FLAG_GUEST (1u << 2)
#define VMM_PF_FLAG_INSTRUCTION (1u << 3)
#define VMM_PF_FLAG_NOT_PRESENT (1u << 4)
#define VMM_PF_FLAG_HW_FAULT (1u << 5)
#define VMM_PF_FLAG_SW_FAULT (1u << 6)
#define VMM_PF_FLAG_ACCESS (1u << 7)
#define VMM_PF_FLAG_FAULT_MASK (VMM_PF_FLAG_HW_FAULT | VMM_PF_FLAG_SW_FAULT)

#endif  // ZXVM_ARCH_FAULT_FLAGS_H_
