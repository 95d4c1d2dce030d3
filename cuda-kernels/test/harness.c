/* harness.c — see harness.h. Shapes are small and odd on purpose (7, 13, 9 ...) so tiles, chunks
 * and GQA groups do not divide them. */
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

float pk_uniform(pk_rng* r) {
    r->s ^= r->s << 13; r->s ^= r->s >> 7; r->s ^= r->s << 17;
    return (float) ((r->s >> 40) / (double) (1ull << 24)) * 2.0f - 1.0f;
}

void pk_fill(pk_rng* r, float* x, size_t n, float scale) {
    for (size_t i = 0; i < n; i++) x[i] = scale * pk_uniform(r);
}

int pk_close(const char* what, const float* ref, const float* x, size_t n, double tol, double eps) {
    double worst = 0;
    size_t at = 0;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double) ref[i] - x[i]);
        double lim = tol + fabs(ref[i]) * eps;
        if (!(d <= lim)) bad = 1;
        double over = isnan(d) ? INFINITY : d / lim;
        if (over > worst) { worst = over; at = i; }
    }
    if (bad) {
        printf("FAIL %s: |ref - x| > %.3g + |ref|*%.3g; worst at [%zu]: ref %.9g, got %.9g (%.3gx the limit)\n",
               what, tol, eps, at, ref[at], x[at], worst);
    }
    return !bad;
}

float* pk_up(const pk_backend* be, const float* host, size_t n) {
    float* d = be->alloc(n * sizeof(float));
    if (host) be->upload(d, host, n * sizeof(float));
    return d;
}

void pk_down(const pk_backend* be, float* host, float* dev, size_t n) {
    be->download(host, dev, n * sizeof(float));
    be->free(dev);
}

static int32_t* iup(const pk_backend* be, const int32_t* host, size_t n) {
    int32_t* d = be->alloc(n * sizeof(int32_t));
    be->upload(d, host, n * sizeof(int32_t));
    return d;
}

/* ---- embedding: wte (11, 6), 7 ids with repeats ---- */
static const int32_t EMB_IDS[7] = {3, 0, 10, 3, 5, 3, 1};
static void emb_fwd(const pk_backend* be, float* const* in, float* out) {
    float* w = pk_up(be, in[0], 66); int32_t* ids = iup(be, EMB_IDS, 7); float* o = pk_up(be, NULL, 42);
    be->embedding_forward(o, ids, w, 7, 6);
    pk_down(be, out, o, 42); be->free(w); be->free(ids);
}
static void emb_bwd(const pk_backend* be, float* const* in, const float* dout, float* const* din) {
    (void) in;
    float* dw = pk_up(be, NULL, 66); int32_t* ids = iup(be, EMB_IDS, 7); float* d = pk_up(be, dout, 42);
    be->embedding_backward(dw, d, ids, 7, 6);
    pk_down(be, din[0], dw, 66); be->free(ids); be->free(d);
}

/* ---- RMSNorm: x (5, 13), w (13) ---- */
static void rms_fwd(const pk_backend* be, float* const* in, float* out) {
    float* x = pk_up(be, in[0], 65); float* w = pk_up(be, in[1], 13); float* o = pk_up(be, NULL, 65); float* r = pk_up(be, NULL, 5);
    be->rmsnorm_forward(o, r, x, w, 5, 13, 1e-5f);
    pk_down(be, out, o, 65); be->free(x); be->free(w); be->free(r);
}
static void rms_bwd(const pk_backend* be, float* const* in, const float* dout, float* const* din) {
    float* x = pk_up(be, in[0], 65); float* w = pk_up(be, in[1], 13); float* o = pk_up(be, NULL, 65); float* r = pk_up(be, NULL, 5);
    float* d = pk_up(be, dout, 65); float* dx = pk_up(be, NULL, 65); float* dw = pk_up(be, NULL, 13);
    be->rmsnorm_forward(o, r, x, w, 5, 13, 1e-5f);
    be->rmsnorm_backward(dx, dw, d, x, w, r, 5, 13);
    pk_down(be, din[0], dx, 65); pk_down(be, din[1], dw, 13);
    be->free(x); be->free(w); be->free(o); be->free(r); be->free(d);
}

/* ---- linear: two shapes, one below and one across the CUDA tile size ---- */
#define MM(NAME, N, IC, OC)                                                                              \
static void NAME##_fwd(const pk_backend* be, float* const* in, float* out) {                             \
    float* x = pk_up(be, in[0], N * IC); float* w = pk_up(be, in[1], OC * IC); float* b = pk_up(be, in[2], OC); \
    float* o = pk_up(be, NULL, N * OC);                                                                  \
    be->matmul_forward(o, x, w, b, N, IC, OC);                                                           \
    pk_down(be, out, o, N * OC); be->free(x); be->free(w); be->free(b);                                  \
}                                                                                                        \
static void NAME##_bwd(const pk_backend* be, float* const* in, const float* dout, float* const* din) {   \
    float* x = pk_up(be, in[0], N * IC); float* w = pk_up(be, in[1], OC * IC); float* d = pk_up(be, dout, N * OC); \
    float* dx = pk_up(be, NULL, N * IC); float* dw = pk_up(be, NULL, OC * IC); float* db = pk_up(be, NULL, OC); \
    be->matmul_backward(dx, dw, db, d, x, w, N, IC, OC);                                                  \
    pk_down(be, din[0], dx, N * IC); pk_down(be, din[1], dw, OC * IC); pk_down(be, din[2], db, OC);      \
    be->free(x); be->free(w); be->free(d);                                                               \
}
MM(mm_small, 7, 13, 9)
MM(mm_tiles, 67, 70, 33)

/* ---- RoPE: x (2, 3, 2, 8), angles of positions 0..2 ---- */
static void rope_table(float* c, float* s) {
    for (int t = 0; t < 3; t++) for (int j = 0; j < 4; j++) {
        float a = (float) t * powf(10000.0f, -2.0f * j / 8);
        c[t * 4 + j] = cosf(a); s[t * 4 + j] = sinf(a);
    }
}
static void rope_run(const pk_backend* be, const float* x, float* out, int back) {
    float c[12], s[12];
    rope_table(c, s);
    float* d = pk_up(be, x, 96); float* dc = pk_up(be, c, 12); float* ds = pk_up(be, s, 12);
    if (back) be->rope_backward(d, dc, ds, 2, 3, 2, 8); else be->rope_forward(d, dc, ds, 2, 3, 2, 8);
    pk_down(be, out, d, 96); be->free(dc); be->free(ds);
}
static void rope_fwd(const pk_backend* be, float* const* in, float* out) { rope_run(be, in[0], out, 0); }
static void rope_bwd(const pk_backend* be, float* const* in, const float* dout, float* const* din) {
    (void) in;
    rope_run(be, dout, din[0], 1);
}

/* ---- attention: B 2, T 5, QH 6, KVH 2, hd 4 ---- */
enum { AB = 2, AT = 5, AQ = 6, AK = 2, AD = 4, AQN = AB * AT * AQ * AD, AKN = AB * AT * AK * AD, APN = AB * AQ * AT * AT };
static void att_fwd(const pk_backend* be, float* const* in, float* out) {
    float* q = pk_up(be, in[0], AQN); float* k = pk_up(be, in[1], AKN); float* v = pk_up(be, in[2], AKN);
    float* o = pk_up(be, NULL, AQN); float* p = pk_up(be, NULL, APN);
    be->attention_forward(o, p, q, k, v, AB, AT, AQ, AK, AD);
    pk_down(be, out, o, AQN); be->free(q); be->free(k); be->free(v); be->free(p);
}
static void att_bwd(const pk_backend* be, float* const* in, const float* dout, float* const* din) {
    float* q = pk_up(be, in[0], AQN); float* k = pk_up(be, in[1], AKN); float* v = pk_up(be, in[2], AKN);
    float* o = pk_up(be, NULL, AQN); float* p = pk_up(be, NULL, APN); float* sc = pk_up(be, NULL, APN);
    float* d = pk_up(be, dout, AQN); float* dq = pk_up(be, NULL, AQN); float* dk = pk_up(be, NULL, AKN); float* dv = pk_up(be, NULL, AKN);
    be->attention_forward(o, p, q, k, v, AB, AT, AQ, AK, AD);
    be->attention_backward(dq, dk, dv, sc, d, q, k, v, p, AB, AT, AQ, AK, AD);
    pk_down(be, din[0], dq, AQN); pk_down(be, din[1], dk, AKN); pk_down(be, din[2], dv, AKN);
    be->free(q); be->free(k); be->free(v); be->free(o); be->free(p); be->free(sc); be->free(d);
}

/* ---- SwiGLU over 37 elements ---- */
static void swi_fwd(const pk_backend* be, float* const* in, float* out) {
    float* g = pk_up(be, in[0], 37); float* u = pk_up(be, in[1], 37); float* o = pk_up(be, NULL, 37);
    be->swiglu_forward(o, g, u, 37);
    pk_down(be, out, o, 37); be->free(g); be->free(u);
}
static void swi_bwd(const pk_backend* be, float* const* in, const float* dout, float* const* din) {
    float* g = pk_up(be, in[0], 37); float* u = pk_up(be, in[1], 37); float* d = pk_up(be, dout, 37);
    float* dg = pk_up(be, NULL, 37); float* du = pk_up(be, NULL, 37);
    be->swiglu_backward(dg, du, d, g, u, 37);
    pk_down(be, din[0], dg, 37); pk_down(be, din[1], du, 37); be->free(g); be->free(u); be->free(d);
}

/* ---- cross-entropy: logits (5, 19) scaled to 3, fixed targets ---- */
static const int32_t CE_T[5] = {0, 18, 7, 7, 3};
static void ce_fwd(const pk_backend* be, float* const* in, float* out) {
    float* z = pk_up(be, in[0], 95); int32_t* t = iup(be, CE_T, 5); float* l = pk_up(be, NULL, 5);
    be->crossentropy(l, NULL, z, t, 5, 19, 0.0f);
    pk_down(be, out, l, 5); be->free(z); be->free(t);
}
static void ce_bwd(const pk_backend* be, float* const* in, const float* dout, float* const* din) {
    float* z = pk_up(be, in[0], 95); int32_t* t = iup(be, CE_T, 5); float* l = pk_up(be, NULL, 5); float* dz = pk_up(be, NULL, 95);
    be->crossentropy(l, dz, z, t, 5, 19, dout[0]);
    pk_down(be, din[0], dz, 95); be->free(z); be->free(t); be->free(l);
}

/* ---- KD: student and teacher (4, 23), temperature 2, chunks of 5 (23 = 4*5 + 3) ---- */
static void kd_fwd(const pk_backend* be, float* const* in, float* out) {
    float* s = pk_up(be, in[0], 92); float* t = pk_up(be, in[1], 92); float* l = pk_up(be, NULL, 4);
    be->kd_loss(l, NULL, s, t, 4, 23, 2.0f, 0.0f, 5);
    pk_down(be, out, l, 4); be->free(s); be->free(t);
}
static void kd_bwd(const pk_backend* be, float* const* in, const float* dout, float* const* din) {
    float* s = pk_up(be, in[0], 92); float* t = pk_up(be, in[1], 92); float* l = pk_up(be, NULL, 4); float* ds = pk_up(be, NULL, 92);
    be->kd_loss(l, ds, s, t, 4, 23, 2.0f, dout[0], 5);
    pk_down(be, din[0], ds, 92); be->free(s); be->free(t); be->free(l);
}

static const pk_case CASES[] = {
    {"embedding", 1, {66}, {1}, {1}, 42, 0, 7, emb_fwd, emb_bwd},
    {"rmsnorm", 2, {65, 13}, {1, 1}, {1.5f, 1}, 65, 0, 13, rms_fwd, rms_bwd},
    {"matmul 7x13x9", 3, {91, 117, 9}, {1, 1, 1}, {1, 1, 1}, 63, 0, 13, mm_small_fwd, mm_small_bwd},
    {"matmul 67x70x33", 3, {67 * 70, 33 * 70, 33}, {1, 1, 1}, {1, 1, 1}, 67 * 33, 0, 70, mm_tiles_fwd, mm_tiles_bwd},
    {"rope", 1, {96}, {1}, {1}, 96, 0, 2, rope_fwd, rope_bwd},
    {"attention gqa", 3, {AQN, AKN, AKN}, {1, 1, 1}, {1.5f, 1.5f, 1}, AQN, 0, 8, att_fwd, att_bwd},
    {"swiglu", 2, {37, 37}, {1, 1}, {3, 1}, 37, 0, 2, swi_fwd, swi_bwd},
    {"crossentropy", 1, {95}, {1}, {3}, 5, 1, 19, ce_fwd, ce_bwd},
    {"kd", 2, {92, 92}, {1, 0}, {4, 4}, 4, 1, 23, kd_fwd, kd_bwd},
};

const pk_case* pk_cases(int* count) {
    *count = (int) (sizeof CASES / sizeof CASES[0]);
    return CASES;
}
