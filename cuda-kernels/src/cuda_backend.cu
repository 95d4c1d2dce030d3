/*
 * cuda_backend.cu — the CUDA backend of prunekit_kernels.h, op for op the same as cpu_backend.c
 * (the oracle; test/test_cuda.c compares them). Straightforward over fast: one thread per output
 * element or one block per row, fp32 accumulation (bf16 storage where the name says so), one
 * shared-memory tiled GEMM with strides that serves the forward and both backward products; no
 * cuBLAS. Reductions that the CPU does in double are done here in fp32 per thread/block.
 * Built by nvcc for sm_80 and sm_90 (CMakeLists.txt). Every launch is checked: the first failure
 * is kept with the op's name and shapes and reported by check().
 */
#include "prunekit_kernels.h"

#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static char g_error[512];

static void record(cudaError_t e, const char* op, const char* shapes) {
    if (e != cudaSuccess && g_error[0] == 0) {
        snprintf(g_error, sizeof g_error, "CUDA %s failed (%s) at %s: %s; run under compute-sanitizer to find "
                 "the access, or check that the device has memory for these shapes", op, shapes,
                 cudaGetErrorName(e), cudaGetErrorString(e));
    }
}

#define LAUNCHED(op, ...)                                                  \
    do {                                                                   \
        cudaError_t e_ = cudaGetLastError();                               \
        if (e_ != cudaSuccess) {                                           \
            char s_[160];                                                  \
            snprintf(s_, sizeof s_, __VA_ARGS__);                          \
            record(e_, op, s_);                                            \
        }                                                                  \
    } while (0)

static unsigned blocks(size_t n, unsigned t) { return (unsigned) ((n + t - 1) / t); }

/* ---- memory ---- */
static void* cu_alloc(size_t bytes) {
    void* p = NULL;
    cudaError_t e = cudaMalloc(&p, bytes ? bytes : 1);
    if (e != cudaSuccess) { record(e, "alloc", "cudaMalloc"); return NULL; }
    record(cudaMemset(p, 0, bytes ? bytes : 1), "alloc", "cudaMemset");
    return p;
}
static void cu_free(void* p) { record(cudaFree(p), "free", "cudaFree"); }
static void cu_upload(void* d, const void* h, size_t n) { record(cudaMemcpy(d, h, n, cudaMemcpyHostToDevice), "upload", "H2D"); }
static void cu_download(void* h, const void* d, size_t n) { record(cudaMemcpy(h, d, n, cudaMemcpyDeviceToHost), "download", "D2H"); }
static void cu_zero(void* p, size_t n) { record(cudaMemset(p, 0, n), "zero", "cudaMemset"); }
static void cu_copy(void* d, const void* s, size_t n) { record(cudaMemcpy(d, s, n, cudaMemcpyDeviceToDevice), "copy", "D2D"); }
static int cu_check(char* msg, size_t cap) {
    record(cudaDeviceSynchronize(), "synchronize", "after the last op");
    if (g_error[0]) { snprintf(msg, cap, "%s", g_error); return 1; }
    return 0;
}

/* ---- block reductions (blockDim.x a multiple of 32, at most 1024) ---- */
__device__ float block_sum(float v) {
    __shared__ float sh[32];
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
    __syncthreads();
    if (lane == 0) sh[w] = v;
    __syncthreads();
    int nw = blockDim.x >> 5;
    v = threadIdx.x < nw ? sh[threadIdx.x] : 0.0f;
    if (w == 0) for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    if (threadIdx.x == 0) sh[0] = v;
    __syncthreads();
    return sh[0];
}

__device__ float block_max(float v) {
    __shared__ float sh[32];
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
    __syncthreads();
    if (lane == 0) sh[w] = v;
    __syncthreads();
    int nw = blockDim.x >> 5;
    v = threadIdx.x < nw ? sh[threadIdx.x] : -INFINITY;
    if (w == 0) for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    if (threadIdx.x == 0) sh[0] = v;
    __syncthreads();
    return sh[0];
}

/* ---- embedding ---- */
__global__ void k_embedding_forward(float* out, const int32_t* ids, const float* wte, int N, int C) {
    size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x;
    if (i < (size_t) N * C) out[i] = wte[(size_t) ids[i / C] * C + i % C];
}
__global__ void k_embedding_backward(float* dwte, const float* dout, const int32_t* ids, int N, int C) {
    size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x;
    if (i < (size_t) N * C) atomicAdd(&dwte[(size_t) ids[i / C] * C + i % C], dout[i]);
}
static void embedding_forward(float* out, const int32_t* ids, const float* wte, int N, int C) {
    k_embedding_forward<<<blocks((size_t) N * C, 256), 256>>>(out, ids, wte, N, C);
    LAUNCHED("embedding_forward", "N %d C %d", N, C);
}
static void embedding_backward(float* dwte, const float* dout, const int32_t* ids, int N, int C) {
    k_embedding_backward<<<blocks((size_t) N * C, 256), 256>>>(dwte, dout, ids, N, C);
    LAUNCHED("embedding_backward", "N %d C %d", N, C);
}

/* ---- RMSNorm: one block per row ---- */
__global__ void k_rmsnorm_forward(float* out, float* rstd, const float* x, const float* w, int C, float eps) {
    const float* xr = x + (size_t) blockIdx.x * C;
    float s = 0;
    for (int c = threadIdx.x; c < C; c += blockDim.x) s += xr[c] * xr[c];
    s = block_sum(s);
    float r = rsqrtf(s / C + eps);
    if (threadIdx.x == 0) rstd[blockIdx.x] = r;
    for (int c = threadIdx.x; c < C; c += blockDim.x) out[(size_t) blockIdx.x * C + c] = xr[c] * r * w[c];
}
__global__ void k_rmsnorm_backward_dx(float* dx, const float* dout, const float* x, const float* w, const float* rstd, int C) {
    size_t row = (size_t) blockIdx.x * C;
    float d = 0;
    for (int c = threadIdx.x; c < C; c += blockDim.x) d += w[c] * dout[row + c] * x[row + c];
    d = block_sum(d);
    float r = rstd[blockIdx.x], k = d * r * r * r / C;
    for (int c = threadIdx.x; c < C; c += blockDim.x) dx[row + c] += r * w[c] * dout[row + c] - x[row + c] * k;
}
__global__ void k_rmsnorm_backward_dw(float* dw, const float* dout, const float* x, const float* rstd, int N, int C) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= C) return;
    float s = 0;
    for (int n = 0; n < N; n++) s += dout[(size_t) n * C + c] * x[(size_t) n * C + c] * rstd[n];
    dw[c] += s;
}
static void rmsnorm_forward(float* out, float* rstd, const float* x, const float* w, int N, int C, float eps) {
    k_rmsnorm_forward<<<N, 256>>>(out, rstd, x, w, C, eps);
    LAUNCHED("rmsnorm_forward", "N %d C %d", N, C);
}
static void rmsnorm_backward(float* dx, float* dw, const float* dout, const float* x, const float* w,
                             const float* rstd, int N, int C) {
    k_rmsnorm_backward_dx<<<N, 256>>>(dx, dout, x, w, rstd, C);
    k_rmsnorm_backward_dw<<<blocks(C, 128), 128>>>(dw, dout, x, rstd, N, C);
    LAUNCHED("rmsnorm_backward", "N %d C %d", N, C);
}

/* ---- tiled GEMM: Cm[m, n] (+)= sum_k A(m, k) B(k, n) + bias[n]; A(m, k) = A[m*sam + k*sak],
 * B(k, n) = B[k*sbk + n*sbn]; 32x32 output tiles, 32-deep K slices in shared memory, each thread
 * of a 32x8 block computes 4 outputs of a column. ---- */
#define TILE 32
__device__ __forceinline__ float load(const float* p, size_t i) { return p[i]; }
__device__ __forceinline__ float load(const __nv_bfloat16* p, size_t i) { return __bfloat162float(p[i]); }

template <typename T>
__global__ void k_gemm(float* Cm, const T* A, const T* B, const float* bias, int M, int N, int K,
                       size_t sam, size_t sak, size_t sbk, size_t sbn, int accumulate) {
    __shared__ float As[TILE][TILE + 1];
    __shared__ float Bs[TILE][TILE + 1];
    int tx = threadIdx.x, ty = threadIdx.y;              /* tx 0..31, ty 0..7 */
    int m0 = blockIdx.y * TILE, n0 = blockIdx.x * TILE;
    float acc[4] = {0, 0, 0, 0};
    for (int k0 = 0; k0 < K; k0 += TILE) {
        for (int r = ty; r < TILE; r += 8) {
            int m = m0 + r, k = k0 + tx;
            As[r][tx] = (m < M && k < K) ? load(A, m * sam + k * sak) : 0.0f;
            int kk = k0 + r, n = n0 + tx;
            Bs[r][tx] = (kk < K && n < N) ? load(B, kk * sbk + n * sbn) : 0.0f;
        }
        __syncthreads();
        for (int k = 0; k < TILE; k++) {
            float b = Bs[k][tx];
            for (int j = 0; j < 4; j++) acc[j] += As[ty + 8 * j][k] * b;
        }
        __syncthreads();
    }
    int n = n0 + tx;
    if (n >= N) return;
    for (int j = 0; j < 4; j++) {
        int m = m0 + ty + 8 * j;
        if (m >= M) continue;
        float v = acc[j] + (bias ? bias[n] : 0.0f);
        size_t at = (size_t) m * N + n;
        Cm[at] = accumulate ? Cm[at] + v : v;
    }
}

template <typename T>
static void gemm(float* Cm, const T* A, const T* B, const float* bias, int M, int N, int K, size_t sam, size_t sak,
                 size_t sbk, size_t sbn, int accumulate) {
    dim3 grid(blocks(N, TILE), blocks(M, TILE)), block(TILE, 8);
    k_gemm<T><<<grid, block>>>(Cm, A, B, bias, M, N, K, sam, sak, sbk, sbn, accumulate);
}

__global__ void k_colsum(float* db, const float* dout, int N, int OC) {
    int o = blockIdx.x * blockDim.x + threadIdx.x;
    if (o >= OC) return;
    float s = 0;
    for (int n = 0; n < N; n++) s += dout[(size_t) n * OC + o];
    db[o] += s;
}

static void matmul_forward(float* out, const float* x, const float* w, const float* bias, int N, int IC, int OC) {
    gemm<float>(out, x, w, bias, N, OC, IC, IC, 1, 1, IC, 0);             /* x (N, IC) · w^T */
    LAUNCHED("matmul_forward", "N %d IC %d OC %d", N, IC, OC);
}
static void matmul_backward(float* dx, float* dw, float* dbias, const float* dout, const float* x,
                            const float* w, int N, int IC, int OC) {
    gemm<float>(dx, dout, w, NULL, N, IC, OC, OC, 1, IC, 1, 1);           /* dout (N, OC) · w (OC, IC) */
    gemm<float>(dw, dout, x, NULL, OC, IC, N, 1, OC, IC, 1, 1);           /* dout^T (OC, N) · x (N, IC) */
    if (dbias) k_colsum<<<blocks(OC, 128), 128>>>(dbias, dout, N, OC);
    LAUNCHED("matmul_backward", "N %d IC %d OC %d", N, IC, OC);
}
static void matmul_forward_bf16(float* out, const pk_bf16* x, const pk_bf16* w, const float* bias, int N, int IC, int OC) {
    gemm<__nv_bfloat16>(out, (const __nv_bfloat16*) x, (const __nv_bfloat16*) w, bias, N, OC, IC, IC, 1, 1, IC, 0);
    LAUNCHED("matmul_forward_bf16", "N %d IC %d OC %d", N, IC, OC);
}

__global__ void k_to_bf16(__nv_bfloat16* o, const float* x, size_t n) {
    size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x;
    if (i < n) o[i] = __float2bfloat16_rn(x[i]);
}
__global__ void k_from_bf16(float* o, const __nv_bfloat16* x, size_t n) {
    size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x;
    if (i < n) o[i] = __bfloat162float(x[i]);
}
static void to_bf16(pk_bf16* out, const float* x, size_t n) {
    k_to_bf16<<<blocks(n, 256), 256>>>((__nv_bfloat16*) out, x, n);
    LAUNCHED("to_bf16", "n %zu", n);
}
static void from_bf16(float* out, const pk_bf16* x, size_t n) {
    k_from_bf16<<<blocks(n, 256), 256>>>(out, (const __nv_bfloat16*) x, n);
    LAUNCHED("from_bf16", "n %zu", n);
}

/* ---- RoPE: one thread per rotated pair ---- */
__global__ void k_rope(float* x, const float* cs, const float* sn, int B, int T, int H, int hd, float dir) {
    int half = hd / 2;
    size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x;
    if (i >= (size_t) B * T * H * half) return;
    int j = i % half;
    size_t row = i / half;                 /* (b, t, h) */
    int t = (row / H) % T;
    float* r = x + row * hd;
    float c = cs[t * half + j], s = dir * sn[t * half + j];
    float x1 = r[j], x2 = r[j + half];
    r[j] = x1 * c - x2 * s;
    r[j + half] = x2 * c + x1 * s;
}
static void rope_forward(float* x, const float* c, const float* s, int B, int T, int H, int hd) {
    k_rope<<<blocks((size_t) B * T * H * (hd / 2), 256), 256>>>(x, c, s, B, T, H, hd, 1.0f);
    LAUNCHED("rope_forward", "B %d T %d H %d hd %d", B, T, H, hd);
}
static void rope_backward(float* d, const float* c, const float* s, int B, int T, int H, int hd) {
    k_rope<<<blocks((size_t) B * T * H * (hd / 2), 256), 256>>>(d, c, s, B, T, H, hd, -1.0f);
    LAUNCHED("rope_backward", "B %d T %d H %d hd %d", B, T, H, hd);
}

/* ---- attention: scores, row softmax, P·V as three plain kernels ---- */
#define QAT(b, t, h) ((((size_t) (b) * T + (t)) * QH + (h)) * hd)
#define KAT(b, t, h) ((((size_t) (b) * T + (t)) * KVH + (h)) * hd)
#define PAT(b, h, t) ((((size_t) (b) * QH + (h)) * T + (t)) * T)

__global__ void k_att_scores(float* p, const float* q, const float* k, int B, int T, int QH, int KVH, int hd, float scale) {
    size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x;
    if (i >= (size_t) B * QH * T * T) return;
    int s = i % T, t = (i / T) % T, h = (i / T / T) % QH, b = i / T / T / QH;
    if (s > t) { p[i] = 0.0f; return; }
    const float* qr = q + QAT(b, t, h);
    const float* kr = k + KAT(b, s, h / (QH / KVH));
    float d = 0;
    for (int j = 0; j < hd; j++) d += qr[j] * kr[j];
    p[i] = d * scale;
}
__global__ void k_att_softmax(float* p, int rows, int T) {
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    int t = r % T;
    float* pr = p + (size_t) r * T;
    float mx = -INFINITY;
    for (int s = 0; s <= t; s++) mx = fmaxf(mx, pr[s]);
    float sum = 0;
    for (int s = 0; s <= t; s++) sum += expf(pr[s] - mx);
    for (int s = 0; s <= t; s++) pr[s] = expf(pr[s] - mx) / sum;
}
__global__ void k_att_pv(float* out, const float* p, const float* v, int B, int T, int QH, int KVH, int hd) {
    size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x;
    if (i >= (size_t) B * T * QH * hd) return;
    int j = i % hd, h = (i / hd) % QH, t = (i / hd / QH) % T, b = i / hd / QH / T;
    const float* pr = p + PAT(b, h, t);
    int kh = h / (QH / KVH);
    float a = 0;
    for (int s = 0; s <= t; s++) a += pr[s] * v[KAT(b, s, kh) + j];
    out[i] = a;
}
static void attention_forward(float* out, float* probs, const float* q, const float* k, const float* v,
                              int B, int T, int QH, int KVH, int hd) {
    size_t np = (size_t) B * QH * T * T;
    k_att_scores<<<blocks(np, 256), 256>>>(probs, q, k, B, T, QH, KVH, hd, 1.0f / sqrtf((float) hd));
    k_att_softmax<<<blocks((size_t) B * QH * T, 128), 128>>>(probs, B * QH * T, T);
    k_att_pv<<<blocks((size_t) B * T * QH * hd, 256), 256>>>(out, probs, v, B, T, QH, KVH, hd);
    LAUNCHED("attention_forward", "B %d T %d QH %d KVH %d hd %d", B, T, QH, KVH, hd);
}

/* dS = P * (dP - rowsum(P * dP)) with dP[t, s] = dout[t] · v[s] */
__global__ void k_att_dp(float* ds, const float* dout, const float* v, int B, int T, int QH, int KVH, int hd) {
    size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x;
    if (i >= (size_t) B * QH * T * T) return;
    int s = i % T, t = (i / T) % T, h = (i / T / T) % QH, b = i / T / T / QH;
    if (s > t) { ds[i] = 0.0f; return; }
    const float* dr = dout + QAT(b, t, h);
    const float* vr = v + KAT(b, s, h / (QH / KVH));
    float d = 0;
    for (int j = 0; j < hd; j++) d += dr[j] * vr[j];
    ds[i] = d;
}
__global__ void k_att_ds(float* ds, const float* p, int rows, int T) {
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    int t = r % T;
    float* d = ds + (size_t) r * T;
    const float* pr = p + (size_t) r * T;
    float dot = 0;
    for (int s = 0; s <= t; s++) dot += pr[s] * d[s];
    for (int s = 0; s <= t; s++) d[s] = pr[s] * (d[s] - dot);
}
__global__ void k_att_dq(float* dq, const float* ds, const float* k, int B, int T, int QH, int KVH, int hd, float scale) {
    size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x;
    if (i >= (size_t) B * T * QH * hd) return;
    int j = i % hd, h = (i / hd) % QH, t = (i / hd / QH) % T, b = i / hd / QH / T;
    const float* dr = ds + PAT(b, h, t);
    int kh = h / (QH / KVH);
    float a = 0;
    for (int s = 0; s <= t; s++) a += dr[s] * k[KAT(b, s, kh) + j];
    dq[i] += a * scale;
}
/* dk[s] = scale * sum over the group's heads and t >= s of dS[t, s] q[t]; dv[s] = sum P[t, s] dout[t] */
__global__ void k_att_dkv(float* dk, float* dv, const float* ds, const float* p, const float* q, const float* dout,
                          int B, int T, int QH, int KVH, int hd, float scale) {
    size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x;
    if (i >= (size_t) B * T * KVH * hd) return;
    int j = i % hd, kh = (i / hd) % KVH, s = (i / hd / KVH) % T, b = i / hd / KVH / T;
    int rep = QH / KVH;
    float ak = 0, av = 0;
    for (int h = kh * rep; h < (kh + 1) * rep; h++) {
        for (int t = s; t < T; t++) {
            ak += ds[PAT(b, h, t) + s] * q[QAT(b, t, h) + j];
            av += p[PAT(b, h, t) + s] * dout[QAT(b, t, h) + j];
        }
    }
    dk[i] += ak * scale;
    dv[i] += av;
}
static void attention_backward(float* dq, float* dk, float* dv, float* scratch, const float* dout,
                               const float* q, const float* k, const float* v, const float* probs,
                               int B, int T, int QH, int KVH, int hd) {
    size_t np = (size_t) B * QH * T * T;
    float scale = 1.0f / sqrtf((float) hd);
    k_att_dp<<<blocks(np, 256), 256>>>(scratch, dout, v, B, T, QH, KVH, hd);
    k_att_ds<<<blocks((size_t) B * QH * T, 128), 128>>>(scratch, probs, B * QH * T, T);
    k_att_dq<<<blocks((size_t) B * T * QH * hd, 256), 256>>>(dq, scratch, k, B, T, QH, KVH, hd, scale);
    k_att_dkv<<<blocks((size_t) B * T * KVH * hd, 256), 256>>>(dk, dv, scratch, probs, q, dout, B, T, QH, KVH, hd, scale);
    LAUNCHED("attention_backward", "B %d T %d QH %d KVH %d hd %d", B, T, QH, KVH, hd);
}

/* ---- elementwise ---- */
__global__ void k_swiglu_forward(float* out, const float* g, const float* u, size_t n) {
    size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x;
    if (i < n) out[i] = g[i] / (1.0f + expf(-g[i])) * u[i];
}
__global__ void k_swiglu_backward(float* dg, float* du, const float* d, const float* g, const float* u, size_t n) {
    size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x;
    if (i >= n) return;
    float x = g[i], sg = 1.0f / (1.0f + expf(-x));
    du[i] += d[i] * x * sg;
    dg[i] += d[i] * u[i] * sg * (1.0f + x * (1.0f - sg));
}
__global__ void k_add(float* y, const float* x, size_t n) {
    size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x;
    if (i < n) y[i] += x[i];
}
__global__ void k_scale(float* y, float s, size_t n) {
    size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x;
    if (i < n) y[i] *= s;
}
static void swiglu_forward(float* out, const float* g, const float* u, size_t n) {
    k_swiglu_forward<<<blocks(n, 256), 256>>>(out, g, u, n);
    LAUNCHED("swiglu_forward", "n %zu", n);
}
static void swiglu_backward(float* dg, float* du, const float* d, const float* g, const float* u, size_t n) {
    k_swiglu_backward<<<blocks(n, 256), 256>>>(dg, du, d, g, u, n);
    LAUNCHED("swiglu_backward", "n %zu", n);
}
static void add_inplace(float* y, const float* x, size_t n) {
    k_add<<<blocks(n, 256), 256>>>(y, x, n);
    LAUNCHED("add_inplace", "n %zu", n);
}
static void scale_inplace(float* y, float s, size_t n) {
    k_scale<<<blocks(n, 256), 256>>>(y, s, n);
    LAUNCHED("scale_inplace", "n %zu", n);
}

/* ---- losses: one block per row ---- */
__global__ void k_crossentropy(float* losses, float* dz, const float* z, const int32_t* tg, int V, float dscale) {
    const float* zr = z + (size_t) blockIdx.x * V;
    float mx = -INFINITY;
    for (int i = threadIdx.x; i < V; i += blockDim.x) mx = fmaxf(mx, zr[i]);
    mx = block_max(mx);
    float s = 0;
    for (int i = threadIdx.x; i < V; i += blockDim.x) s += expf(zr[i] - mx);
    s = block_sum(s);
    float lse = mx + logf(s);
    int t = tg[blockIdx.x];
    if (threadIdx.x == 0) losses[blockIdx.x] = lse - zr[t];
    if (!dz) return;
    float* d = dz + (size_t) blockIdx.x * V;
    for (int i = threadIdx.x; i < V; i += blockDim.x) d[i] += dscale * (expf(zr[i] - lse) - (i == t ? 1.0f : 0.0f));
}
static void crossentropy(float* losses, float* dlogits, const float* logits, const int32_t* targets, int N, int V, float dscale) {
    k_crossentropy<<<N, 256>>>(losses, dlogits, logits, targets, V, dscale);
    LAUNCHED("crossentropy", "N %d V %d", N, V);
}

/* Each thread keeps an online (max, sum) over its strided entries; the block merges them. */
__device__ float row_lse(const float* x, int V, float invT) {
    float m = -INFINITY, s = 0;
    for (int i = threadIdx.x; i < V; i += blockDim.x) {
        float v = x[i] * invT;
        if (v > m) { s = s * expf(m - v) + 1.0f; m = v; } else s += expf(v - m);
    }
    float bm = block_max(m);
    float part = m == -INFINITY ? 0.0f : s * expf(m - bm);
    return bm + logf(block_sum(part));
}
__global__ void k_kd(float* losses, float* dz, const float* zs, const float* zt, int V, float T, float dscale) {
    size_t row = (size_t) blockIdx.x * V;
    float invT = 1.0f / T;
    float lq = row_lse(zs + row, V, invT), lp = row_lse(zt + row, V, invT);
    float kl = 0;
    for (int i = threadIdx.x; i < V; i += blockDim.x) {
        float logp = zt[row + i] * invT - lp, logq = zs[row + i] * invT - lq, p = expf(logp);
        kl += p * (logp - logq);
        if (dz) dz[row + i] += dscale * T * (expf(logq) - p);
    }
    kl = block_sum(kl);
    if (threadIdx.x == 0) losses[blockIdx.x] = kl * T * T;
}
static void kd_loss(float* losses, float* dlogits, const float* s, const float* t, int N, int V, float temperature,
                    float dscale, int chunk) {
    (void) chunk; /* a block streams its row in strides of blockDim.x: the row is never stored twice */
    k_kd<<<N, 256>>>(losses, dlogits, s, t, V, temperature, dscale);
    LAUNCHED("kd_loss", "N %d V %d T %g", N, V, temperature);
}

/* ---- optimizer ---- */
__global__ void k_sumsq(double* out, const float* g, size_t n) {
    float s = 0;
    for (size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x; i < n; i += (size_t) gridDim.x * blockDim.x) s += g[i] * g[i];
    s = block_sum(s);
    if (threadIdx.x == 0) atomicAdd(out, (double) s);
}
static double sumsq(const float* g, size_t n) {
    static double* d = NULL;
    if (!d) record(cudaMalloc(&d, sizeof(double)), "sumsq", "cudaMalloc");
    double h = 0;
    record(cudaMemset(d, 0, sizeof(double)), "sumsq", "memset");
    unsigned nb = blocks(n, 256);
    k_sumsq<<<nb < 1024 ? (nb ? nb : 1) : 1024, 256>>>(d, g, n);
    LAUNCHED("sumsq", "n %zu", n);
    record(cudaMemcpy(&h, d, sizeof(double), cudaMemcpyDeviceToHost), "sumsq", "D2H");
    return h;
}
__global__ void k_adamw(float* p, const float* g, float* m, float* v, size_t n, float b1, float b2, float eps,
                        float keep, float step, float bc2, int decay) {
    size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x;
    if (i >= n) return;
    float pi = decay ? p[i] * keep : p[i];
    float mi = m[i] * b1 + g[i] * (1.0f - b1);
    float vi = v[i] * b2 + g[i] * g[i] * (1.0f - b2);
    m[i] = mi;
    v[i] = vi;
    p[i] = pi - mi / (sqrtf(vi) / bc2 + eps) * step;
}
static void adamw(float* p, const float* g, float* m, float* v, size_t n, float lr, float b1, float b2,
                  float eps, float wd, int decay, long t) {
    float step = (float) (lr / (1.0 - pow(b1, (double) t)));
    float bc2 = (float) sqrt(1.0 - pow(b2, (double) t));
    float keep = (float) (1.0 - (double) lr * wd);
    k_adamw<<<blocks(n, 256), 256>>>(p, g, m, v, n, b1, b2, eps, keep, step, bc2, decay && wd != 0);
    LAUNCHED("adamw", "n %zu", n);
}

static pk_backend make_cuda(void) {
    pk_backend b;
    memset(&b, 0, sizeof b);
    b.name = "cuda";
    b.abi_version = PK_ABI_VERSION;
    b.alloc = cu_alloc; b.free = cu_free; b.upload = cu_upload; b.download = cu_download;
    b.zero = cu_zero; b.copy = cu_copy; b.check = cu_check;
    b.embedding_forward = embedding_forward; b.embedding_backward = embedding_backward;
    b.rmsnorm_forward = rmsnorm_forward; b.rmsnorm_backward = rmsnorm_backward;
    b.matmul_forward = matmul_forward; b.matmul_backward = matmul_backward;
    b.matmul_forward_bf16 = matmul_forward_bf16; b.to_bf16 = to_bf16; b.from_bf16 = from_bf16;
    b.rope_forward = rope_forward; b.rope_backward = rope_backward;
    b.attention_forward = attention_forward; b.attention_backward = attention_backward;
    b.swiglu_forward = swiglu_forward; b.swiglu_backward = swiglu_backward;
    b.add_inplace = add_inplace; b.scale_inplace = scale_inplace;
    b.crossentropy = crossentropy; b.kd_loss = kd_loss;
    b.sumsq = sumsq; b.adamw = adamw;
    return b;
}

static pk_backend g_cuda = make_cuda();

extern "C" const pk_backend* pk_backend_cuda(void) { return &g_cuda; }

extern "C" int pk_cuda_available(char* msg, size_t cap) {
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess || n == 0) {
        snprintf(msg, cap, "no CUDA device (%s); run on a machine with an NVIDIA GPU and driver, or use the CPU reference",
                 e != cudaSuccess ? cudaGetErrorString(e) : "device count 0");
        return 0;
    }
    return 1;
}
