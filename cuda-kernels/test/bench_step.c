/*
 * bench_step.c — tokens/s of full training steps (forward, backward, clip, AdamW) on one backend.
 * Usage: bench_step cpu|cuda NAME VOCAB HIDDEN HEAD_DIM LAYERS QH KVH FFN B T STEPS OUT.json
 *                   [T_HIDDEN T_LAYERS T_QH T_KVH T_FFN]
 * With the five teacher sizes, each step is 0.5 CE + 0.5 KD(T = 2) against a forward-only teacher of
 * that shape (same vocab and head_dim) read in place (pk_model_forward_backward_kd); else CE only.
 * Writes {"name", "backend", shapes, "tokens_per_s", "ms_per_step", "tflops"} where tflops counts
 * 6·params·tokens (the teacher: 2·params·tokens) plus the attention products (see att below). Weights
 * are random: this measures speed, not quality.
 */
#include "prunekit_kernels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Small random weights (xorshift), tensor by tensor through pk_model_write. */
static void fill_random(pk_model* m, unsigned long long* x) {
    size_t P = pk_model_num_params(m), chunk = 1 << 20;
    float* p = malloc(sizeof(float) * chunk);
    for (size_t at = 0; at < P; at += chunk) {
        size_t n = P - at < chunk ? P - at : chunk;
        for (size_t i = 0; i < n; i++) {
            *x ^= *x << 13; *x ^= *x >> 7; *x ^= *x << 17;
            p[i] = ((*x >> 40) / 16777216.0f - 0.5f) * 0.04f;
        }
        pk_model_write(m, PK_PARAMS, at, n, p);
    }
    free(p);
}

static void one_step(pk_model* m, pk_model* teacher, const int32_t* ids, const int32_t* tg, float* ce) {
    if (teacher) pk_model_forward_backward_kd(m, teacher, ids, tg, 0.5f, 0.5f, 2.0f, ce, NULL);
    else pk_model_forward_backward(m, ids, tg, NULL, 1, 0, 1, ce, NULL);
}

int main(int argc, char** argv) {
    if (argc != 14 && argc != 19) {
        fprintf(stderr, "usage: bench_step cpu|cuda NAME VOCAB HIDDEN HEAD_DIM LAYERS QH KVH FFN B T STEPS OUT.json"
                " [T_HIDDEN T_LAYERS T_QH T_KVH T_FFN]\n");
        return 2;
    }
    const pk_backend* be = argv[1][0] == 'c' && argv[1][1] == 'u' ? pk_backend_cuda() : pk_backend_cpu();
    char msg[512];
    if (!be || (be != pk_backend_cpu() && !pk_cuda_available(msg, sizeof msg))) {
        fprintf(stderr, "bench_step: no CUDA backend or device; use cpu\n");
        return 77;
    }
    int V = atoi(argv[3]), C = atoi(argv[4]), hd = atoi(argv[5]), L = atoi(argv[6]);
    pk_layer_shape s = {atoi(argv[7]), atoi(argv[8]), atoi(argv[9])};
    int B = atoi(argv[10]), T = atoi(argv[11]), steps = atoi(argv[12]), N = B * T;
    pk_layer_shape* layers = malloc(sizeof(pk_layer_shape) * L);
    for (int i = 0; i < L; i++) layers[i] = s;
    pk_config cfg = {V, C, hd, L, layers, 1e-5f, 0};
    float* cs = malloc(sizeof(float) * T * hd / 2);
    float* sn = malloc(sizeof(float) * T * hd / 2);
    for (int t = 0; t < T; t++) for (int j = 0; j < hd / 2; j++) {
        float a = (float) t * powf(10000.0f, -2.0f * j / hd);
        cs[t * hd / 2 + j] = cosf(a); sn[t * hd / 2 + j] = sinf(a);
    }
    pk_model* m = pk_model_create(be, &cfg, B, T, cs, sn, msg, sizeof msg);
    if (!m) { fprintf(stderr, "bench_step: %s\n", msg); return 1; }
    size_t P = pk_model_num_params(m), TP = 0;
    unsigned long long x = 88172645463325252ull;
    fill_random(m, &x);
    pk_model* te = NULL;
    pk_layer_shape ts = {0, 0, 0};
    int TL = 0;
    if (argc == 19) {
        int TC = atoi(argv[14]);
        TL = atoi(argv[15]);
        ts = (pk_layer_shape) {atoi(argv[16]), atoi(argv[17]), atoi(argv[18])};
        pk_layer_shape* tl = malloc(sizeof(pk_layer_shape) * TL);
        for (int i = 0; i < TL; i++) tl[i] = ts;
        pk_config tc = {V, TC, hd, TL, tl, 1e-5f, 0};
        te = pk_model_create_forward_only(be, &tc, B, T, cs, sn, msg, sizeof msg);
        free(tl);
        if (!te) { fprintf(stderr, "bench_step: teacher: %s\n", msg); return 1; }
        TP = pk_model_num_params(te);
        fill_random(te, &x);
    }
    int32_t* ids = malloc(sizeof(int32_t) * N);
    int32_t* tg = malloc(sizeof(int32_t) * N);
    for (int i = 0; i < N; i++) { ids[i] = (i * 7919) % V; tg[i] = (i * 104729 + 1) % V; }
    pk_adamw_settings st = {1e-4f, 0.9f, 0.95f, 1e-8f, 0.1f, 1.0f};
    float ce = 0;
    pk_model_zero_grads(m);
    one_step(m, te, ids, tg, &ce); /* warm-up */
    pk_model_step(m, &st);
    be->check(msg, sizeof msg);
    double t0 = now();
    for (int i = 0; i < steps; i++) {
        pk_model_zero_grads(m);
        one_step(m, te, ids, tg, &ce);
        pk_model_step(m, &st);
    }
    int bad = be->check(msg, sizeof msg);
    double dt = (now() - t0) / steps;
    /* 6 flops per parameter per token (forward 2, backward 4) + attention: QK^T and PV, 2·2·T·hd·QH per token
     * forward (causal halves it), times 3 with backward. */
    double att = 3.0 * 2.0 * 2.0 * T * hd * s.query_heads * L * 0.5;
    double teacher_att = 2.0 * 2.0 * T * hd * ts.query_heads * TL * 0.5;
    double flops = (6.0 * P + att + 2.0 * TP + teacher_att) * N;
    FILE* f = fopen(argv[13], "w");
    if (!f) { perror(argv[13]); return 1; }
    fprintf(f, "{\"name\": \"%s\", \"backend\": \"%s\", \"vocab\": %d, \"hidden\": %d, \"head_dim\": %d, \"layers\": %d, "
            "\"query_heads\": %d, \"kv_heads\": %d, \"ffn\": %d, \"batch\": %d, \"seq\": %d, \"params\": %zu, "
            "\"teacher_params\": %zu, \"steps\": %d, "
            "\"ms_per_step\": %.3f, \"tokens_per_s\": %.1f, \"tflops\": %.4f, \"last_ce\": %.5f, \"error\": %s%s%s}\n",
            argv[2], be->name, V, C, hd, L, s.query_heads, s.kv_heads, s.ffn, B, T, P, TP, steps, dt * 1e3, N / dt,
            flops / dt / 1e12, ce, bad ? "\"" : "", bad ? msg : "null", bad ? "\"" : "");
    fclose(f);
    printf("%s on %s: %.1f tokens/s, %.2f ms/step, %.3f TFLOP/s\n", argv[2], be->name, N / dt, dt * 1e3, flops / dt / 1e12);
    pk_model_free(m);
    pk_model_free(te);
    return bad;
}
