"""The device check's comparison with PyTorch on the same inputs.

1. Kernels: each op of a pk_backend (through ctypes on torch tensors' memory: device pointers for
   'cuda', host pointers for 'cpu') against torch's own ops and autograd, with the tolerance rule
   |ref - x| <= tol + |ref| * eps.
2. Model: the engine's golden run (golden/engine-tiny.pkgold) replayed in PyTorch — logits, loss,
   gradients of step 1 and the weights after 10 clipped torch.optim.AdamW steps — so the engine,
   PyTorch and (through test_cuda) our CUDA backend are checked against each other.
Usage: python3 torch_check.py LIB.so cpu|cuda GOLDEN_FILE OUT.json   (exit 1 when a check fails)
"""
import json
import math
import sys
import time

import torch
import torch.nn.functional as Fn

import pk_ctypes

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False


def ptr(t):
    return t.data_ptr()


class Report:
    def __init__(self):
        self.checks = []

    def close(self, what, ref, got, tol, eps):
        ref = ref.detach().double().flatten().cpu()
        got = got.detach().double().flatten().cpu()
        diff = (ref - got).abs()
        lim = tol + ref.abs() * eps
        over = torch.where(torch.isnan(diff), torch.full_like(diff, math.inf),
                           torch.where(diff == 0, torch.zeros_like(diff), diff / lim))
        worst = int(torch.argmax(over))
        ok = bool((diff <= lim).all())
        self.checks.append({"check": what, "ok": ok, "max_abs_diff": float(diff.max()), "worst_ratio": float(over[worst]),
                            "ref": float(ref[worst]), "got": float(got[worst]), "tol": tol, "eps": eps})
        print(("ok   " if ok else "FAIL ") + f"{what}: max |diff| {float(diff.max()):.3g} ({float(over[worst]):.3g} of the limit)")
        return ok


def kernels(be, dev, rep):
    g = torch.Generator(device="cpu").manual_seed(1234)

    def rnd(*shape, scale=1.0):
        return ((torch.rand(*shape, generator=g) * 2 - 1) * scale).to(dev).contiguous()

    def zeros(*shape):
        return torch.zeros(*shape, device=dev)

    f32 = lambda k: (1e-5 * max(1, k / 8), 1.2e-7 * k * 4)

    # linear
    N, IC, OC = 257, 300, 129
    x, w, b = rnd(N, IC), rnd(OC, IC, scale=0.1), rnd(OC)
    out = zeros(N, OC)
    be.matmul_forward(ptr(out), ptr(x), ptr(w), ptr(b), N, IC, OC)
    xr, wr, br = (t.clone().requires_grad_() for t in (x, w, b))
    ref = xr @ wr.T + br
    dout = rnd(N, OC)
    ref.backward(dout)
    dx, dw, db = zeros(N, IC), zeros(OC, IC), zeros(OC)
    be.matmul_backward(ptr(dx), ptr(dw), ptr(db), ptr(dout), ptr(x), ptr(w), N, IC, OC)
    pk_ctypes.check(be)
    rep.close("matmul forward", ref, out, *f32(IC))
    rep.close("matmul dx", xr.grad, dx, *f32(OC))
    rep.close("matmul dw", wr.grad, dw, *f32(N))
    rep.close("matmul dbias", br.grad, db, *f32(N))
    # bf16 storage, fp32 accumulation: against fp32 products of the same bf16 values
    xb, wb = x.to(torch.bfloat16).contiguous(), w.to(torch.bfloat16).contiguous()
    mine = zeros(N, IC).to(torch.bfloat16)
    be.to_bf16(ptr(mine), ptr(x), N * IC)
    out16 = zeros(N, OC)
    be.matmul_forward_bf16(ptr(out16), ptr(xb), ptr(wb), None, N, IC, OC)
    pk_ctypes.check(be)
    rep.close("to_bf16 (round to nearest even)", xb.float(), mine.float(), 0.0, 0.0)
    rep.close("matmul bf16", xb.float() @ wb.float().T, out16, *f32(IC))
    # RMSNorm
    N, Cc, eps = 67, 250, 1e-5
    x, w = rnd(N, Cc, scale=2), 1 + rnd(Cc, scale=0.1)
    out, rstd = zeros(N, Cc), zeros(N)
    be.rmsnorm_forward(ptr(out), ptr(rstd), ptr(x), ptr(w), N, Cc, eps)
    xr, wr = x.clone().requires_grad_(), w.clone().requires_grad_()
    ref = xr * torch.rsqrt(xr.pow(2).mean(-1, keepdim=True) + eps) * wr
    dout = rnd(N, Cc)
    ref.backward(dout)
    dx, dw = zeros(N, Cc), zeros(Cc)
    be.rmsnorm_backward(ptr(dx), ptr(dw), ptr(dout), ptr(x), ptr(w), ptr(rstd), N, Cc)
    pk_ctypes.check(be)
    rep.close("rmsnorm forward", ref, out, *f32(Cc))
    rep.close("rmsnorm dx", xr.grad, dx, *f32(Cc))
    rep.close("rmsnorm dw", wr.grad, dw, *f32(N))
    # RoPE (HF rotate_half) and causal GQA attention, shapes as the layer's linears give them
    B, T, QH, KVH, hd = 2, 65, 8, 2, 64
    half = hd // 2
    inv = 1.0 / (10000.0 ** (torch.arange(0, half, dtype=torch.float32) * 2 / hd))
    ang = torch.arange(T, dtype=torch.float32)[:, None] * inv[None, :]
    cos, sin = ang.cos().to(dev).contiguous(), ang.sin().to(dev).contiguous()
    q, k, v = rnd(B, T, QH, hd), rnd(B, T, KVH, hd), rnd(B, T, KVH, hd)
    qr, kr, vr = (t.clone().requires_grad_() for t in (q, k, v))

    def rope(t):  # t (B, heads, T, hd)
        c = torch.cat([cos, cos], -1)
        s = torch.cat([sin, sin], -1)
        rot = torch.cat([-t[..., half:], t[..., :half]], -1)
        return t * c + rot * s

    qt, kt, vt = qr.transpose(1, 2), kr.transpose(1, 2), vr.transpose(1, 2)
    qt, kt = rope(qt), rope(kt)
    kt, vt = kt.repeat_interleave(QH // KVH, 1), vt.repeat_interleave(QH // KVH, 1)
    mask = torch.full((T, T), -math.inf, device=dev).triu(1)
    probs_ref = torch.softmax(qt @ kt.transpose(-1, -2) / math.sqrt(hd) + mask, -1)
    ref = (probs_ref @ vt).transpose(1, 2).contiguous()
    dout = rnd(B, T, QH, hd)
    ref.backward(dout)
    qm, km = q.clone(), k.clone()
    be.rope_forward(ptr(qm), ptr(cos), ptr(sin), B, T, QH, hd)
    be.rope_forward(ptr(km), ptr(cos), ptr(sin), B, T, KVH, hd)
    out, probs, scratch = zeros(B, T, QH, hd), zeros(B, QH, T, T), zeros(B, QH, T, T)
    be.attention_forward(ptr(out), ptr(probs), ptr(qm), ptr(km), ptr(v), B, T, QH, KVH, hd)
    dq, dk, dv = zeros(B, T, QH, hd), zeros(B, T, KVH, hd), zeros(B, T, KVH, hd)
    be.attention_backward(ptr(dq), ptr(dk), ptr(dv), ptr(scratch), ptr(dout), ptr(qm), ptr(km), ptr(v), ptr(probs),
                          B, T, QH, KVH, hd)
    be.rope_backward(ptr(dq), ptr(cos), ptr(sin), B, T, QH, hd)
    be.rope_backward(ptr(dk), ptr(cos), ptr(sin), B, T, KVH, hd)
    pk_ctypes.check(be)
    rep.close("rope + attention forward", ref, out, *f32(T))
    rep.close("attention probs", probs_ref, probs, *f32(hd))
    rep.close("attention + rope dq", qr.grad, dq, *f32(4 * T))
    rep.close("attention + rope dk", kr.grad, dk, *f32(4 * T))
    rep.close("attention dv", vr.grad, dv, *f32(4 * T))
    # SwiGLU
    n = 10007
    gt, up = rnd(n, scale=4), rnd(n)
    gr, ur = gt.clone().requires_grad_(), up.clone().requires_grad_()
    ref = Fn.silu(gr) * ur
    dout = rnd(n)
    ref.backward(dout)
    out, dg, du = zeros(n), zeros(n), zeros(n)
    be.swiglu_forward(ptr(out), ptr(gt), ptr(up), n)
    be.swiglu_backward(ptr(dg), ptr(du), ptr(dout), ptr(gt), ptr(up), n)
    pk_ctypes.check(be)
    rep.close("swiglu forward", ref, out, *f32(2))
    rep.close("swiglu dgate", gr.grad, dg, *f32(4))
    rep.close("swiglu dup", ur.grad, du, *f32(2))
    # losses over a real vocabulary size
    N, V, Tk = 33, 32000, 2.0
    z, zt = rnd(N, V, scale=6), rnd(N, V, scale=6)
    tg = torch.randint(0, V, (N,), generator=g).to(torch.int32).to(dev)
    zr = z.clone().requires_grad_()
    ce = Fn.cross_entropy(zr, tg.long(), reduction="none")
    kd = Tk * Tk * Fn.kl_div(Fn.log_softmax(zr / Tk, -1), Fn.log_softmax(zt / Tk, -1), log_target=True,
                             reduction="none").sum(-1)
    (ce.mean() + 0.5 * kd.mean()).backward()
    losses, kdl, dz = zeros(N), zeros(N), zeros(N, V)
    be.crossentropy(ptr(losses), ptr(dz), ptr(z), ptr(tg), N, V, 1.0 / N)
    be.kd_loss(ptr(kdl), ptr(dz), ptr(z), ptr(zt), N, V, Tk, 0.5 / N, 4096)
    pk_ctypes.check(be)
    rep.close("crossentropy", ce, losses, 1e-4, 1e-5)
    rep.close("kd loss", kd, kdl, 1e-4, 1e-4)
    rep.close("d(CE + 0.5 KD)/dlogits", zr.grad, dz, 1e-7, 1e-4)
    # AdamW: three steps against torch.optim.AdamW
    n = 4099
    p0, grad = rnd(n), rnd(n, scale=0.1)
    pt = torch.nn.Parameter(p0.clone())
    opt = torch.optim.AdamW([pt], lr=1e-2, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    pm, m, vv = p0.clone(), zeros(n), zeros(n)
    for t in range(1, 4):
        pt.grad = grad.clone()
        opt.step()
        be.adamw(ptr(pm), ptr(grad), ptr(m), ptr(vv), n, 1e-2, 0.9, 0.95, 1e-8, 0.1, 1, t)
    pk_ctypes.check(be)
    rep.close("adamw 3 steps vs torch.optim.AdamW", pt.detach(), pm, 1e-6, 1e-5)
    ss = be.sumsq(ptr(grad), n)
    rep.close("sumsq", grad.double().pow(2).sum().reshape(1), torch.tensor([ss]), 0.0, 1e-5)


def model(golden_path, dev, rep):
    gd = pk_ctypes.read_golden(golden_path)

    def f(name):
        dtype, dims, raw = gd[name]
        t = torch.frombuffer(bytearray(raw), dtype=torch.float32 if dtype == "f32" else torch.int32)
        return t.reshape(dims).to(dev)

    V, Cc, hd, L, tied, B, T, steps = f("config").tolist()
    shapes = f("layers").tolist()
    eps, lr, b1, b2, aeps, wd, clip, cew, kdw, Tk = f("hyper").tolist()
    cos, sin = f("rope.cos"), f("rope.sin")
    ids, tg, teacher = f("ids").long().reshape(B, T), f("targets").long().reshape(-1), f("teacher_logits")
    params = {n[5:]: torch.nn.Parameter(f(n).clone()) for n in gd if n.startswith("init/")}
    half = hd // 2

    def shaped(name, rows):
        return params[name].reshape(rows, -1)

    def rms(x, w):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w

    def rope(t):
        c, s = torch.cat([cos, cos], -1), torch.cat([sin, sin], -1)
        return t * c + torch.cat([-t[..., half:], t[..., :half]], -1) * s

    def forward():
        h = shaped("model.embed_tokens.weight", V)[ids]
        mask = torch.full((T, T), -math.inf, device=dev).triu(1)
        for i, (qh, kvh, ffn) in enumerate(shapes):
            pre = f"model.layers.{i}."
            if qh:
                x = rms(h, params[pre + "input_layernorm.weight"])
                q = (x @ shaped(pre + "self_attn.q_proj.weight", qh * hd).T).view(B, T, qh, hd).transpose(1, 2)
                k = (x @ shaped(pre + "self_attn.k_proj.weight", kvh * hd).T).view(B, T, kvh, hd).transpose(1, 2)
                v = (x @ shaped(pre + "self_attn.v_proj.weight", kvh * hd).T).view(B, T, kvh, hd).transpose(1, 2)
                q, k = rope(q), rope(k)
                k, v = k.repeat_interleave(qh // kvh, 1), v.repeat_interleave(qh // kvh, 1)
                p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd) + mask, -1)
                o = (p @ v).transpose(1, 2).reshape(B, T, qh * hd)
                h = h + o @ shaped(pre + "self_attn.o_proj.weight", Cc).T
            if ffn:
                x = rms(h, params[pre + "post_attention_layernorm.weight"])
                a = Fn.silu(x @ shaped(pre + "mlp.gate_proj.weight", ffn).T) * (x @ shaped(pre + "mlp.up_proj.weight", ffn).T)
                h = h + a @ shaped(pre + "mlp.down_proj.weight", Cc).T
        h = rms(h, params["model.norm.weight"])
        head = "model.embed_tokens.weight" if tied else "lm_head.weight"
        return (h @ shaped(head, V).T).reshape(B * T, V)

    decay = [p for n, p in params.items() if not n.endswith("norm.weight")]
    keep = [p for n, p in params.items() if n.endswith("norm.weight")]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": wd}, {"params": keep, "weight_decay": 0.0}],
                            lr=lr, betas=(b1, b2), eps=aeps)
    losses = []
    for step in range(steps):
        opt.zero_grad(set_to_none=False)
        logits = forward()
        ce = Fn.cross_entropy(logits, tg)
        kd = Tk * Tk * Fn.kl_div(Fn.log_softmax(logits / Tk, -1), Fn.log_softmax(teacher / Tk, -1), log_target=True,
                                 reduction="batchmean")
        loss = cew * ce + kdw * kd
        loss.backward()
        losses.append(float(loss))
        if step == 0:
            rep.close("pytorch vs engine: logits", f("logits"), logits, 1e-5, 1e-4)
            rep.close("pytorch vs engine: loss, CE, KD", f("loss")[:3], torch.stack([loss, ce, kd]), 1e-5, 1e-5)
            # a norm of a layer without that block is unused: no grad in torch, zeros in the engine
            grads = torch.cat([(params[n[5:]].grad if params[n[5:]].grad is not None else torch.zeros_like(params[n[5:]]))
                               .flatten() for n in gd if n.startswith("grad/")])
            want = torch.cat([f(n).flatten() for n in gd if n.startswith("grad/")])
            rep.close("pytorch vs engine: gradients", want, grads, 1e-6, 1e-4)
        torch.nn.utils.clip_grad_norm_(list(params.values()), clip)
        opt.step()
    rep.close("pytorch vs engine: 10 losses", f("losses"), torch.tensor(losses), 1e-5, 1e-5)
    got = torch.cat([params[n[6:]].detach().flatten() for n in gd if n.startswith("final/")])
    want = torch.cat([f(n).flatten() for n in gd if n.startswith("final/")])
    rep.close("pytorch vs engine: weights after 10 AdamW steps", want, got, 1e-5, 1e-5)


def main():
    lib, which, golden, out = sys.argv[1:5]
    dev = "cuda" if which == "cuda" else "cpu"
    rep = Report()
    t0 = time.time()
    error = None
    try:
        be = pk_ctypes.load(lib, which)
        kernels(be, dev, rep)
    except Exception as e:  # reported in the JSON; the model check still runs
        error = f"kernels: {type(e).__name__}: {e}"
        print("FAIL " + error)
    try:
        model(golden, dev, rep)
    except Exception as e:
        error = (error + "; " if error else "") + f"model: {type(e).__name__}: {e}"
        print("FAIL " + error)
    ok = error is None and all(c["ok"] for c in rep.checks)
    with open(out, "w") as fh:
        json.dump({"backend": which, "torch": torch.__version__, "ok": ok, "error": error, "seconds": time.time() - t0,
                   "checks": rep.checks}, fh, indent=1)
    failed = sum(not c["ok"] for c in rep.checks) + (error is not None)
    print(f"{sum(c['ok'] for c in rep.checks)} passed, {failed} failed")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
