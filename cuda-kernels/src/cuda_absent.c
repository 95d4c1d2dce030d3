/* cuda_absent.c — linked instead of cuda_backend.cu when the build found no CUDA compiler. */
#include "prunekit_kernels.h"

#include <stdio.h>

const pk_backend* pk_backend_cuda(void) { return NULL; }

int pk_cuda_available(char* msg, size_t cap) {
    snprintf(msg, cap, "this libprunekit_kernels was built without CUDA (no nvcc at build time); "
             "rebuild with nvcc on PATH (cmake -DPK_CUDA=ON)");
    return 0;
}
