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

typedef struct handle { pk_model* m; const pk_backend* be; size_t n; int rows, vocab, forward_only; } handle;

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

/* 1 for a training model; else throws (the op needs gradients or moments a forward-only model lacks). */
static int trains(JNIEnv* env, handle* h, const char* op) {
    if (!h->forward_only) return 1;
    char msg[200];
    snprintf(msg, sizeof msg, "NativeModel: %s needs a training model; this one is forward-only (a teacher)", op);
    throw_as(env, "java/lang/IllegalStateException", msg);
    return 0;
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
                                       jfloatArray cos, jfloatArray sin, jboolean forwardOnly) {
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
    pk_model* m = forwardOnly ? pk_model_create_forward_only(be, &cfg, batch, seq, c, s, msg, sizeof msg)
                              : pk_model_create(be, &cfg, batch, seq, c, s, msg, sizeof msg);
    (*env)->ReleaseFloatArrayElements(env, cos, c, JNI_ABORT);
    (*env)->ReleaseFloatArrayElements(env, sin, s, JNI_ABORT);
    free(shapes);
    if (!m) {
        throw_as(env, "java/lang/IllegalArgumentException", msg);
        return 0;
    }
    handle* h = malloc(sizeof(handle));
    *h = (handle) {m, be, pk_model_num_params(m), batch * seq, vocab, forwardOnly ? 1 : 0};
    return (jlong) (intptr_t) h;
}

JNIEXPORT void JNICALL JNI_FN(free)(JNIEnv* env, jclass cls, jlong hp) {
    (void) env; (void) cls;
    handle* h = (handle*) (intptr_t) hp;
    if (!h) return;
    pk_model_free(h->m);
    free(h);
}

JNIEXPORT jlong JNICALL JNI_FN(offset)(JNIEnv* env, jclass cls, jlong hp, jstring name) {
    (void) cls;
    const char* s = (*env)->GetStringUTFChars(env, name, NULL);
    long off = pk_model_offset(((handle*) (intptr_t) hp)->m, s);
    (*env)->ReleaseStringUTFChars(env, name, s);
    return off;
}

/* which: 0 params, 1 grads, 2 AdamW m, 3 AdamW v (pk_buffer), the array's length of floats at offset, to the
 * model (write) or from it; 4 the last forward's logits (batch*seq, vocab), read at offset 0. */
JNIEXPORT void JNICALL JNI_FN(transfer)(JNIEnv* env, jclass cls, jlong hp, jint which, jlong offset, jfloatArray a,
                                        jboolean write) {
    (void) cls;
    handle* h = (handle*) (intptr_t) hp;
    jsize n = (*env)->GetArrayLength(env, a);
    if (which == 4 ? (write || offset || !length_is(env, a, h->rows * h->vocab, "logits (batch*seq, vocab)"))
                   : (which < 0 || which > 3 || offset < 0 || (size_t) offset + n > h->n)) {
        if (!(*env)->ExceptionCheck(env)) {
            char msg[200];
            snprintf(msg, sizeof msg, "NativeModel: buffer %d, %s of %ld floats at %ld is outside the model's %zu", which,
                     write ? "write" : "read", (long) n, (long) offset, h->n);
            throw_as(env, "java/lang/IllegalArgumentException", msg);
        }
        return;
    }
    if (which != 0 && which != 4 && !trains(env, h, "gradients or AdamW moments")) return;
    jfloat* p = (*env)->GetFloatArrayElements(env, a, NULL);
    if (which == 4) pk_model_get_logits(h->m, p);
    else if (write) pk_model_write(h->m, (pk_buffer) which, (size_t) offset, (size_t) n, p);
    else pk_model_read(h->m, (pk_buffer) which, (size_t) offset, (size_t) n, p);
    (*env)->ReleaseFloatArrayElements(env, a, p, write ? JNI_ABORT : 0);
    failed(env, h, write ? "writing into the model" : "reading back an array");
}

/* teacher: host logits (batch*seq, vocab) or NULL; teacherHandle: a forward-only model whose logits are
 * computed and read in its backend's memory, or 0. At most one of the two. */
JNIEXPORT jfloat JNICALL JNI_FN(forwardBackward)(JNIEnv* env, jclass cls, jlong hp, jintArray ids, jintArray targets,
                                                 jfloatArray teacher, jlong teacherHandle, jfloat ceW, jfloat kdW,
                                                 jfloat temperature, jfloatArray parts) {
    (void) cls;
    handle* h = (handle*) (intptr_t) hp;
    handle* th = (handle*) (intptr_t) teacherHandle;
    char msg[400];
    if (!trains(env, h, "forward/backward") || !length_is(env, ids, h->rows, "ids (batch*seq)")
        || !length_is(env, targets, h->rows, "targets (batch*seq)") || !length_is(env, parts, 2, "parts {ce, kd}")
        || (teacher && !length_is(env, teacher, h->rows * h->vocab, "teacher logits (batch*seq, vocab)"))) return NAN;
    if (th && (teacher || !pk_model_teacher_fits(h->m, th->m, msg, sizeof msg))) {
        if (teacher) snprintf(msg, sizeof msg, "give teacher logits or a teacher model, not both");
        char full[480];
        snprintf(full, sizeof full, "NativeModel: %s", msg);
        throw_as(env, "java/lang/IllegalArgumentException", full);
        return NAN;
    }
    jint* i = (*env)->GetIntArrayElements(env, ids, NULL);
    jint* t = (*env)->GetIntArrayElements(env, targets, NULL);
    jfloat* te = teacher ? (*env)->GetFloatArrayElements(env, teacher, NULL) : NULL;
    float ce, kd;
    float loss = th ? pk_model_forward_backward_kd(h->m, th->m, (const int32_t*) i, (const int32_t*) t, ceW, kdW,
                                                   temperature, &ce, &kd)
                    : pk_model_forward_backward(h->m, (const int32_t*) i, (const int32_t*) t, te, ceW, kdW, temperature,
                                                &ce, &kd);
    (*env)->ReleaseIntArrayElements(env, ids, i, JNI_ABORT);
    (*env)->ReleaseIntArrayElements(env, targets, t, JNI_ABORT);
    if (te) (*env)->ReleaseFloatArrayElements(env, teacher, te, JNI_ABORT);
    jfloat out[2] = {ce, kd};
    (*env)->SetFloatArrayRegion(env, parts, 0, 2, out);
    failed(env, h, th ? "teacher forward + forward/backward" : "forward/backward");
    return loss;
}

JNIEXPORT jfloat JNICALL JNI_FN(step)(JNIEnv* env, jclass cls, jlong hp, jfloat lr, jfloat b1, jfloat b2, jfloat eps,
                                      jfloat wd, jfloat clip) {
    (void) cls;
    handle* h = (handle*) (intptr_t) hp;
    if (!trains(env, h, "clip + AdamW step")) return NAN;
    pk_adamw_settings s = {lr, b1, b2, eps, wd, clip};
    float norm = pk_model_step(h->m, &s);
    failed(env, h, "clip + AdamW step");
    return norm;
}

JNIEXPORT void JNICALL JNI_FN(setUpdates)(JNIEnv* env, jclass cls, jlong hp, jlong updates) {
    (void) cls;
    handle* h = (handle*) (intptr_t) hp;
    if (trains(env, h, "setting the AdamW update count")) pk_model_set_updates(h->m, (long) updates);
}

JNIEXPORT jlong JNICALL JNI_FN(updates)(JNIEnv* env, jclass cls, jlong hp) {
    (void) env; (void) cls;
    return (jlong) pk_model_updates(((handle*) (intptr_t) hp)->m);
}

JNIEXPORT void JNICALL JNI_FN(zeroGrads)(JNIEnv* env, jclass cls, jlong hp) {
    (void) cls;
    handle* h = (handle*) (intptr_t) hp;
    if (trains(env, h, "zeroing the gradients")) pk_model_zero_grads(h->m);
}

JNIEXPORT jfloat JNICALL JNI_FN(gradNorm)(JNIEnv* env, jclass cls, jlong hp) {
    (void) cls;
    handle* h = (handle*) (intptr_t) hp;
    if (!trains(env, h, "the gradient norm")) return NAN;
    float n = pk_model_grad_norm(h->m);
    failed(env, h, "gradient norm");
    return n;
}
