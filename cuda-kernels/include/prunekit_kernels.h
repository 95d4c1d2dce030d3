/*
 * prunekit_kernels.h — the C ABI of one recovery training step for a LLaMA decoder with per-layer
 * shapes (layer i has its own query heads, KV heads and FFN width; hidden and head_dim are global).
 *
 * Two backends implement the same table of functions (pk_backend):
 *   pk_backend_cpu()  — plain C (src/cpu_backend.c), the oracle: straightforward loops, double
 *                       accumulation in reductions;
 *   pk_backend_cuda() — CUDA (src/cuda_backend.cu), own tiled GEMM, no cuBLAS; NULL when the library
 *                       was built without CUDA.
 * Pointers passed to a backend's ops live in that backend's memory (host for cpu, device for cuda);
 * move data with alloc/upload/download. Every array is contiguous, row-major, fp32 unless the name
 * says bf16. Gradient outputs ACCUMULATE (d += ...) as in llm.c: the caller zeroes them first, so
 * a residual stream or an input read by q, k and v sums its gradients without extra buffers.
 *
 * Shapes: N = B*T token rows, C = hidden, V = vocab, hd = head_dim, QH/KVH = query/KV heads of the
 * layer (QH % KVH == 0; query head h reads KV head h / (QH/KVH)), F = FFN width.
 * Activations of a layer keep the linear layers' layout: q is (B, T, QH, hd), k and v (B, T, KVH, hd).
 * RoPE is HF's rotate-half: pair (j, j + hd/2) turns by the angle of pair j, tables (T, hd/2).
 */
#ifndef PRUNEKIT_KERNELS_H
#define PRUNEKIT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PK_ABI_VERSION 1

/* bf16 storage: the upper 16 bits of an IEEE fp32, rounded to nearest even. */
typedef uint16_t pk_bf16;

typedef struct pk_backend {
    const char* name;
    int abi_version;

    /* ---- memory (bytes) ---- */
    void* (*alloc)(size_t bytes);                       /* zero-filled; NULL on failure */
    void (*free)(void* p);
    void (*upload)(void* dst, const void* host_src, size_t bytes);
    void (*download)(void* host_dst, const void* src, size_t bytes);
    void (*zero)(void* p, size_t bytes);
    void (*copy)(void* dst, const void* src, size_t bytes);   /* within the backend */
    /* 0 when every op so far succeeded; else a message is written to msg (the first error). */
    int (*check)(char* msg, size_t cap);

    /* ---- embedding ---- */
    /* out (N, C) = wte[ids[n]];  dwte (V, C) += scatter of dout by ids. */
    void (*embedding_forward)(float* out, const int32_t* ids, const float* wte, int N, int C);
    void (*embedding_backward)(float* dwte, const float* dout, const int32_t* ids, int N, int C);

    /* ---- RMSNorm: out = x / sqrt(mean(x^2) + eps) * w; rstd (N) is saved for backward ---- */
    void (*rmsnorm_forward)(float* out, float* rstd, const float* x, const float* w, int N, int C, float eps);
    void (*rmsnorm_backward)(float* dx, float* dw, const float* dout, const float* x, const float* w,
                             const float* rstd, int N, int C);

    /* ---- linear: out (N, OC) = x (N, IC) · w (OC, IC)^T + bias (OC, or NULL) ---- */
    void (*matmul_forward)(float* out, const float* x, const float* w, const float* bias, int N, int IC, int OC);
    /* dx (N, IC) += dout · w; dw (OC, IC) += dout^T · x; dbias (OC) += column sums (NULL: skipped). */
    void (*matmul_backward)(float* dx, float* dw, float* dbias, const float* dout, const float* x,
                            const float* w, int N, int IC, int OC);
    /* bf16 storage, fp32 accumulation: out (N, OC) fp32 = x · w^T + bias (fp32 or NULL). */
    void (*matmul_forward_bf16)(float* out, const pk_bf16* x, const pk_bf16* w, const float* bias,
                                int N, int IC, int OC);
    void (*to_bf16)(pk_bf16* out, const float* x, size_t n);
    void (*from_bf16)(float* out, const pk_bf16* x, size_t n);

    /* ---- RoPE on x (B, T, H, hd) in place; cos, sin (T, hd/2) ---- */
    void (*rope_forward)(float* x, const float* cos, const float* sin, int B, int T, int H, int hd);
    /* dx = R^T dout, in place on d (B, T, H, hd). */
    void (*rope_backward)(float* d, const float* cos, const float* sin, int B, int T, int H, int hd);

    /* ---- causal GQA attention, scale 1/sqrt(hd) ----
     * out (B, T, QH, hd); probs (B, QH, T, T) saved for backward (entries above the diagonal 0). */
    void (*attention_forward)(float* out, float* probs, const float* q, const float* k, const float* v,
                              int B, int T, int QH, int KVH, int hd);
    /* dq (B, T, QH, hd), dk, dv (B, T, KVH, hd) +=; scratch (B, QH, T, T) is overwritten. */
    void (*attention_backward)(float* dq, float* dk, float* dv, float* scratch, const float* dout,
                               const float* q, const float* k, const float* v, const float* probs,
                               int B, int T, int QH, int KVH, int hd);

    /* ---- SwiGLU: out = silu(gate) * up, elementwise over n ---- */
    void (*swiglu_forward)(float* out, const float* gate, const float* up, size_t n);
    void (*swiglu_backward)(float* dgate, float* dup, const float* dout, const float* gate, const float* up, size_t n);

    /* ---- elementwise ---- */
    void (*add_inplace)(float* y, const float* x, size_t n);          /* y += x */
    void (*scale_inplace)(float* y, float s, size_t n);               /* y *= s */

    /* ---- losses over logits (N, V) ----
     * Fused softmax cross-entropy: losses[n] = -log softmax(logits[n])[targets[n]];
     * dlogits += dscale * (softmax - onehot). dlogits may be NULL (forward only, e.g. eval). */
    void (*crossentropy)(float* losses, float* dlogits, const float* logits, const int32_t* targets,
                         int N, int V, float dscale);
    /* KD: losses[n] = T^2 * KL(softmax(teacher/T) || softmax(student/T)); dlogits += dscale * T * (q - p).
     * Streams each row in chunks of `chunk` entries with an online log-sum-exp: no probability row
     * is stored. dlogits may be NULL. */
    void (*kd_loss)(float* losses, float* dlogits, const float* student, const float* teacher,
                    int N, int V, float temperature, float dscale, int chunk);

    /* ---- optimizer ----
     * sum of squares of g (n), accumulated in at least fp32 per block and double overall. */
    double (*sumsq)(const float* g, size_t n);
    /* AdamW as torch.optim.AdamW (decoupled decay when decay != 0), t = updates so far including this one:
     * p *= 1 - lr*wd (decay only); m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
     * p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps). */
    void (*adamw)(float* p, const float* g, float* m, float* v, size_t n, float lr, float beta1, float beta2,
                  float eps, float weight_decay, int decay, long t);
} pk_backend;

const pk_backend* pk_backend_cpu(void);
/* NULL when built without CUDA; a table whose check() reports "no CUDA device" when none is present. */
const pk_backend* pk_backend_cuda(void);
/* 1 when a CUDA device is usable, else 0 and a reason in msg. */
int pk_cuda_available(char* msg, size_t cap);

/* ================= the model: one training step built from the ops above =================
 * Parameters are one flat fp32 buffer in HF order per layer:
 *   embed (V, C); per layer i: input_norm (C), [q (QH*hd, C), k (KVH*hd, C), v (KVH*hd, C), o (C, QH*hd)]
 *   when QH > 0, post_norm (C), [gate (F, C), up (F, C), down (C, F)] when F > 0; final_norm (C);
 *   lm_head (V, C) unless tied. No biases. The order of LlamaWeights.expectedShapes; a layer without a
 *   block keeps that block's norm (its gradient stays 0), as HF checkpoints do. */
typedef struct pk_layer_shape { int query_heads, kv_heads, ffn; } pk_layer_shape;

typedef struct pk_config {
    int vocab, hidden, head_dim, num_layers;
    const pk_layer_shape* layers;  /* num_layers entries; copied by pk_model_create */
    float rms_eps;
    int tied_embeddings;
} pk_config;

typedef struct pk_adamw_settings {
    float lr, beta1, beta2, eps, weight_decay, clip; /* clip <= 0: no clipping */
} pk_adamw_settings;

typedef struct pk_model pk_model;

/* A model for batches of B rows of T tokens; cos, sin (T, hd/2) host tables. NULL and msg on error.
 * It holds, in the backend's memory, 4 flat buffers of P floats (params, grads, AdamW m and v), every
 * layer's saved activations, logits and dlogits (B*T, V) and one layer's worth of backward scratch. */
pk_model* pk_model_create(const pk_backend* be, const pk_config* cfg, int B, int T, const float* cos,
                          const float* sin, char* msg, size_t cap);
/* A forward-only model, the KD teacher: the same parameter layout and forward kernels, but only the
 * params (P floats), one layer's activations (at the widest layer's shape) shared by every layer, and
 * the logits (B*T, V); no gradients, no AdamW moments. pk_model_forward, _get_logits, _set/_get_params
 * work on it; the training calls refuse it (forward_backward and step return NaN, grad_norm NaN,
 * get_grads/get_moments write zeros, zero_grads/set_moments do nothing). The config may differ from
 * the student's (a dense teacher) except in vocab. */
pk_model* pk_model_create_forward_only(const pk_backend* be, const pk_config* cfg, int B, int T, const float* cos,
                                       const float* sin, char* msg, size_t cap);
/* 1 for a model made by pk_model_create_forward_only. */
int pk_model_is_forward_only(const pk_model* m);
void pk_model_free(pk_model* m);
size_t pk_model_num_params(const pk_model* m);
/* Offset (in floats) of the tensor with HF name `name` (e.g. "model.layers.0.self_attn.q_proj.weight"),
 * or -1 when the model has no such tensor. */
long pk_model_offset(const pk_model* m, const char* name);
void pk_model_set_params(pk_model* m, const float* host);
/* One range of a flat buffer (in floats) to or from the host, e.g. one tensor at its pk_model_offset:
 * the caller never needs a host array of P floats (more than 2^31 at 2.7B parameters). 0, copying
 * nothing, when the range leaves the buffer or the model has no such buffer (forward-only: params only). */
typedef enum pk_buffer { PK_PARAMS = 0, PK_GRADS = 1, PK_ADAM_M = 2, PK_ADAM_V = 3 } pk_buffer;
int pk_model_read(const pk_model* m, pk_buffer which, size_t offset, size_t n, float* host);
int pk_model_write(pk_model* m, pk_buffer which, size_t offset, size_t n, const float* host);
void pk_model_get_params(const pk_model* m, float* host);
void pk_model_get_grads(const pk_model* m, float* host);
/* Logits of the last forward (N, V) to host. */
void pk_model_get_logits(const pk_model* m, float* host);
/* Forward over ids (B*T, host); returns mean CE over targets (host, B*T). No gradients. */
float pk_model_forward(pk_model* m, const int32_t* ids, const int32_t* targets);
/* Sets every gradient to 0 (before the first micro-batch of a step). */
void pk_model_zero_grads(pk_model* m);
/* Forward, loss = ce_weight*CE + kd_weight*KD (teacher logits (B*T, V) host, or NULL), backward; the
 * gradients ADD to what the buffer holds (micro-batches accumulate; scale the weights by 1/micro-batches).
 * Returns the loss; *ce_out, *kd_out get the unweighted means (kd NaN without a teacher). Host teacher
 * logits are uploaded into a (B*T, V) buffer allocated on first use (NaN if that allocation fails):
 * for logits computed elsewhere (the goldens); a teacher model is pk_model_forward_backward_kd. */
float pk_model_forward_backward(pk_model* m, const int32_t* ids, const int32_t* targets,
                                const float* teacher_logits, float ce_weight, float kd_weight,
                                float temperature, float* ce_out, float* kd_out);
/* 1 when `teacher` can give `student` its KD targets: student made by pk_model_create, teacher by
 * pk_model_create_forward_only, same backend, B, T and vocab; else 0 and the reason in msg. */
int pk_model_teacher_fits(const pk_model* student, const pk_model* teacher, char* msg, size_t cap);
/* As pk_model_forward_backward with the teacher's logits from `teacher`: its forward over the same ids
 * writes its logits in its own backend memory and the KD loss reads them there (nothing goes through
 * the host but ids and targets). Gives the same numbers as passing pk_model_get_logits(teacher) after
 * pk_model_forward(teacher, ...) to pk_model_forward_backward (bit for bit on the CPU reference; on
 * CUDA its atomics may vary the last bits from run to run). NaN (and NaN parts) when
 * pk_model_teacher_fits says no. */
float pk_model_forward_backward_kd(pk_model* student, pk_model* teacher, const int32_t* ids, const int32_t* targets,
                                   float ce_weight, float kd_weight, float temperature, float* ce_out, float* kd_out);
/* The global L2 norm of the gradients (per tensor in double, as the Java engine): a caller that skips
 * non-finite steps checks it before pk_model_step. */
float pk_model_grad_norm(pk_model* m);
/* Global-norm clip (as torch clip_grad_norm_: scale clip/(norm+1e-6) when norm > clip) and one AdamW
 * update (decay on rank-2 tensors only). Returns the gradient norm before clipping. */
float pk_model_step(pk_model* m, const pk_adamw_settings* s);
/* AdamW state for checkpoints: the moments in the flat parameter layout and the update count t. */
void pk_model_get_moments(const pk_model* m, float* host_m, float* host_v);
void pk_model_set_moments(pk_model* m, const float* host_m, const float* host_v, long updates);
long pk_model_updates(const pk_model* m);
/* Sets the update count t (after restoring the moments with pk_model_write). */
void pk_model_set_updates(pk_model* m, long updates);

#ifdef __cplusplus
}
#endif
#endif
