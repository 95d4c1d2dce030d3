#ifndef PK_GOLDEN_H
#define PK_GOLDEN_H
#include "prunekit_kernels.h"
/* Compares backend `be` against the engine's goldens in dir (see golden.c); 1 when all pass. */
int pk_golden_check(const pk_backend* be, const char* dir);
#endif
