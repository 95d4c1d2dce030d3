"""ctypes view of prunekit_kernels.h: the pk_backend op table and the golden container reader.

Used by torch_check.py (the device check's comparison with PyTorch). Field order must follow the
struct in include/prunekit_kernels.h exactly; PK_ABI_VERSION is checked on load.
"""
import ctypes as C
import struct

ABI_VERSION = 1
P = C.c_void_p
I = C.c_int
Z = C.c_size_t
F = C.c_float


def _fn(res, *args):
    return C.CFUNCTYPE(res, *args)


FIELDS = [
    ("name", C.c_char_p), ("abi_version", I),
    ("alloc", _fn(P, Z)), ("free", _fn(None, P)), ("upload", _fn(None, P, P, Z)), ("download", _fn(None, P, P, Z)),
    ("zero", _fn(None, P, Z)), ("copy", _fn(None, P, P, Z)), ("check", _fn(I, C.c_char_p, Z)),
    ("embedding_forward", _fn(None, P, P, P, I, I)), ("embedding_backward", _fn(None, P, P, P, I, I)),
    ("rmsnorm_forward", _fn(None, P, P, P, P, I, I, F)), ("rmsnorm_backward", _fn(None, P, P, P, P, P, P, I, I)),
    ("matmul_forward", _fn(None, P, P, P, P, I, I, I)), ("matmul_backward", _fn(None, P, P, P, P, P, P, I, I, I)),
    ("matmul_forward_bf16", _fn(None, P, P, P, P, I, I, I)), ("to_bf16", _fn(None, P, P, Z)), ("from_bf16", _fn(None, P, P, Z)),
    ("rope_forward", _fn(None, P, P, P, I, I, I, I)), ("rope_backward", _fn(None, P, P, P, I, I, I, I)),
    ("attention_forward", _fn(None, P, P, P, P, P, I, I, I, I, I)),
    ("attention_backward", _fn(None, P, P, P, P, P, P, P, P, P, I, I, I, I, I)),
    ("swiglu_forward", _fn(None, P, P, P, Z)), ("swiglu_backward", _fn(None, P, P, P, P, P, Z)),
    ("add_inplace", _fn(None, P, P, Z)), ("scale_inplace", _fn(None, P, F, Z)),
    ("crossentropy", _fn(None, P, P, P, P, I, I, F)), ("kd_loss", _fn(None, P, P, P, P, I, I, F, F, I)),
    ("sumsq", _fn(C.c_double, P, Z)),
    ("adamw", _fn(None, P, P, P, P, Z, F, F, F, F, F, I, C.c_long)),
]


class Backend(C.Structure):
    _fields_ = FIELDS


def load(lib_path, which):
    """The op table of `which` ('cpu' or 'cuda') from libprunekit_kernels; raises with the reason when absent."""
    lib = C.CDLL(lib_path)
    getter = lib.pk_backend_cuda if which == "cuda" else lib.pk_backend_cpu
    getter.restype = C.POINTER(Backend)
    ptr = getter()
    if not ptr:
        raise RuntimeError(f"{lib_path} was built without CUDA")
    if which == "cuda":
        msg = C.create_string_buffer(512)
        lib.pk_cuda_available.argtypes = [C.c_char_p, Z]
        if not lib.pk_cuda_available(msg, 512):
            raise RuntimeError(msg.value.decode())
    be = ptr.contents
    if be.abi_version != ABI_VERSION:
        raise RuntimeError(f"{lib_path}: ABI {be.abi_version}, this script speaks {ABI_VERSION}")
    return be


def check(be):
    msg = C.create_string_buffer(512)
    if be.check(msg, 512):
        raise RuntimeError(msg.value.decode())


def read_golden(path):
    """{name: (dtype 'f32'|'i32', dims, bytes)} from a PKGOLD1 container (see test/golden.c)."""
    data = open(path, "rb").read()
    if data[:8] != b"PKGOLD1\0":
        raise ValueError(f"{path} is not a PKGOLD1 file")
    (count,) = struct.unpack_from("<I", data, 8)
    at, out = 12, {}
    for _ in range(count):
        (n,) = struct.unpack_from("<I", data, at)
        name = data[at + 4:at + 4 + n].decode()
        at += 4 + n
        dtype, rank = struct.unpack_from("<II", data, at)
        at += 8
        dims = struct.unpack_from("<" + "I" * rank, data, at)
        at += 4 * rank
        size = 1
        for d in dims:
            size *= d
        out[name] = ("f32" if dtype == 0 else "i32", dims, data[at:at + 4 * size])
        at += 4 * size
    return out
