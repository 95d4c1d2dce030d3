/*
 * jni_shim.c — the thin JNI layer of prunekit.recover.NativeModel over pk_model_* (prunekit_kernels.h):
 * arrays are copied in and out, handles are pointers in a jlong, errors become Java exceptions
 * (IllegalArgumentException for a bad model, IllegalStateException for a backend failure) naming the op.
 * Built when CMake finds a JDK (JNI); linked against libprunekit_kernels.
 */
#include "prunekit_kernels.h"

#include <jni.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define JNI_FN(name) Java_prunekit_recover_NativeModel_##name

typedef struct handle { pk_model* m; const pk_backend* be; size_t n; int rows, vocab; } handle;

static void throw_as(JNIEnv* env, const char* cls, const char* msg) {
    jclass c = (*env)->FindClass(env, cls);
    if (c) (*env)->ThrowNew(env, c, msg);
}

/* 0 when the backend reported nothing; else throws and returns 1. */
static int failed(JNIEnv* env, handle* h, const char* op) {
    char msg[600], full[700];
    if (!h->be->check(msg, sizeof msg)) return 0;
    snprintf(full, sizeof full, "%s on %s: %s", op, h->be->name, msg);
    throw_as(env, "java/lang/IllegalStateException", full);
    return 1;
}

static int length_is(JNIEnv* env, jarray a, jsize n, const char* what) {
    if (a && (*env)->GetArrayLength(env, a) == n) return 1;
    char msg[200];
    snprintf(msg, sizeof msg, "NativeModel: %s must have %ld elements, got %ld", what, (long) n,
             a ? (long) (*env)->GetArrayLength(env, a) : -1L);
    throw_as(env, "java/lang/IllegalArgumentException", msg);
    return 0;
}

JNIEXPORT jstring JNICALL JNI_FN(cudaUnavailableReason)(JNIEnv* env, jclass cls) {
    (void) cls;
    char msg[512];
    return pk_cuda_available(msg, sizeof msg) ? NULL : (*env)->NewStringUTF(env, msg);
}

JNIEXPORT jlong JNICALL JNI_FN(create)(JNIEnv* env, jclass cls, jint backend, jint vocab, jint hidden, jint headDim,
                                       jintArray layers, jfloat eps, jboolean tied, jint batch, jint seq,
                                       jfloatArray cos, jfloatArray sin) {
    (void) cls;
    const pk_backend* be = backend == 1 ? pk_backend_cuda() : pk_backend_cpu();
    char msg[512];
    if (backend == 1 && (!be || !pk_cuda_available(msg, sizeof msg))) {
        if (!be) pk_cuda_available(msg, sizeof msg);
        throw_as(env, "java/lang/IllegalStateException", msg);
        return 0;
    }
    jsize nl = (*env)->GetArrayLength(env, layers);
    if (nl % 3 || !length_is(env, cos, seq * (headDim / 2), "cos (seq, headDim/2)")
        || !length_is(env, sin, seq * (headDim / 2), "sin (seq, headDim/2)")) {
        if (!(*env)->ExceptionCheck(env)) throw_as(env, "java/lang/IllegalArgumentException", "layers must hold 3 ints per layer");
        return 0;
    }
    jint* l = (*env)->GetIntArrayElements(env, layers, NULL);
    pk_layer_shape* shapes = malloc(sizeof(pk_layer_shape) * (nl / 3 + 1));
    for (int i = 0; i < nl / 3; i++) shapes[i] = (pk_layer_shape) {l[3 * i], l[3 * i + 1], l[3 * i + 2]};
    (*env)->ReleaseIntArrayElements(env, layers, l, JNI_ABORT);
    pk_config cfg = {vocab, hidden, headDim, nl / 3, shapes, eps, tied ? 1 : 0};
    jfloat* c = (*env)->GetFloatArrayElements(env, cos, NULL);
    jfloat* s = (*env)->GetFloatArrayElements(env, sin, NULL);
    pk_model* m = pk_model_create(be, &cfg, batch, seq, c, s, msg, sizeof msg);
    (*env)->ReleaseFloatArrayElements(env, cos, c, JNI_ABORT);
    (*env)->ReleaseFloatArrayElements(env, sin, s, JNI_ABORT);
    free(shapes);
    if (!m) {
        throw_as(env, "java/lang/IllegalArgumentException", msg);
        return 0;
    }
    handle* h = malloc(sizeof(handle));
    *h = (handle) {m, be, pk_model_num_params(m), batch * seq, vocab};
    return (jlong) (intptr_t) h;
}

JNIEXPORT void JNICALL JNI_FN(free)(JNIEnv* env, jclass cls, jlong hp) {
    (void) env; (void) cls;
    handle* h = (handle*) (intptr_t) hp;
    if (!h) return;
    pk_model_free(h->m);
    free(h);
}

JNIEXPORT jlong JNICALL JNI_FN(numParams)(JNIEnv* env, jclass cls, jlong hp) {
    (void) env; (void) cls;
    return (jlong) ((handle*) (intptr_t) hp)->n;
}

JNIEXPORT jlong JNICALL JNI_FN(offset)(JNIEnv* env, jclass cls, jlong hp, jstring name) {
    (void) cls;
    const char* s = (*env)->GetStringUTFChars(env, name, NULL);
    long off = pk_model_offset(((handle*) (intptr_t) hp)->m, s);
    (*env)->ReleaseStringUTFChars(env, name, s);
    return off;
}

/* which: 0 params (in), 1 params (out), 2 grads (out), 3 logits (out), 4 AdamW m (out), 5 AdamW v (out) */
JNIEXPORT void JNICALL JNI_FN(transfer)(JNIEnv* env, jclass cls, jlong hp, jint which, jfloatArray a) {
    (void) cls;
    handle* h = (handle*) (intptr_t) hp;
    size_t n = which == 3 ? (size_t) h->rows * h->vocab : h->n;
    if (!length_is(env, a, (jsize) n, which == 3 ? "logits (batch*seq, vocab)" : "the flat parameter array")) return;
    jfloat* p = (*env)->GetFloatArrayElements(env, a, NULL);
    if (which == 0) pk_model_set_params(h->m, p);
    else if (which == 1) pk_model_get_params(h->m, p);
    else if (which == 2) pk_model_get_grads(h->m, p);
    else if (which == 3) pk_model_get_logits(h->m, p);
    else {
        float* other = malloc(sizeof(float) * h->n);
        if (which == 4) pk_model_get_moments(h->m, p, other); else pk_model_get_moments(h->m, other, p);
        free(other);
    }
    (*env)->ReleaseFloatArrayElements(env, a, p, which == 0 ? JNI_ABORT : 0);
    failed(env, h, which == 0 ? "setting the parameters" : "reading back an array");
}

JNIEXPORT jfloat JNICALL JNI_FN(forwardBackward)(JNIEnv* env, jclass cls, jlong hp, jintArray ids, jintArray targets,
                                                 jfloatArray teacher, jfloat ceW, jfloat kdW, jfloat temperature,
                                                 jfloatArray parts) {
    (void) cls;
    handle* h = (handle*) (intptr_t) hp;
    if (!length_is(env, ids, h->rows, "ids (batch*seq)") || !length_is(env, targets, h->rows, "targets (batch*seq)")
        || !length_is(env, parts, 2, "parts {ce, kd}")
        || (teacher && !length_is(env, teacher, h->rows * h->vocab, "teacher logits (batch*seq, vocab)"))) return NAN;
    jint* i = (*env)->GetIntArrayElements(env, ids, NULL);
    jint* t = (*env)->GetIntArrayElements(env, targets, NULL);
    jfloat* te = teacher ? (*env)->GetFloatArrayElements(env, teacher, NULL) : NULL;
    float ce, kd;
    float loss = pk_model_forward_backward(h->m, (const int32_t*) i, (const int32_t*) t, te, ceW, kdW, temperature, &ce, &kd);
    (*env)->ReleaseIntArrayElements(env, ids, i, JNI_ABORT);
    (*env)->ReleaseIntArrayElements(env, targets, t, JNI_ABORT);
    if (te) (*env)->ReleaseFloatArrayElements(env, teacher, te, JNI_ABORT);
    jfloat out[2] = {ce, kd};
    (*env)->SetFloatArrayRegion(env, parts, 0, 2, out);
    failed(env, h, "forward/backward");
    return loss;
}

JNIEXPORT jfloat JNICALL JNI_FN(step)(JNIEnv* env, jclass cls, jlong hp, jfloat lr, jfloat b1, jfloat b2, jfloat eps,
                                      jfloat wd, jfloat clip) {
    (void) cls;
    handle* h = (handle*) (intptr_t) hp;
    pk_adamw_settings s = {lr, b1, b2, eps, wd, clip};
    float norm = pk_model_step(h->m, &s);
    failed(env, h, "clip + AdamW step");
    return norm;
}

JNIEXPORT void JNICALL JNI_FN(setMoments)(JNIEnv* env, jclass cls, jlong hp, jfloatArray m, jfloatArray v, jlong updates) {
    (void) cls;
    handle* h = (handle*) (intptr_t) hp;
    if (!length_is(env, m, (jsize) h->n, "AdamW m") || !length_is(env, v, (jsize) h->n, "AdamW v")) return;
    jfloat* pm = (*env)->GetFloatArrayElements(env, m, NULL);
    jfloat* pv = (*env)->GetFloatArrayElements(env, v, NULL);
    pk_model_set_moments(h->m, pm, pv, (long) updates);
    (*env)->ReleaseFloatArrayElements(env, m, pm, JNI_ABORT);
    (*env)->ReleaseFloatArrayElements(env, v, pv, JNI_ABORT);
    failed(env, h, "setting the AdamW moments");
}

JNIEXPORT jlong JNICALL JNI_FN(updates)(JNIEnv* env, jclass cls, jlong hp) {
    (void) env; (void) cls;
    return (jlong) pk_model_updates(((handle*) (intptr_t) hp)->m);
}

JNIEXPORT void JNICALL JNI_FN(zeroGrads)(JNIEnv* env, jclass cls, jlong hp) {
    (void) env; (void) cls;
    pk_model_zero_grads(((handle*) (intptr_t) hp)->m);
}

JNIEXPORT jfloat JNICALL JNI_FN(gradNorm)(JNIEnv* env, jclass cls, jlong hp) {
    (void) cls;
    handle* h = (handle*) (intptr_t) hp;
    float n = pk_model_grad_norm(h->m);
    failed(env, h, "gradient norm");
    return n;
}
