/*
 * model.c — one recovery training step of a LLaMA decoder with per-layer shapes, written once over
 * the pk_backend op table (the same code drives the CPU reference and the CUDA backend, as llm.c's
 * train_gpt2.c / train_gpt2.cu share one structure). Forward saves what backward needs; backward
 * walks the layers in reverse; step clips by global norm and applies AdamW per tensor. A forward-only
 * model (the KD teacher) holds its parameters, one layer's activations shared by every layer and the
 * logits: nothing for backward or the optimizer.
 */
#include "prunekit_kernels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TENSORS 4096
#define NAME_CAP 64

typedef struct tensor { char name[NAME_CAP]; size_t off, n; int rank2; } tensor;

/* Per-layer parameter offsets (floats; SIZE_MAX when absent) and saved activations. */
typedef struct layer {
    pk_layer_shape s;
    size_t norm1, wq, wk, wv, wo, norm2, wg, wu, wd;
    float *in, *ln1, *rstd1, *q, *k, *v, *probs, *att, *mid, *ln2, *rstd2, *gate, *up, *act;
} layer;

struct pk_model {
    const pk_backend* be;
    pk_config cfg;
    pk_layer_shape* shapes;
    int B, T, N;
    int forward_only;
    tensor tensors[MAX_TENSORS];
    int ntensors;
    size_t nparams, embed, final_norm, lm_head;
    long updates;
    float *params, *grads, *m, *v;
    layer* layers;
    float *out, *lnf, *rstdf, *logits, *dlogits, *losses, *kd_losses, *teacher, *cos, *sin;
    int32_t *ids, *targets;
    float *dres, *dln, *dq, *dk, *dv, *datt, *dgate, *dup, *dact, *dscratch;
    float* host_losses;
    float* shared[14]; /* forward-only: the activation buffers every layer points into */
};

static size_t add_tensor(pk_model* m, const char* name, size_t n, int rank2) {
    tensor* t = &m->tensors[m->ntensors++];
    snprintf(t->name, NAME_CAP, "%s", name);
    t->off = m->nparams;
    t->n = n;
    t->rank2 = rank2;
    m->nparams += n;
    return t->off;
}

static void layout(pk_model* m) {
    const pk_config* c = &m->cfg;
    size_t C = c->hidden, hd = c->head_dim;
    char nm[NAME_CAP];
    m->embed = add_tensor(m, "model.embed_tokens.weight", (size_t) c->vocab * C, 1);
    for (int i = 0; i < c->num_layers; i++) {
        layer* l = &m->layers[i];
        pk_layer_shape s = m->shapes[i];
        l->s = s;
        l->norm1 = l->wq = l->wk = l->wv = l->wo = l->norm2 = l->wg = l->wu = l->wd = (size_t) -1;
        snprintf(nm, NAME_CAP, "model.layers.%d.input_layernorm.weight", i); /* kept (unused) without attention, as in HF files */
        l->norm1 = add_tensor(m, nm, C, 0);
        if (s.query_heads > 0) {
            snprintf(nm, NAME_CAP, "model.layers.%d.self_attn.q_proj.weight", i);
            l->wq = add_tensor(m, nm, s.query_heads * hd * C, 1);
            snprintf(nm, NAME_CAP, "model.layers.%d.self_attn.k_proj.weight", i);
            l->wk = add_tensor(m, nm, s.kv_heads * hd * C, 1);
            snprintf(nm, NAME_CAP, "model.layers.%d.self_attn.v_proj.weight", i);
            l->wv = add_tensor(m, nm, s.kv_heads * hd * C, 1);
            snprintf(nm, NAME_CAP, "model.layers.%d.self_attn.o_proj.weight", i);
            l->wo = add_tensor(m, nm, C * s.query_heads * hd, 1);
        }
        snprintf(nm, NAME_CAP, "model.layers.%d.post_attention_layernorm.weight", i);
        l->norm2 = add_tensor(m, nm, C, 0);
        if (s.ffn > 0) {
            snprintf(nm, NAME_CAP, "model.layers.%d.mlp.gate_proj.weight", i);
            l->wg = add_tensor(m, nm, s.ffn * C, 1);
            snprintf(nm, NAME_CAP, "model.layers.%d.mlp.up_proj.weight", i);
            l->wu = add_tensor(m, nm, s.ffn * C, 1);
            snprintf(nm, NAME_CAP, "model.layers.%d.mlp.down_proj.weight", i);
            l->wd = add_tensor(m, nm, C * s.ffn, 1);
        }
    }
    m->final_norm = add_tensor(m, "model.norm.weight", C, 0);
    m->lm_head = c->tied_embeddings ? m->embed : add_tensor(m, "lm_head.weight", (size_t) c->vocab * C, 1);
}

static float* falloc(pk_model* m, size_t n, int* ok) {
    float* p = m->be->alloc(n * sizeof(float));
    if (!p) *ok = 0;
    return p;
}

/* Activations of every layer, saved for backward. */
static void alloc_layers(pk_model* m, int* ok) {
    size_t N = m->N, C = m->cfg.hidden, hd = m->cfg.head_dim;
    for (int i = 0; i < m->cfg.num_layers; i++) {
        layer* l = &m->layers[i];
        size_t qd = l->s.query_heads * hd, kd = l->s.kv_heads * hd, f = l->s.ffn;
        l->in = falloc(m, N * C, ok);
        l->mid = falloc(m, N * C, ok);
        if (qd) {
            l->ln1 = falloc(m, N * C, ok); l->rstd1 = falloc(m, N, ok);
            l->q = falloc(m, N * qd, ok); l->k = falloc(m, N * kd, ok); l->v = falloc(m, N * kd, ok);
            l->probs = falloc(m, (size_t) m->B * l->s.query_heads * m->T * m->T, ok); l->att = falloc(m, N * qd, ok);
        }
        if (f) {
            l->ln2 = falloc(m, N * C, ok); l->rstd2 = falloc(m, N, ok);
            l->gate = falloc(m, N * f, ok); l->up = falloc(m, N * f, ok); l->act = falloc(m, N * f, ok);
        }
    }
}

/* Forward only: one set of buffers at the widest layer's size, shared by every layer. One residual
 * buffer suffices: forward reads a layer's input (copy to mid, attention's norm) before it writes
 * the next layer's input over it. */
static void share_layers(pk_model* m, int maxq, int maxkv, int maxf, int* ok) {
    size_t N = m->N, C = m->cfg.hidden, hd = m->cfg.head_dim, qd = maxq * hd, kd = maxkv * hd, f = maxf;
    size_t sizes[14] = {N * C, N * C, N * C, N, N * qd, N * kd, N * kd, (size_t) m->B * maxq * m->T * m->T,
                        N * qd, N * C, N, N * f, N * f, N * f};
    for (int j = 0; j < 14; j++) m->shared[j] = falloc(m, sizes[j] ? sizes[j] : 1, ok);
    float** S = m->shared;
    for (int i = 0; i < m->cfg.num_layers; i++) {
        layer* l = &m->layers[i];
        l->in = S[0]; l->mid = S[1]; l->ln1 = S[2]; l->rstd1 = S[3]; l->q = S[4]; l->k = S[5]; l->v = S[6];
        l->probs = S[7]; l->att = S[8]; l->ln2 = S[9]; l->rstd2 = S[10]; l->gate = S[11]; l->up = S[12]; l->act = S[13];
    }
}

static pk_model* create(const pk_backend* be, const pk_config* cfg, int B, int T, const float* cos, const float* sin,
                        int forward_only, char* msg, size_t cap) {
    if (!be || be->abi_version != PK_ABI_VERSION) {
        snprintf(msg, cap, "pk_model_create: backend missing or of another ABI version (want %d)", PK_ABI_VERSION);
        return NULL;
    }
    int maxq = 0, maxkv = 0, maxf = 0;
    for (int i = 0; i < cfg->num_layers; i++) {
        pk_layer_shape s = cfg->layers[i];
        if (s.query_heads < 0 || s.kv_heads < 0 || s.ffn < 0 || (s.query_heads > 0 && (s.kv_heads == 0 || s.query_heads % s.kv_heads))) {
            snprintf(msg, cap, "pk_model_create: layer %d has %d query heads, %d KV heads, FFN %d; query heads must be a "
                     "multiple of KV heads (fix the config's per-layer shapes)", i, s.query_heads, s.kv_heads, s.ffn);
            return NULL;
        }
        if (s.query_heads > maxq) maxq = s.query_heads;
        if (s.kv_heads > maxkv) maxkv = s.kv_heads;
        if (s.ffn > maxf) maxf = s.ffn;
    }
    if (cfg->head_dim % 2 || B <= 0 || T <= 0 || cfg->vocab <= 0 || cfg->hidden <= 0) {
        snprintf(msg, cap, "pk_model_create: need an even head_dim and positive B, T, vocab, hidden (got hd %d, B %d, T %d)",
                 cfg->head_dim, B, T);
        return NULL;
    }
    pk_model* m = calloc(1, sizeof(pk_model));
    m->be = be;
    m->cfg = *cfg;
    m->forward_only = forward_only;
    m->shapes = malloc(sizeof(pk_layer_shape) * (cfg->num_layers ? cfg->num_layers : 1));
    memcpy(m->shapes, cfg->layers, sizeof(pk_layer_shape) * cfg->num_layers);
    m->cfg.layers = m->shapes;
    m->B = B;
    m->T = T;
    m->N = B * T;
    m->layers = calloc(cfg->num_layers ? cfg->num_layers : 1, sizeof(layer));
    if (4 + 9 * cfg->num_layers > MAX_TENSORS) {
        snprintf(msg, cap, "pk_model_create: %d layers is more than this build holds", cfg->num_layers);
        free(m->layers); free(m->shapes); free(m);
        return NULL;
    }
    layout(m);
    size_t N = m->N, C = cfg->hidden, hd = cfg->head_dim, V = cfg->vocab;
    int ok = 1;
    m->params = falloc(m, m->nparams, &ok);
    if (forward_only) share_layers(m, maxq, maxkv, maxf, &ok);
    else alloc_layers(m, &ok);
    m->out = falloc(m, N * C, &ok); m->lnf = falloc(m, N * C, &ok); m->rstdf = falloc(m, N, &ok);
    m->logits = falloc(m, N * V, &ok); m->losses = falloc(m, N, &ok);
    m->cos = falloc(m, (size_t) T * hd / 2, &ok); m->sin = falloc(m, (size_t) T * hd / 2, &ok);
    m->ids = be->alloc(N * sizeof(int32_t)); m->targets = be->alloc(N * sizeof(int32_t));
    if (!m->ids || !m->targets) ok = 0;
    m->dln = falloc(m, N * C, &ok); /* also the forward's (N, C) scratch */
    if (!forward_only) {
        size_t maxqd = maxq * hd, maxkd = maxkv * hd;
        m->grads = falloc(m, m->nparams, &ok);
        m->m = falloc(m, m->nparams, &ok);
        m->v = falloc(m, m->nparams, &ok);
        m->dlogits = falloc(m, N * V, &ok); m->kd_losses = falloc(m, N, &ok);
        m->dres = falloc(m, N * C, &ok);
        m->dq = falloc(m, N * (maxqd ? maxqd : 1), &ok); m->dk = falloc(m, N * (maxkd ? maxkd : 1), &ok);
        m->dv = falloc(m, N * (maxkd ? maxkd : 1), &ok); m->datt = falloc(m, N * (maxqd ? maxqd : 1), &ok);
        m->dgate = falloc(m, N * (maxf ? maxf : 1), &ok); m->dup = falloc(m, N * (maxf ? maxf : 1), &ok);
        m->dact = falloc(m, N * (maxf ? maxf : 1), &ok);
        m->dscratch = falloc(m, (size_t) B * (maxq ? maxq : 1) * T * T, &ok);
    }
    m->host_losses = malloc(sizeof(float) * N);
    if (!ok) {
        snprintf(msg, cap, "pk_model_create: %s could not allocate the buffers for %zu parameters at B %d, T %d "
                 "(try a smaller batch or sequence)", be->name, m->nparams, B, T);
        pk_model_free(m);
        return NULL;
    }
    be->upload(m->cos, cos, sizeof(float) * T * hd / 2);
    be->upload(m->sin, sin, sizeof(float) * T * hd / 2);
    return m;
}

pk_model* pk_model_create(const pk_backend* be, const pk_config* cfg, int B, int T, const float* cos,
                          const float* sin, char* msg, size_t cap) {
    return create(be, cfg, B, T, cos, sin, 0, msg, cap);
}

pk_model* pk_model_create_forward_only(const pk_backend* be, const pk_config* cfg, int B, int T, const float* cos,
                                       const float* sin, char* msg, size_t cap) {
    return create(be, cfg, B, T, cos, sin, 1, msg, cap);
}

int pk_model_is_forward_only(const pk_model* m) { return m->forward_only; }

void pk_model_free(pk_model* m) {
    if (!m) return;
    void (*fr)(void*) = m->be->free;
    for (int j = 0; j < 14; j++) if (m->shared[j]) fr(m->shared[j]);
    for (int i = 0; i < m->cfg.num_layers && !m->forward_only; i++) {
        layer* l = &m->layers[i];
        float* ps[] = {l->in, l->ln1, l->rstd1, l->q, l->k, l->v, l->probs, l->att, l->mid, l->ln2, l->rstd2, l->gate, l->up, l->act};
        for (size_t j = 0; j < sizeof ps / sizeof ps[0]; j++) if (ps[j]) fr(ps[j]);
    }
    float* ps[] = {m->params, m->grads, m->m, m->v, m->out, m->lnf, m->rstdf, m->logits, m->dlogits, m->losses,
                   m->kd_losses, m->teacher, m->cos, m->sin, m->dres, m->dln, m->dq, m->dk, m->dv, m->datt,
                   m->dgate, m->dup, m->dact, m->dscratch};
    for (size_t j = 0; j < sizeof ps / sizeof ps[0]; j++) if (ps[j]) fr(ps[j]);
    if (m->ids) fr(m->ids);
    if (m->targets) fr(m->targets);
    free(m->host_losses);
    free(m->layers);
    free(m->shapes);
    free(m);
}

size_t pk_model_num_params(const pk_model* m) { return m->nparams; }

long pk_model_offset(const pk_model* m, const char* name) {
    for (int i = 0; i < m->ntensors; i++) if (strcmp(m->tensors[i].name, name) == 0) return (long) m->tensors[i].off;
    return -1;
}

static float* buffer_of(const pk_model* m, pk_buffer which, size_t offset, size_t n) {
    float* b = which == PK_PARAMS ? m->params : which == PK_GRADS ? m->grads : which == PK_ADAM_M ? m->m
             : which == PK_ADAM_V ? m->v : NULL;
    return b && offset <= m->nparams && n <= m->nparams - offset ? b + offset : NULL;
}

int pk_model_read(const pk_model* m, pk_buffer which, size_t offset, size_t n, float* host) {
    float* b = buffer_of(m, which, offset, n);
    if (b) m->be->download(host, b, n * sizeof(float));
    return b != NULL;
}

int pk_model_write(pk_model* m, pk_buffer which, size_t offset, size_t n, const float* host) {
    float* b = buffer_of(m, which, offset, n);
    if (b) m->be->upload(b, host, n * sizeof(float));
    return b != NULL;
}

void pk_model_set_params(pk_model* m, const float* host) { m->be->upload(m->params, host, m->nparams * sizeof(float)); }
void pk_model_get_params(const pk_model* m, float* host) { m->be->download(host, m->params, m->nparams * sizeof(float)); }
void pk_model_get_grads(const pk_model* m, float* host) {
    if (m->forward_only) memset(host, 0, m->nparams * sizeof(float));
    else m->be->download(host, m->grads, m->nparams * sizeof(float));
}
void pk_model_get_logits(const pk_model* m, float* host) {
    m->be->download(host, m->logits, (size_t) m->N * m->cfg.vocab * sizeof(float));
}

static void forward(pk_model* m, const int32_t* ids) {
    const pk_backend* be = m->be;
    int N = m->N, C = m->cfg.hidden, hd = m->cfg.head_dim;
    float eps = m->cfg.rms_eps, *P = m->params;
    be->upload(m->ids, ids, sizeof(int32_t) * N);
    float* h = m->cfg.num_layers ? m->layers[0].in : m->out;
    be->embedding_forward(h, m->ids, P + m->embed, N, C);
    for (int i = 0; i < m->cfg.num_layers; i++) {
        layer* l = &m->layers[i];
        float* next = i + 1 < m->cfg.num_layers ? m->layers[i + 1].in : m->out;
        int qd = l->s.query_heads * hd, kd = l->s.kv_heads * hd, f = l->s.ffn;
        be->copy(l->mid, l->in, sizeof(float) * N * C);
        if (qd) {
            be->rmsnorm_forward(l->ln1, l->rstd1, l->in, P + l->norm1, N, C, eps);
            be->matmul_forward(l->q, l->ln1, P + l->wq, NULL, N, C, qd);
            be->matmul_forward(l->k, l->ln1, P + l->wk, NULL, N, C, kd);
            be->matmul_forward(l->v, l->ln1, P + l->wv, NULL, N, C, kd);
            be->rope_forward(l->q, m->cos, m->sin, m->B, m->T, l->s.query_heads, hd);
            be->rope_forward(l->k, m->cos, m->sin, m->B, m->T, l->s.kv_heads, hd);
            be->attention_forward(l->att, l->probs, l->q, l->k, l->v, m->B, m->T, l->s.query_heads, l->s.kv_heads, hd);
            be->matmul_forward(m->dln, l->att, P + l->wo, NULL, N, qd, C); /* dln as scratch (N, C) */
            be->add_inplace(l->mid, m->dln, (size_t) N * C);
        }
        be->copy(next, l->mid, sizeof(float) * N * C);
        if (f) {
            be->rmsnorm_forward(l->ln2, l->rstd2, l->mid, P + l->norm2, N, C, eps);
            be->matmul_forward(l->gate, l->ln2, P + l->wg, NULL, N, C, f);
            be->matmul_forward(l->up, l->ln2, P + l->wu, NULL, N, C, f);
            be->swiglu_forward(l->act, l->gate, l->up, (size_t) N * f);
            be->matmul_forward(m->dln, l->act, P + l->wd, NULL, N, f, C);
            be->add_inplace(next, m->dln, (size_t) N * C);
        }
    }
    be->rmsnorm_forward(m->lnf, m->rstdf, m->out, P + m->final_norm, N, C, eps);
    be->matmul_forward(m->logits, m->lnf, P + m->lm_head, NULL, N, C, m->cfg.vocab);
}

static float mean_of(pk_model* m, const float* dev) {
    m->be->download(m->host_losses, dev, sizeof(float) * m->N);
    double s = 0;
    for (int n = 0; n < m->N; n++) s += m->host_losses[n];
    return (float) (s / m->N);
}

float pk_model_forward(pk_model* m, const int32_t* ids, const int32_t* targets) {
    forward(m, ids);
    m->be->upload(m->targets, targets, sizeof(int32_t) * m->N);
    m->be->crossentropy(m->losses, NULL, m->logits, m->targets, m->N, m->cfg.vocab, 0.0f);
    return mean_of(m, m->losses);
}

static void backward(pk_model* m) {
    const pk_backend* be = m->be;
    int N = m->N, C = m->cfg.hidden, hd = m->cfg.head_dim;
    float *P = m->params, *G = m->grads;
    size_t NC = (size_t) N * C;
    be->zero(m->dln, sizeof(float) * NC);
    be->matmul_backward(m->dln, G + m->lm_head, NULL, m->dlogits, m->lnf, P + m->lm_head, N, C, m->cfg.vocab);
    be->zero(m->dres, sizeof(float) * NC);
    be->rmsnorm_backward(m->dres, G + m->final_norm, m->dln, m->out, P + m->final_norm, m->rstdf, N, C);
    for (int i = m->cfg.num_layers - 1; i >= 0; i--) {
        layer* l = &m->layers[i];
        int qh = l->s.query_heads, kh = l->s.kv_heads, qd = qh * hd, kd = kh * hd, f = l->s.ffn;
        if (f) { /* dres is d(out); the MLP branch adds its part of d(mid) */
            be->zero(m->dact, sizeof(float) * N * f);
            be->matmul_backward(m->dact, G + l->wd, NULL, m->dres, l->act, P + l->wd, N, f, C);
            be->zero(m->dgate, sizeof(float) * N * f);
            be->zero(m->dup, sizeof(float) * N * f);
            be->swiglu_backward(m->dgate, m->dup, m->dact, l->gate, l->up, (size_t) N * f);
            be->zero(m->dln, sizeof(float) * NC);
            be->matmul_backward(m->dln, G + l->wg, NULL, m->dgate, l->ln2, P + l->wg, N, C, f);
            be->matmul_backward(m->dln, G + l->wu, NULL, m->dup, l->ln2, P + l->wu, N, C, f);
            be->rmsnorm_backward(m->dres, G + l->norm2, m->dln, l->mid, P + l->norm2, l->rstd2, N, C);
        }
        if (qd) { /* dres is d(mid); the attention branch adds its part of d(in) */
            be->zero(m->datt, sizeof(float) * N * qd);
            be->matmul_backward(m->datt, G + l->wo, NULL, m->dres, l->att, P + l->wo, N, qd, C);
            be->zero(m->dq, sizeof(float) * N * qd);
            be->zero(m->dk, sizeof(float) * N * kd);
            be->zero(m->dv, sizeof(float) * N * kd);
            be->attention_backward(m->dq, m->dk, m->dv, m->dscratch, m->datt, l->q, l->k, l->v, l->probs,
                                   m->B, m->T, qh, kh, hd);
            be->rope_backward(m->dq, m->cos, m->sin, m->B, m->T, qh, hd);
            be->rope_backward(m->dk, m->cos, m->sin, m->B, m->T, kh, hd);
            be->zero(m->dln, sizeof(float) * NC);
            be->matmul_backward(m->dln, G + l->wq, NULL, m->dq, l->ln1, P + l->wq, N, C, qd);
            be->matmul_backward(m->dln, G + l->wk, NULL, m->dk, l->ln1, P + l->wk, N, C, kd);
            be->matmul_backward(m->dln, G + l->wv, NULL, m->dv, l->ln1, P + l->wv, N, C, kd);
            be->rmsnorm_backward(m->dres, G + l->norm1, m->dln, l->in, P + l->norm1, l->rstd1, N, C);
        }
    }
    be->embedding_backward(G + m->embed, m->dres, m->ids, N, C);
}

/* The step's objective and backward; teacher (N, V) is in the backend's memory, or NULL. */
static float forward_backward(pk_model* m, const int32_t* ids, const int32_t* targets, const float* teacher,
                              float ce_weight, float kd_weight, float temperature, float* ce_out, float* kd_out) {
    const pk_backend* be = m->be;
    int N = m->N, V = m->cfg.vocab;
    forward(m, ids);
    be->upload(m->targets, targets, sizeof(int32_t) * N);
    be->zero(m->dlogits, sizeof(float) * N * V);
    be->crossentropy(m->losses, ce_weight != 0 ? m->dlogits : NULL, m->logits, m->targets, N, V, ce_weight / N);
    float ce = mean_of(m, m->losses), kd = NAN;
    if (teacher) {
        be->kd_loss(m->kd_losses, kd_weight != 0 ? m->dlogits : NULL, m->logits, teacher, N, V, temperature,
                    kd_weight / N, 4096);
        kd = mean_of(m, m->kd_losses);
    }
    backward(m);
    if (ce_out) *ce_out = ce;
    if (kd_out) *kd_out = kd;
    return ce_weight * ce + (teacher ? kd_weight * kd : 0.0f);
}

static float refused(float* ce_out, float* kd_out) {
    if (ce_out) *ce_out = NAN;
    if (kd_out) *kd_out = NAN;
    return NAN;
}

float pk_model_forward_backward(pk_model* m, const int32_t* ids, const int32_t* targets,
                                const float* teacher_logits, float ce_weight, float kd_weight,
                                float temperature, float* ce_out, float* kd_out) {
    if (m->forward_only) return refused(ce_out, kd_out);
    if (teacher_logits) {
        size_t bytes = sizeof(float) * m->N * m->cfg.vocab;
        if (!m->teacher && !(m->teacher = m->be->alloc(bytes))) return refused(ce_out, kd_out);
        m->be->upload(m->teacher, teacher_logits, bytes);
    }
    return forward_backward(m, ids, targets, teacher_logits ? m->teacher : NULL, ce_weight, kd_weight, temperature,
                            ce_out, kd_out);
}

int pk_model_teacher_fits(const pk_model* student, const pk_model* teacher, char* msg, size_t cap) {
    if (student->forward_only || !teacher->forward_only) {
        snprintf(msg, cap, "the student must be a training model and the teacher a forward-only one (pk_model_create_forward_only)");
        return 0;
    }
    if (student->be != teacher->be || student->B != teacher->B || student->T != teacher->T
        || student->cfg.vocab != teacher->cfg.vocab) {
        snprintf(msg, cap, "the teacher (%s, B %d, T %d, vocab %d) must share the student's backend, batch, sequence and "
                 "vocabulary (%s, B %d, T %d, vocab %d)", teacher->be->name, teacher->B, teacher->T, teacher->cfg.vocab,
                 student->be->name, student->B, student->T, student->cfg.vocab);
        return 0;
    }
    return 1;
}

float pk_model_forward_backward_kd(pk_model* student, pk_model* teacher, const int32_t* ids, const int32_t* targets,
                                   float ce_weight, float kd_weight, float temperature, float* ce_out, float* kd_out) {
    char msg[256];
    if (!pk_model_teacher_fits(student, teacher, msg, sizeof msg)) return refused(ce_out, kd_out);
    forward(teacher, ids);
    return forward_backward(student, ids, targets, teacher->logits, ce_weight, kd_weight, temperature, ce_out, kd_out);
}

void pk_model_zero_grads(pk_model* m) { if (!m->forward_only) m->be->zero(m->grads, sizeof(float) * m->nparams); }

float pk_model_grad_norm(pk_model* m) {
    if (m->forward_only) return NAN;
    double ss = 0;
    for (int i = 0; i < m->ntensors; i++) ss += m->be->sumsq(m->grads + m->tensors[i].off, m->tensors[i].n);
    return (float) sqrt(ss);
}

void pk_model_get_moments(const pk_model* m, float* host_m, float* host_v) {
    if (m->forward_only) {
        memset(host_m, 0, m->nparams * sizeof(float));
        memset(host_v, 0, m->nparams * sizeof(float));
        return;
    }
    m->be->download(host_m, m->m, m->nparams * sizeof(float));
    m->be->download(host_v, m->v, m->nparams * sizeof(float));
}

void pk_model_set_moments(pk_model* m, const float* host_m, const float* host_v, long updates) {
    if (m->forward_only) return;
    m->be->upload(m->m, host_m, m->nparams * sizeof(float));
    m->be->upload(m->v, host_v, m->nparams * sizeof(float));
    m->updates = updates;
}

long pk_model_updates(const pk_model* m) { return m->updates; }
void pk_model_set_updates(pk_model* m, long updates) { if (!m->forward_only) m->updates = updates; }

float pk_model_step(pk_model* m, const pk_adamw_settings* s) {
    const pk_backend* be = m->be;
    if (m->forward_only) return NAN;
    double norm = pk_model_grad_norm(m);
    if (s->clip > 0 && norm > s->clip) be->scale_inplace(m->grads, (float) (s->clip / (norm + 1e-6)), m->nparams);
    m->updates++;
    for (int i = 0; i < m->ntensors; i++) {
        tensor* t = &m->tensors[i];
        be->adamw(m->params + t->off, m->grads + t->off, m->m + t->off, m->v + t->off, t->n, s->lr, s->beta1,
                  s->beta2, s->eps, s->weight_decay, t->rank2, m->updates);
    }
    return (float) norm;
}
