/*
 * harness.h — what the kernel tests share: a seeded generator, the one tolerance rule
 * |ref - x| <= tol + |ref| * eps (a failure prints the largest violation and where), and the op
 * cases: each op's forward and backward driven through any pk_backend from host arrays, so the
 * CPU test can take finite differences and the CUDA test can compare backends on the same inputs.
 */
#ifndef PK_HARNESS_H
#define PK_HARNESS_H

#include "prunekit_kernels.h"

#include <stddef.h>
#include <stdint.h>

/* Tolerances per dtype: fp32 outputs of accumulations of k terms, bf16 storage. */
#define PK_TOL_FP32 1e-5
#define PK_EPS_FP32(k) (1.2e-7 * (k))
#define PK_TOL_BF16 1e-3
#define PK_EPS_BF16 8e-3

typedef struct pk_rng { uint64_t s; } pk_rng;
float pk_uniform(pk_rng* r);                 /* [-1, 1) */
void pk_fill(pk_rng* r, float* x, size_t n, float scale);

/* 1 when every element passes; otherwise prints "FAIL what: ..." and returns 0. */
int pk_close(const char* what, const float* ref, const float* x, size_t n, double tol, double eps);

/* An op case: up to 4 float inputs; one output; gradients of the inputs marked grad. */
#define PK_MAX_IN 4
typedef struct pk_case {
    const char* name;
    int nin;
    size_t insz[PK_MAX_IN];
    int grad[PK_MAX_IN];
    float scale[PK_MAX_IN];     /* inputs are uniform in [-scale, scale) */
    size_t outsz;
    int uniform_dout;           /* a loss: backward takes one scale for every row */
    int k;                      /* the accumulation length, for the fp32 tolerance */
    void (*fwd)(const pk_backend* be, float* const* in, float* out);
    void (*bwd)(const pk_backend* be, float* const* in, const float* dout, float* const* din);
} pk_case;

/* All cases; *count gets their number. */
const pk_case* pk_cases(int* count);

/* Host helpers over a backend's memory. */
float* pk_up(const pk_backend* be, const float* host, size_t n);
void pk_down(const pk_backend* be, float* host, float* dev, size_t n); /* downloads and frees dev */

#endif
