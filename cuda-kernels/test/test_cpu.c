/*
 * test_cpu.c — the CPU reference checked against simpler truths: central finite differences for
 * every backward (op by op and through the whole model step), AdamW against its formula, the bf16
 * GEMM against the fp32 GEMM on rounded inputs, and (when cuda-kernels/golden/ holds them) the
 * engine's goldens: logits, loss, gradients and the weights after 10 AdamW steps; a forward-only
 * teacher model (another shape) against its logits through the host.
 * Usage: test_cpu [GOLDEN_DIR]. Exit status 0 only when every check passes.
 */
#include "harness.h"
#include "golden.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FD_H 1e-2
#define FD_TOL 5e-4
#define FD_EPS 1e-3

static double dot(const float* a, const float* b, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double) a[i] * b[i];
    return s;
}

static int check_case(const pk_backend* be, const pk_case* c) {
    pk_rng r = {0x9e3779b97f4a7c15ull};
    float* in[PK_MAX_IN] = {0};
    float* din[PK_MAX_IN] = {0};
    for (int i = 0; i < c->nin; i++) {
        in[i] = malloc(sizeof(float) * c->insz[i]);
        din[i] = calloc(c->insz[i], sizeof(float));
        pk_fill(&r, in[i], c->insz[i], c->scale[i]);
    }
    float* R = malloc(sizeof(float) * c->outsz);
    float* out = malloc(sizeof(float) * c->outsz);
    if (c->uniform_dout) for (size_t i = 0; i < c->outsz; i++) R[i] = 0.7f;
    else pk_fill(&r, R, c->outsz, 1);
    c->bwd(be, in, R, din);
    int ok = 1;
    for (int i = 0; i < c->nin; i++) {
        if (!c->grad[i]) continue;
        size_t n = c->insz[i], stride = n > 300 ? n / 150 + 1 : 1, m = 0;
        float* num = malloc(sizeof(float) * n);
        float* ana = malloc(sizeof(float) * n);
        for (size_t j = 0; j < n; j += stride, m++) {
            float keep = in[i][j];
            in[i][j] = keep + (float) FD_H;
            c->fwd(be, in, out);
            double lp = dot(out, R, c->outsz);
            in[i][j] = keep - (float) FD_H;
            c->fwd(be, in, out);
            double lm = dot(out, R, c->outsz);
            in[i][j] = keep;
            num[m] = (float) ((lp - lm) / (2 * FD_H));
            ana[m] = din[i][j];
        }
        char what[96];
        snprintf(what, sizeof what, "%s: d input %d by finite differences", c->name, i);
        ok &= pk_close(what, num, ana, m, FD_TOL, FD_EPS);
        free(num);
        free(ana);
    }
    for (int i = 0; i < c->nin; i++) { free(in[i]); free(din[i]); }
    free(R);
    free(out);
    printf("%s %s\n", ok ? "ok  " : "FAIL", c->name);
    return ok;
}

static int check_adamw(const pk_backend* be) {
    enum { n = 50 };
    pk_rng r = {7};
    float p[n], g[n], m[n], v[n], ep[n], em[n], ev[n];
    pk_fill(&r, p, n, 1); pk_fill(&r, g, n, 0.1f);
    memset(m, 0, sizeof m); memset(v, 0, sizeof v);
    memcpy(ep, p, sizeof p); memset(em, 0, sizeof em); memset(ev, 0, sizeof ev);
    for (long t = 1; t <= 3; t++) {
        be->adamw(p, g, m, v, n, 1e-2f, 0.9f, 0.95f, 1e-8f, 0.1f, 1, t);
        for (int i = 0; i < n; i++) { /* the formula in double */
            double pi = ep[i] * (1 - 1e-2 * 0.1);
            em[i] = (float) (0.9 * em[i] + 0.1 * g[i]);
            ev[i] = (float) (0.95 * ev[i] + 0.05 * (double) g[i] * g[i]);
            double mh = em[i] / (1 - pow(0.9, t)), vh = ev[i] / (1 - pow(0.95, t));
            ep[i] = (float) (pi - 1e-2 * mh / (sqrt(vh) + 1e-8));
        }
    }
    int ok = pk_close("adamw: 3 steps vs the formula", ep, p, n, 1e-6, 1e-5);
    printf("%s adamw\n", ok ? "ok  " : "FAIL");
    return ok;
}

static int check_bf16(const pk_backend* be) {
    enum { N = 9, IC = 40, OC = 11 };
    pk_rng r = {11};
    float x[N * IC], w[OC * IC], xr[N * IC], wr[OC * IC], ref[N * OC], got[N * OC];
    pk_bf16 xb[N * IC], wb[OC * IC];
    pk_fill(&r, x, N * IC, 1); pk_fill(&r, w, OC * IC, 1);
    be->to_bf16(xb, x, N * IC); be->to_bf16(wb, w, OC * IC);
    be->from_bf16(xr, xb, N * IC); be->from_bf16(wr, wb, OC * IC);
    int ok = pk_close("bf16 round trip", x, xr, N * IC, 0, 1.0 / 256);
    be->matmul_forward(ref, x, w, NULL, N, IC, OC);
    be->matmul_forward_bf16(got, xb, wb, NULL, N, IC, OC);
    ok &= pk_close("bf16 matmul vs fp32 matmul", ref, got, N * OC, PK_TOL_BF16 * IC, PK_EPS_BF16);
    double s = be->sumsq(x, N * IC), e = 0;
    for (int i = 0; i < N * IC; i++) e += (double) x[i] * x[i];
    if (fabs(s - e) > 1e-9 * e) { printf("FAIL sumsq %.17g vs %.17g\n", s, e); ok = 0; }
    printf("%s bf16 matmul, sumsq\n", ok ? "ok  " : "FAIL");
    return ok;
}

/* Per-layer shapes: GQA, MHA, a layer with no attention, a layer with no MLP; untied head. */
static int check_model(const pk_backend* be) {
    pk_layer_shape L[4] = {{4, 2, 10}, {2, 2, 6}, {0, 0, 7}, {2, 1, 0}};
    pk_config cfg = {.vocab = 17, .hidden = 8, .head_dim = 4, .num_layers = 4, .layers = L, .rms_eps = 1e-5f, .tied_embeddings = 0};
    int B = 2, T = 5, N = B * T;
    float cs[5 * 2], sn[5 * 2];
    for (int t = 0; t < T; t++) for (int j = 0; j < 2; j++) {
        float a = (float) t * powf(10000.0f, -2.0f * j / 4);
        cs[t * 2 + j] = cosf(a); sn[t * 2 + j] = sinf(a);
    }
    char msg[256];
    pk_model* m = pk_model_create(be, &cfg, B, T, cs, sn, msg, sizeof msg);
    if (!m) { printf("FAIL model: %s\n", msg); return 0; }
    size_t P = pk_model_num_params(m);
    pk_rng r = {3};
    float* p = malloc(sizeof(float) * P);
    float* g = malloc(sizeof(float) * P);
    float* teacher = malloc(sizeof(float) * N * 17);
    pk_fill(&r, p, P, 0.5f);
    pk_fill(&r, teacher, (size_t) N * 17, 2);
    int32_t ids[10], tg[10];
    for (int i = 0; i < N; i++) { ids[i] = (i * 7 + 3) % 17; tg[i] = (i * 5 + 1) % 17; }
    pk_model_set_params(m, p);
    float ce, kd;
    pk_model_zero_grads(m);
    pk_model_forward_backward(m, ids, tg, teacher, 0.5f, 0.5f, 2.0f, &ce, &kd);
    pk_model_get_grads(m, g);
    /* FD of the same objective over a sample of every tensor's entries */
    pk_model* f = pk_model_create(be, &cfg, B, T, cs, sn, msg, sizeof msg);
    size_t stride = P / 200 + 1, k = 0;
    float* num = malloc(sizeof(float) * (P / stride + 1));
    float* ana = malloc(sizeof(float) * (P / stride + 1));
    for (size_t j = 0; j < P; j += stride, k++) {
        float keep = p[j];
        float c1, k1, c2, k2;
        p[j] = keep + 1e-2f; pk_model_set_params(f, p);
        pk_model_zero_grads(f);
        float lp = pk_model_forward_backward(f, ids, tg, teacher, 0.5f, 0.5f, 2.0f, &c1, &k1);
        p[j] = keep - 1e-2f; pk_model_set_params(f, p);
        pk_model_zero_grads(f);
        float lm = pk_model_forward_backward(f, ids, tg, teacher, 0.5f, 0.5f, 2.0f, &c2, &k2);
        p[j] = keep;
        num[k] = (lp - lm) / 2e-2f;
        ana[k] = g[j];
    }
    int ok = pk_close("model: d(0.5 CE + 0.5 KD)/d params by finite differences", num, ana, k, FD_TOL, FD_EPS);
    /* two micro-batches of one row at half weight accumulate the full batch's gradients */
    pk_model* half = pk_model_create(be, &cfg, 1, T, cs, sn, msg, sizeof msg);
    float* acc = malloc(sizeof(float) * P);
    pk_model_set_params(half, p);
    pk_model_zero_grads(half);
    for (int r = 0; r < B; r++) {
        pk_model_forward_backward(half, ids + r * T, tg + r * T, teacher + (size_t) r * T * 17, 0.25f, 0.25f, 2.0f, &ce, &kd);
    }
    pk_model_get_grads(half, acc);
    ok &= pk_close("model: 2 accumulated micro-batches vs one batch", g, acc, P, 1e-6, 1e-5);
    free(acc);
    pk_model_free(half);
    /* ten steps lower the CE on a fixed batch */
    pk_adamw_settings s = {1e-2f, 0.9f, 0.95f, 1e-8f, 0.1f, 1.0f};
    float first = pk_model_forward(m, ids, tg), last = first;
    for (int i = 0; i < 10; i++) {
        pk_model_zero_grads(m);
        pk_model_forward_backward(m, ids, tg, NULL, 1, 0, 1, &ce, NULL);
        pk_model_step(m, &s);
    }
    last = pk_model_forward(m, ids, tg);
    if (!(last < first - 0.1f)) { printf("FAIL model: 10 steps took CE from %g to %g\n", first, last); ok = 0; }
    printf("%s model per-layer shapes (%zu params, CE %.4f -> %.4f)\n", ok ? "ok  " : "FAIL", P, first, last);
    free(num); free(ana); free(p); free(g); free(teacher);
    pk_model_free(f);
    pk_model_free(m);
    return ok;
}

/* A dense teacher of another shape (hidden, head_dim, layers) as a forward-only model: its logits are
 * those of a training model with the same weights, and a student step reading them in place is the
 * step given them through the host, to the bit. */
static int check_teacher(const pk_backend* be) {
    pk_layer_shape SL[2] = {{2, 1, 6}, {0, 0, 5}}, TL[3] = {{2, 2, 16}, {2, 1, 16}, {4, 2, 16}};
    pk_config sc = {.vocab = 17, .hidden = 8, .head_dim = 4, .num_layers = 2, .layers = SL, .rms_eps = 1e-5f, .tied_embeddings = 0};
    pk_config tc = {.vocab = 17, .hidden = 12, .head_dim = 6, .num_layers = 3, .layers = TL, .rms_eps = 1e-5f, .tied_embeddings = 1};
    int B = 2, T = 5, N = B * T;
    float scs[5 * 2], ssn[5 * 2], tcs[5 * 3], tsn[5 * 3];
    for (int t = 0; t < T; t++) {
        for (int j = 0; j < 2; j++) { float a = (float) t * powf(10000.0f, -2.0f * j / 4); scs[t * 2 + j] = cosf(a); ssn[t * 2 + j] = sinf(a); }
        for (int j = 0; j < 3; j++) { float a = (float) t * powf(10000.0f, -2.0f * j / 6); tcs[t * 3 + j] = cosf(a); tsn[t * 3 + j] = sinf(a); }
    }
    char msg[256];
    pk_model* te = pk_model_create_forward_only(be, &tc, B, T, tcs, tsn, msg, sizeof msg);
    pk_model* full = pk_model_create(be, &tc, B, T, tcs, tsn, msg, sizeof msg);
    pk_model* a = pk_model_create(be, &sc, B, T, scs, ssn, msg, sizeof msg);
    pk_model* b = pk_model_create(be, &sc, B, T, scs, ssn, msg, sizeof msg);
    pk_model* other = pk_model_create_forward_only(be, &tc, 1, T, tcs, tsn, msg, sizeof msg);
    if (!te || !full || !a || !b || !other) { printf("FAIL teacher: %s\n", msg); return 0; }
    size_t TP = pk_model_num_params(te), SP = pk_model_num_params(a);
    pk_rng r = {21};
    float *tw = malloc(4 * TP), *sw = malloc(4 * SP), *l1 = malloc(4 * N * 17), *l2 = malloc(4 * N * 17);
    float *ga = malloc(4 * SP), *gb = malloc(4 * SP);
    pk_fill(&r, tw, TP, 0.5f);
    pk_fill(&r, sw, SP, 0.5f);
    int32_t ids[10], tg[10];
    for (int i = 0; i < N; i++) { ids[i] = (i * 5 + 2) % 17; tg[i] = (i * 3 + 4) % 17; }
    pk_model_set_params(te, tw);
    for (size_t at = 0; at < TP; at += 100) pk_model_write(full, PK_PARAMS, at, TP - at < 100 ? TP - at : 100, tw + at);
    pk_model_set_params(a, sw); pk_model_set_params(b, sw);
    float ft = pk_model_forward(te, ids, tg), ff = pk_model_forward(full, ids, tg);
    pk_model_get_logits(te, l1);
    pk_model_get_logits(full, l2);
    int ok = pk_close("teacher: forward-only logits vs a training model's", l2, l1, (size_t) N * 17, 0, 0) && ft == ff;
    float back[7];
    ok &= pk_model_read(te, PK_PARAMS, TP - 7, 7, back) && pk_close("teacher: params read back by range", tw + TP - 7, back, 7, 0, 0);
    if (pk_model_read(te, PK_GRADS, 0, 1, back) || pk_model_write(full, PK_ADAM_M, TP - 6, 7, back)
        || pk_model_read(full, (pk_buffer) 9, 0, 1, back)) {
        printf("FAIL teacher: a range outside a buffer, or a forward-only model's gradients, was not refused\n");
        ok = 0;
    }
    float ca, ka, cb, kb;
    pk_model_zero_grads(a);
    float la = pk_model_forward_backward(a, ids, tg, l1, 0.3f, 0.7f, 2.0f, &ca, &ka);
    pk_model_zero_grads(b);
    float lb = pk_model_forward_backward_kd(b, te, ids, tg, 0.3f, 0.7f, 2.0f, &cb, &kb);
    pk_model_get_grads(a, ga);
    pk_model_get_grads(b, gb);
    ok &= pk_close("teacher: gradients with the teacher handle vs its logits through the host", ga, gb, SP, 0, 0);
    if (la != lb || ca != cb || ka != kb) { printf("FAIL teacher: loss %g/%g, ce %g/%g, kd %g/%g\n", la, lb, ca, cb, ka, kb); ok = 0; }
    if (pk_model_teacher_fits(b, other, msg, sizeof msg) || !strstr(msg, "batch")
        || !isnan(pk_model_forward_backward_kd(b, other, ids, tg, 0.3f, 0.7f, 2.0f, &cb, &kb)) || !isnan(kb)
        || !isnan(pk_model_step(te, &(pk_adamw_settings) {1e-3f, 0.9f, 0.95f, 1e-8f, 0, 1}))) {
        printf("FAIL teacher: a teacher of another batch, or a step of a forward-only model, was not refused (%s)\n", msg);
        ok = 0;
    }
    printf("%s teacher of another shape as a forward-only model (%zu params; student %zu)\n", ok ? "ok  " : "FAIL", TP, SP);
    free(tw); free(sw); free(l1); free(l2); free(ga); free(gb);
    pk_model_free(te); pk_model_free(full); pk_model_free(a); pk_model_free(b); pk_model_free(other);
    return ok;
}

int main(int argc, char** argv) {
    const pk_backend* be = pk_backend_cpu();
    int n, ok = 1;
    const pk_case* cases = pk_cases(&n);
    for (int i = 0; i < n; i++) ok &= check_case(be, &cases[i]);
    ok &= check_adamw(be);
    ok &= check_bf16(be);
    ok &= check_model(be);
    ok &= check_teacher(be);
    if (argc > 1) ok &= pk_golden_check(be, argv[1]);
    printf(ok ? "all CPU reference checks passed\n" : "CPU reference checks FAILED\n");
    return ok ? 0 : 1;
}
