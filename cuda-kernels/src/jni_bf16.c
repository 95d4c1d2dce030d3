/*
 * jni_bf16.c — bf16 × bf16 → fp32 matrix products for prunekit.core.engine.Bf16 (the wide path of the
 * reconstruction pruner: calibration forwards and Gram matrices at 7B width). The product is MKL's
 * cblas_gemm_bf16bf16f32 as PyTorch's libtorch_cpu.so, already loaded in the JVM by DJL, exports it (AMX or
 * AVX512-BF16 where the CPU has them); this file only finds it, rounds fp32 to bf16 and checks nothing it is
 * handed can be read or written out of range (the Java side checks the shapes; here the buffers' capacities).
 * Errors become IllegalStateException / IllegalArgumentException.
 */
#include <cpuid.h>
#include <dlfcn.h>
#include <jni.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define JNI_FN(name) Java_prunekit_core_engine_Bf16_##name

typedef uint16_t bf16;
/* CBLAS_LAYOUT, CBLAS_TRANSPOSE as MKL numbers them */
enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
typedef void (*gemm_fn)(int layout, int ta, int tb, int m, int n, int k, float alpha, const bf16* a, int lda,
                        const bf16* b, int ldb, float beta, float* c, int ldc);
static gemm_fn gemm;

static void throw_as(JNIEnv* env, const char* cls, const char* msg) {
    jclass c = (*env)->FindClass(env, cls);
    if (c) (*env)->ThrowNew(env, c, msg);
}

/* 1 when the CPU has AMX-BF16 or AVX512-BF16 (without them MKL emulates bf16 and gains nothing). */
static int cpu_has_bf16(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int amx = (d >> 22) & 1;
    unsigned a1, b1, c1, d1;
    int avx = __get_cpuid_count(7, 1, &a1, &b1, &c1, &d1) && ((a1 >> 5) & 1);
    return amx || avx;
}

JNIEXPORT jstring JNICALL JNI_FN(unavailableReason)(JNIEnv* env, jclass cls) {
    (void) cls;
    if (!cpu_has_bf16()) return (*env)->NewStringUTF(env, "this CPU has neither AMX-BF16 nor AVX512-BF16");
    void* torch = dlopen("libtorch_cpu.so", RTLD_NOW | RTLD_NOLOAD);
    if (!torch) return (*env)->NewStringUTF(env, "PyTorch's libtorch_cpu.so is not loaded in this process");
    gemm = (gemm_fn) dlsym(torch, "cblas_gemm_bf16bf16f32");
    if (!gemm) return (*env)->NewStringUTF(env, "libtorch_cpu.so does not export cblas_gemm_bf16bf16f32 (MKL)");
    return NULL;
}

static void* at(JNIEnv* env, jobject buf, jlong offset, jlong count, jlong size, const char* what) {
    char* p = buf ? (char*) (*env)->GetDirectBufferAddress(env, buf) : NULL;
    jlong cap = buf ? (*env)->GetDirectBufferCapacity(env, buf) : -1;
    if (!p || cap < 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "Bf16: %s is not a direct buffer", what);
        throw_as(env, "java/lang/IllegalArgumentException", msg);
        return NULL;
    }
    if (offset < 0 || count < 0 || (offset + count) * size > cap) {
        char msg[200];
        snprintf(msg, sizeof msg, "Bf16: %s holds %lld bytes; elements %lld..%lld of %lld bytes are out of it", what,
                 (long long) cap, (long long) offset, (long long) (offset + count), (long long) size);
        throw_as(env, "java/lang/IllegalArgumentException", msg);
        return NULL;
    }
    return p + offset * size;
}

/* Round to nearest even, as PyTorch's fp32 → bf16 conversion; NaN stays a (quiet) NaN. */
static inline bf16 to_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (bf16) ((u >> 16) | 0x40);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (bf16) (u >> 16);
}

JNIEXPORT void JNICALL JNI_FN(convert)(JNIEnv* env, jclass cls, jobject src, jlong srcOffset, jobject dst,
                                       jlong dstOffset, jlong count) {
    (void) cls;
    const float* s = at(env, src, srcOffset, count, 4, "the fp32 source");
    if (!s) return;
    bf16* d = at(env, dst, dstOffset, count, 2, "the bf16 target");
    if (!d) return;
    for (jlong i = 0; i < count; i++) d[i] = to_bf16(s[i]);
}

/* The elements a row-major (rows, cols) operand with leading dimension ld spans. */
static jlong span(jint rows, jint cols, jint ld) {
    return rows == 0 || cols == 0 ? 0 : (jlong) (rows - 1) * ld + cols;
}

JNIEXPORT void JNICALL JNI_FN(gemm)(JNIEnv* env, jclass cls, jboolean transA, jboolean transB, jint m, jint n, jint k,
                                    jobject a, jlong aOffset, jint lda, jobject b, jlong bOffset, jint ldb,
                                    jfloat beta, jobject c, jlong cOffset, jint ldc) {
    (void) cls;
    if (!gemm) {
        throw_as(env, "java/lang/IllegalStateException", "Bf16: the bf16 product is not available (call unavailable())");
        return;
    }
    if (m < 0 || n < 0 || k < 0 || lda < (transA ? m : k) || ldb < (transB ? k : n) || ldc < n || lda < 1 || ldb < 1
        || ldc < 1) {
        throw_as(env, "java/lang/IllegalArgumentException", "Bf16: negative sizes or leading dimensions too small");
        return;
    }
    const bf16* pa = at(env, a, aOffset, transA ? span(k, m, lda) : span(m, k, lda), 2, "A");
    if (!pa) return;
    const bf16* pb = at(env, b, bOffset, transB ? span(n, k, ldb) : span(k, n, ldb), 2, "B");
    if (!pb) return;
    float* pc = at(env, c, cOffset, span(m, n, ldc), 4, "C");
    if (!pc) return;
    if (m == 0 || n == 0) return;
    gemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, 1.0f, pa, lda, pb, ldb, beta, pc,
         ldc);
}
