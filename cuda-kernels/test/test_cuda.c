/*
 * test_cuda.c — the CUDA backend against the CPU reference on the same inputs: every op case
 * (forward and backward), AdamW, the bf16 GEMM, sumsq, a per-layer-shape model over 3 steps and 2 more
 * reading a forward-only teacher in place, and
 * the engine's goldens. Exits 77 (ctest: skipped), saying why, without a CUDA backend or device.
 * Usage: test_cuda [GOLDEN_DIR]
 */
#include "harness.h"
#include "golden.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GPU sums in fp32 in another order than the CPU's double: allow fp32 eps per accumulated term. */
static double tol_of(const pk_case* c) { return PK_TOL_FP32 * (c->k > 8 ? c->k / 8.0 : 1); }

static int compare_case(const pk_backend* cpu, const pk_backend* gpu, const pk_case* c) {
    pk_rng r = {0x9e3779b97f4a7c15ull};
    float *in[PK_MAX_IN] = {0}, *dc[PK_MAX_IN] = {0}, *dg[PK_MAX_IN] = {0};
    for (int i = 0; i < c->nin; i++) {
        in[i] = malloc(sizeof(float) * c->insz[i]);
        dc[i] = calloc(c->insz[i], sizeof(float));
        dg[i] = calloc(c->insz[i], sizeof(float));
        pk_fill(&r, in[i], c->insz[i], c->scale[i]);
    }
    float* R = malloc(sizeof(float) * c->outsz);
    float* oc = malloc(sizeof(float) * c->outsz);
    float* og = malloc(sizeof(float) * c->outsz);
    if (c->uniform_dout) for (size_t i = 0; i < c->outsz; i++) R[i] = 0.7f;
    else pk_fill(&r, R, c->outsz, 1);
    c->fwd(cpu, in, oc);
    c->fwd(gpu, in, og);
    c->bwd(cpu, in, R, dc);
    c->bwd(gpu, in, R, dg);
    char what[96];
    snprintf(what, sizeof what, "%s forward", c->name);
    int ok = pk_close(what, oc, og, c->outsz, tol_of(c), PK_EPS_FP32(c->k));
    for (int i = 0; i < c->nin; i++) {
        if (!c->grad[i]) continue;
        snprintf(what, sizeof what, "%s d input %d", c->name, i);
        ok &= pk_close(what, dc[i], dg[i], c->insz[i], tol_of(c) * 4, PK_EPS_FP32(c->k) * 4);
    }
    for (int i = 0; i < c->nin; i++) { free(in[i]); free(dc[i]); free(dg[i]); }
    free(R); free(oc); free(og);
    printf("%s %s\n", ok ? "ok  " : "FAIL", c->name);
    return ok;
}

static int compare_misc(const pk_backend* cpu, const pk_backend* gpu) {
    enum { n = 1000, N = 33, IC = 70, OC = 45 };
    pk_rng r = {5};
    float p[n], g[n], pc[n], pg[n], m[n] = {0}, v[n] = {0};
    pk_fill(&r, p, n, 1); pk_fill(&r, g, n, 0.1f);
    memcpy(pc, p, sizeof p);
    for (long t = 1; t <= 3; t++) cpu->adamw(pc, g, m, v, n, 1e-2f, 0.9f, 0.95f, 1e-8f, 0.1f, 1, t);
    float *dp = pk_up(gpu, p, n), *dgr = pk_up(gpu, g, n), *dm = pk_up(gpu, NULL, n), *dv = pk_up(gpu, NULL, n);
    for (long t = 1; t <= 3; t++) gpu->adamw(dp, dgr, dm, dv, n, 1e-2f, 0.9f, 0.95f, 1e-8f, 0.1f, 1, t);
    double sc = cpu->sumsq(g, n), sg = gpu->sumsq(dgr, n);
    pk_down(gpu, pg, dp, n); gpu->free(dgr); gpu->free(dm); gpu->free(dv);
    int ok = pk_close("adamw 3 steps", pc, pg, n, 1e-6, 1e-5);
    if (fabs(sc - sg) > 1e-5 * sc) { printf("FAIL sumsq: cpu %.9g, cuda %.9g\n", sc, sg); ok = 0; }
    /* bf16 GEMM: both backends on the same bf16 inputs */
    static float x[N * IC], w[OC * IC], oc[N * OC], og[N * OC];
    static pk_bf16 xb[N * IC], wb[OC * IC], xg[N * IC];
    pk_fill(&r, x, N * IC, 1); pk_fill(&r, w, OC * IC, 1);
    cpu->to_bf16(xb, x, N * IC); cpu->to_bf16(wb, w, OC * IC);
    cpu->matmul_forward_bf16(oc, xb, wb, NULL, N, IC, OC);
    pk_bf16 *gx = gpu->alloc(sizeof xb), *gw = gpu->alloc(sizeof wb);
    float* gxf = pk_up(gpu, x, N * IC);
    gpu->to_bf16(gx, gxf, N * IC);
    gpu->download(xg, gx, sizeof xg);
    if (memcmp(xg, xb, sizeof xb)) { printf("FAIL to_bf16: cuda rounds differently from the reference\n"); ok = 0; }
    gpu->upload(gw, wb, sizeof wb);
    float* go = pk_up(gpu, NULL, N * OC);
    gpu->matmul_forward_bf16(go, gx, gw, NULL, N, IC, OC);
    pk_down(gpu, og, go, N * OC); gpu->free(gx); gpu->free(gw); gpu->free(gxf);
    ok &= pk_close("bf16 matmul", oc, og, N * OC, PK_TOL_FP32 * IC, PK_EPS_FP32(IC));
    printf("%s adamw, sumsq, bf16\n", ok ? "ok  " : "FAIL");
    return ok;
}

static int compare_model(const pk_backend* cpu, const pk_backend* gpu) {
    pk_layer_shape L[3] = {{4, 2, 24}, {0, 0, 12}, {2, 1, 0}};
    pk_config cfg = {.vocab = 50, .hidden = 16, .head_dim = 8, .num_layers = 3, .layers = L, .rms_eps = 1e-5f, .tied_embeddings = 1};
    int B = 2, T = 9, N = B * T;
    float cs[9 * 4], sn[9 * 4];
    for (int t = 0; t < T; t++) for (int j = 0; j < 4; j++) {
        float a = (float) t * powf(10000.0f, -2.0f * j / 8);
        cs[t * 4 + j] = cosf(a); sn[t * 4 + j] = sinf(a);
    }
    char msg[256];
    pk_model* mc = pk_model_create(cpu, &cfg, B, T, cs, sn, msg, sizeof msg);
    pk_model* mg = pk_model_create(gpu, &cfg, B, T, cs, sn, msg, sizeof msg);
    if (!mc || !mg) { printf("FAIL model create: %s\n", msg); return 0; }
    size_t P = pk_model_num_params(mc);
    float *p = malloc(P * 4), *pc = malloc(P * 4), *pg = malloc(P * 4), *teacher = malloc((size_t) N * 50 * 4);
    pk_rng r = {9};
    pk_fill(&r, p, P, 0.3f); pk_fill(&r, teacher, (size_t) N * 50, 2);
    int32_t ids[18], tg[18];
    for (int i = 0; i < N; i++) { ids[i] = (i * 7 + 3) % 50; tg[i] = (i * 11 + 1) % 50; }
    pk_model_set_params(mc, p); pk_model_set_params(mg, p);
    pk_adamw_settings s = {1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 1.0f};
    int ok = 1;
    for (int step = 0; step < 3; step++) {
        float c1, k1, c2, k2;
        pk_model_zero_grads(mc);
        float lc = pk_model_forward_backward(mc, ids, tg, teacher, 1, 0.5f, 2, &c1, &k1);
        pk_model_zero_grads(mg);
        float lg = pk_model_forward_backward(mg, ids, tg, teacher, 1, 0.5f, 2, &c2, &k2);
        if (step == 0) {
            pk_model_get_grads(mc, pc); pk_model_get_grads(mg, pg);
            ok &= pk_close("model gradients, step 1", pc, pg, P, 1e-4, 1e-3);
        }
        if (fabsf(lc - lg) > 1e-4f + 1e-4f * fabsf(lc)) { printf("FAIL model loss step %d: cpu %.7g cuda %.7g\n", step, lc, lg); ok = 0; }
        pk_model_step(mc, &s); pk_model_step(mg, &s);
    }
    /* a forward-only teacher (the starting weights) read in place on each backend */
    pk_model* tc = pk_model_create_forward_only(cpu, &cfg, B, T, cs, sn, msg, sizeof msg);
    pk_model* tgm = pk_model_create_forward_only(gpu, &cfg, B, T, cs, sn, msg, sizeof msg);
    if (!tc || !tgm) { printf("FAIL teacher create: %s\n", msg); return 0; }
    pk_model_set_params(tc, p); pk_model_set_params(tgm, p);
    for (int step = 0; step < 2; step++) {
        float c1, k1, c2, k2;
        pk_model_zero_grads(mc);
        float lc = pk_model_forward_backward_kd(mc, tc, ids, tg, 0.5f, 0.5f, 2, &c1, &k1);
        pk_model_zero_grads(mg);
        float lg = pk_model_forward_backward_kd(mg, tgm, ids, tg, 0.5f, 0.5f, 2, &c2, &k2);
        if (!(fabsf(lc - lg) <= 1e-4f + 1e-4f * fabsf(lc)) || !(fabsf(k1 - k2) <= 1e-4f + 1e-4f * fabsf(k1))) {
            printf("FAIL model with a teacher handle, step %d: cpu %.7g (kd %.7g) cuda %.7g (kd %.7g)\n", step, lc, k1, lg, k2);
            ok = 0;
        }
        pk_model_step(mc, &s); pk_model_step(mg, &s);
    }
    pk_model_free(tc); pk_model_free(tgm);
    pk_model_get_params(mc, pc); pk_model_get_params(mg, pg);
    ok &= pk_close("model weights after 3 steps + 2 with a teacher handle", pc, pg, P, 1e-5, 1e-4);
    if (gpu->check(msg, sizeof msg)) { printf("FAIL %s\n", msg); ok = 0; }
    printf("%s model per-layer shapes, 3 steps + 2 with a forward-only teacher\n", ok ? "ok  " : "FAIL");
    free(p); free(pc); free(pg); free(teacher);
    pk_model_free(mc); pk_model_free(mg);
    return ok;
}

int main(int argc, char** argv) {
    const pk_backend* gpu = pk_backend_cuda();
    char msg[512];
    if (!gpu) { pk_cuda_available(msg, sizeof msg); printf("SKIP test_cuda: %s\n", msg); return 77; }
    if (!pk_cuda_available(msg, sizeof msg)) { printf("SKIP test_cuda: %s\n", msg); return 77; }
    const pk_backend* cpu = pk_backend_cpu();
    int n, ok = 1;
    const pk_case* cases = pk_cases(&n);
    for (int i = 0; i < n; i++) ok &= compare_case(cpu, gpu, &cases[i]);
    ok &= compare_misc(cpu, gpu);
    ok &= compare_model(cpu, gpu);
    if (argc > 1) ok &= pk_golden_check(gpu, argv[1]);
    if (gpu->check(msg, sizeof msg)) { printf("FAIL %s\n", msg); ok = 0; }
    printf(ok ? "all CUDA checks passed\n" : "CUDA checks FAILED\n");
    return ok ? 0 : 1;
}
