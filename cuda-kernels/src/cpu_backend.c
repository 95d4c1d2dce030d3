/*
 * cpu_backend.c — the CPU reference backend of prunekit_kernels.h: the oracle every other backend
 * is tested against. Plain loops in reading order, double accumulation in every reduction, no
 * tricks. Built by gcc -O2 (OpenMP over rows when available); memory is host memory.
 */
#include "prunekit_kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- memory ---- */
static void* cpu_alloc(size_t bytes) { return calloc(bytes ? bytes : 1, 1); }
static void cpu_free(void* p) { free(p); }
static void cpu_copy(void* dst, const void* src, size_t bytes) { memmove(dst, src, bytes); }
static void cpu_zero(void* p, size_t bytes) { memset(p, 0, bytes); }
static int cpu_check(char* msg, size_t cap) { (void) msg; (void) cap; return 0; }

/* ---- embedding ---- */
static void embedding_forward(float* out, const int32_t* ids, const float* wte, int N, int C) {
    for (int n = 0; n < N; n++) {
        memcpy(out + (size_t) n * C, wte + (size_t) ids[n] * C, sizeof(float) * C);
    }
}

static void embedding_backward(float* dwte, const float* dout, const int32_t* ids, int N, int C) {
    for (int n = 0; n < N; n++) {
        float* row = dwte + (size_t) ids[n] * C;
        for (int c = 0; c < C; c++) row[c] += dout[(size_t) n * C + c];
    }
}

/* ---- RMSNorm ---- */
static void rmsnorm_forward(float* out, float* rstd, const float* x, const float* w, int N, int C, float eps) {
#pragma omp parallel for
    for (int n = 0; n < N; n++) {
        const float* xr = x + (size_t) n * C;
        double ss = 0;
        for (int c = 0; c < C; c++) ss += (double) xr[c] * xr[c];
        float r = (float) (1.0 / sqrt(ss / C + eps));
        rstd[n] = r;
        for (int c = 0; c < C; c++) out[(size_t) n * C + c] = xr[c] * r * w[c];
    }
}

/* y = x * r * w with r = (mean(x^2) + eps)^-1/2: dx = r * (w*dy) - x * r^3 / C * sum(w*dy*x). */
static void rmsnorm_backward(float* dx, float* dw, const float* dout, const float* x, const float* w,
                             const float* rstd, int N, int C) {
    for (int n = 0; n < N; n++) {
        const float* xr = x + (size_t) n * C;
        const float* dy = dout + (size_t) n * C;
        double r = rstd[n];
        double dot = 0;
        for (int c = 0; c < C; c++) dot += (double) w[c] * dy[c] * xr[c];
        double k = dot * r * r * r / C;
        for (int c = 0; c < C; c++) {
            dx[(size_t) n * C + c] += (float) (r * w[c] * dy[c] - xr[c] * k);
            dw[c] += (float) ((double) dy[c] * xr[c] * r);
        }
    }
}

/* ---- linear ---- */
static void matmul_forward(float* out, const float* x, const float* w, const float* bias, int N, int IC, int OC) {
#pragma omp parallel for
    for (int n = 0; n < N; n++) {
        const float* xr = x + (size_t) n * IC;
        for (int o = 0; o < OC; o++) {
            const float* wr = w + (size_t) o * IC;
            double s = bias ? bias[o] : 0.0;
            for (int i = 0; i < IC; i++) s += (double) xr[i] * wr[i];
            out[(size_t) n * OC + o] = (float) s;
        }
    }
}

static void matmul_backward(float* dx, float* dw, float* dbias, const float* dout, const float* x,
                            const float* w, int N, int IC, int OC) {
#pragma omp parallel for
    for (int n = 0; n < N; n++) {
        for (int i = 0; i < IC; i++) {
            double s = 0;
            for (int o = 0; o < OC; o++) s += (double) dout[(size_t) n * OC + o] * w[(size_t) o * IC + i];
            dx[(size_t) n * IC + i] += (float) s;
        }
    }
#pragma omp parallel for
    for (int o = 0; o < OC; o++) {
        for (int i = 0; i < IC; i++) {
            double s = 0;
            for (int n = 0; n < N; n++) s += (double) dout[(size_t) n * OC + o] * x[(size_t) n * IC + i];
            dw[(size_t) o * IC + i] += (float) s;
        }
        if (dbias) {
            double s = 0;
            for (int n = 0; n < N; n++) s += dout[(size_t) n * OC + o];
            dbias[o] += (float) s;
        }
    }
}

static pk_bf16 bf16_of(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (pk_bf16) ((u >> 16) | 0x40); /* quiet NaN */
    u += 0x7fffu + ((u >> 16) & 1u);                                         /* round to nearest even */
    return (pk_bf16) (u >> 16);
}

static float float_of(pk_bf16 b) {
    uint32_t u = (uint32_t) b << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static void to_bf16(pk_bf16* out, const float* x, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = bf16_of(x[i]);
}

static void from_bf16(float* out, const pk_bf16* x, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = float_of(x[i]);
}

static void matmul_forward_bf16(float* out, const pk_bf16* x, const pk_bf16* w, const float* bias,
                                int N, int IC, int OC) {
#pragma omp parallel for
    for (int n = 0; n < N; n++) {
        for (int o = 0; o < OC; o++) {
            double s = bias ? bias[o] : 0.0;
            for (int i = 0; i < IC; i++) s += (double) float_of(x[(size_t) n * IC + i]) * float_of(w[(size_t) o * IC + i]);
            out[(size_t) n * OC + o] = (float) s;
        }
    }
}

/* ---- RoPE (HF rotate-half) ---- */
static void rope(float* x, const float* cos, const float* sin, int B, int T, int H, int hd, float dir) {
    int half = hd / 2;
    for (int b = 0; b < B; b++) {
        for (int t = 0; t < T; t++) {
            for (int h = 0; h < H; h++) {
                float* r = x + (((size_t) b * T + t) * H + h) * hd;
                for (int j = 0; j < half; j++) {
                    float c = cos[(size_t) t * half + j];
                    float s = dir * sin[(size_t) t * half + j];
                    float x1 = r[j];
                    float x2 = r[j + half];
                    r[j] = x1 * c - x2 * s;
                    r[j + half] = x2 * c + x1 * s;
                }
            }
        }
    }
}

static void rope_forward(float* x, const float* cos, const float* sin, int B, int T, int H, int hd) {
    rope(x, cos, sin, B, T, H, hd, 1.0f);
}

static void rope_backward(float* d, const float* cos, const float* sin, int B, int T, int H, int hd) {
    rope(d, cos, sin, B, T, H, hd, -1.0f); /* the transpose of a rotation turns the other way */
}

/* ---- attention ---- */
static void attention_forward(float* out, float* probs, const float* q, const float* k, const float* v,
                              int B, int T, int QH, int KVH, int hd) {
    int rep = QH / KVH;
    double scale = 1.0 / sqrt((double) hd);
#pragma omp parallel for collapse(2)
    for (int b = 0; b < B; b++) {
        for (int h = 0; h < QH; h++) {
            int kh = h / rep;
            for (int t = 0; t < T; t++) {
                const float* qr = q + (((size_t) b * T + t) * QH + h) * hd;
                float* pr = probs + (((size_t) b * QH + h) * T + t) * T;
                double mx = -INFINITY;
                for (int s = 0; s <= t; s++) {
                    const float* kr = k + (((size_t) b * T + s) * KVH + kh) * hd;
                    double d = 0;
                    for (int j = 0; j < hd; j++) d += (double) qr[j] * kr[j];
                    pr[s] = (float) (d * scale);
                    if (pr[s] > mx) mx = pr[s];
                }
                double sum = 0;
                for (int s = 0; s <= t; s++) sum += exp(pr[s] - mx);
                for (int s = 0; s <= t; s++) pr[s] = (float) (exp(pr[s] - mx) / sum);
                for (int s = t + 1; s < T; s++) pr[s] = 0.0f;
                float* orow = out + (((size_t) b * T + t) * QH + h) * hd;
                for (int j = 0; j < hd; j++) {
                    double a = 0;
                    for (int s = 0; s <= t; s++) a += (double) pr[s] * v[(((size_t) b * T + s) * KVH + kh) * hd + j];
                    orow[j] = (float) a;
                }
            }
        }
    }
}

static void attention_backward(float* dq, float* dk, float* dv, float* scratch, const float* dout,
                               const float* q, const float* k, const float* v, const float* probs,
                               int B, int T, int QH, int KVH, int hd) {
    int rep = QH / KVH;
    double scale = 1.0 / sqrt((double) hd);
    for (int b = 0; b < B; b++) {
        for (int h = 0; h < QH; h++) {
            int kh = h / rep;
            for (int t = 0; t < T; t++) {
                const float* pr = probs + (((size_t) b * QH + h) * T + t) * T;
                float* ds = scratch + (((size_t) b * QH + h) * T + t) * T;
                const float* dor = dout + (((size_t) b * T + t) * QH + h) * hd;
                /* dP[s] = dout · v[s];  dS = P * (dP - sum(P * dP)) */
                double dot = 0;
                for (int s = 0; s <= t; s++) {
                    const float* vr = v + (((size_t) b * T + s) * KVH + kh) * hd;
                    double d = 0;
                    for (int j = 0; j < hd; j++) d += (double) dor[j] * vr[j];
                    ds[s] = (float) d;
                    dot += d * pr[s];
                }
                for (int s = 0; s <= t; s++) ds[s] = (float) (pr[s] * (ds[s] - dot));
                for (int s = t + 1; s < T; s++) ds[s] = 0.0f;
                const float* qr = q + (((size_t) b * T + t) * QH + h) * hd;
                float* dqr = dq + (((size_t) b * T + t) * QH + h) * hd;
                for (int s = 0; s <= t; s++) {
                    size_t kv = (((size_t) b * T + s) * KVH + kh) * hd;
                    double g = ds[s] * scale;
                    for (int j = 0; j < hd; j++) {
                        dqr[j] += (float) (g * k[kv + j]);
                        dk[kv + j] += (float) (g * qr[j]);
                        dv[kv + j] += pr[s] * dor[j];
                    }
                }
            }
        }
    }
}

/* ---- SwiGLU ---- */
static void swiglu_forward(float* out, const float* gate, const float* up, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float g = gate[i];
        out[i] = g / (1.0f + expf(-g)) * up[i];
    }
}

static void swiglu_backward(float* dgate, float* dup, const float* dout, const float* gate, const float* up, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float g = gate[i];
        float sg = 1.0f / (1.0f + expf(-g));
        dup[i] += dout[i] * g * sg;
        dgate[i] += dout[i] * up[i] * sg * (1.0f + g * (1.0f - sg));
    }
}

static void add_inplace(float* y, const float* x, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] += x[i];
}

static void scale_inplace(float* y, float s, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] *= s;
}

/* ---- losses ---- */
static void crossentropy(float* losses, float* dlogits, const float* logits, const int32_t* targets,
                         int N, int V, float dscale) {
#pragma omp parallel for
    for (int n = 0; n < N; n++) {
        const float* z = logits + (size_t) n * V;
        double mx = -INFINITY;
        for (int i = 0; i < V; i++) if (z[i] > mx) mx = z[i];
        double sum = 0;
        for (int i = 0; i < V; i++) sum += exp(z[i] - mx);
        double lse = mx + log(sum);
        losses[n] = (float) (lse - z[targets[n]]);
        if (dlogits) {
            float* d = dlogits + (size_t) n * V;
            for (int i = 0; i < V; i++) {
                double p = exp(z[i] - lse);
                d[i] += (float) (dscale * (p - (i == targets[n] ? 1.0 : 0.0)));
            }
        }
    }
}

/* Online log-sum-exp of x/T over one row, chunk by chunk: (max, sum) merged per chunk. */
static double row_lse(const float* x, int V, double invT, int chunk) {
    double mx = -INFINITY, sum = 0;
    for (int c0 = 0; c0 < V; c0 += chunk) {
        int c1 = c0 + chunk < V ? c0 + chunk : V;
        double cm = -INFINITY;
        for (int i = c0; i < c1; i++) if (x[i] * invT > cm) cm = x[i] * invT;
        double cs = 0;
        for (int i = c0; i < c1; i++) cs += exp(x[i] * invT - cm);
        if (cm > mx) {
            sum = sum * exp(mx - cm) + cs;
            mx = cm;
        } else {
            sum += cs * exp(cm - mx);
        }
    }
    return mx + log(sum);
}

static void kd_loss(float* losses, float* dlogits, const float* student, const float* teacher,
                    int N, int V, float temperature, float dscale, int chunk) {
    double invT = 1.0 / temperature;
    if (chunk <= 0) chunk = V;
#pragma omp parallel for
    for (int n = 0; n < N; n++) {
        const float* zs = student + (size_t) n * V;
        const float* zt = teacher + (size_t) n * V;
        double lq = row_lse(zs, V, invT, chunk);
        double lp = row_lse(zt, V, invT, chunk);
        double kl = 0;
        for (int i = 0; i < V; i++) {
            double logp = zt[i] * invT - lp;
            double logq = zs[i] * invT - lq;
            double p = exp(logp);
            kl += p * (logp - logq);
            if (dlogits) dlogits[(size_t) n * V + i] += (float) (dscale * temperature * (exp(logq) - p));
        }
        losses[n] = (float) (kl * temperature * temperature);
    }
}

/* ---- optimizer ---- */
static double sumsq(const float* g, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double) g[i] * g[i];
    return s;
}

static void adamw(float* p, const float* g, float* m, float* v, size_t n, float lr, float beta1, float beta2,
                  float eps, float weight_decay, int decay, long t) {
    float step = (float) (lr / (1.0 - pow(beta1, (double) t)));
    float bc2 = (float) sqrt(1.0 - pow(beta2, (double) t));
    float keep = (float) (1.0 - (double) lr * weight_decay);
    for (size_t i = 0; i < n; i++) {
        if (decay && weight_decay != 0) p[i] *= keep;
        m[i] = m[i] * beta1 + g[i] * (1.0f - beta1);
        v[i] = v[i] * beta2 + g[i] * g[i] * (1.0f - beta2);
        p[i] -= m[i] / (sqrtf(v[i]) / bc2 + eps) * step;
    }
}

static const pk_backend CPU = {
    .name = "cpu-reference",
    .abi_version = PK_ABI_VERSION,
    .alloc = cpu_alloc,
    .free = cpu_free,
    .upload = cpu_copy,
    .download = cpu_copy,
    .zero = cpu_zero,
    .copy = cpu_copy,
    .check = cpu_check,
    .embedding_forward = embedding_forward,
    .embedding_backward = embedding_backward,
    .rmsnorm_forward = rmsnorm_forward,
    .rmsnorm_backward = rmsnorm_backward,
    .matmul_forward = matmul_forward,
    .matmul_backward = matmul_backward,
    .matmul_forward_bf16 = matmul_forward_bf16,
    .to_bf16 = to_bf16,
    .from_bf16 = from_bf16,
    .rope_forward = rope_forward,
    .rope_backward = rope_backward,
    .attention_forward = attention_forward,
    .attention_backward = attention_backward,
    .swiglu_forward = swiglu_forward,
    .swiglu_backward = swiglu_backward,
    .add_inplace = add_inplace,
    .scale_inplace = scale_inplace,
    .crossentropy = crossentropy,
    .kd_loss = kd_loss,
    .sumsq = sumsq,
    .adamw = adamw,
};

const pk_backend* pk_backend_cpu(void) { return &CPU; }
