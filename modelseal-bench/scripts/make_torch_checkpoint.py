#!/usr/bin/env python3
"""Writes a PyTorch-style zip checkpoint (what torch.save writes since 1.6) without torch:
archive/data.pkl holds a protocol-2 state-dict pickle (collections.OrderedDict of
torch._utils._rebuild_tensor_v2 calls whose storages are persistent ids
('storage', torch.FloatStorage, key, 'cpu', numel)), archive/data/<key> the raw float32 storages.

    python3 make_torch_checkpoint.py OUT.pt [--gib 2] [--layers 48]

The default is a 2 GiB decoder-style model: per layer 4 attention and 3 MLP matrices plus 2 norm
vectors (9 tensors per layer, 48 layers -> 434 tensors with embeddings and final norm). Storage
bytes are zeros, streamed, so the file costs no memory to write. stdlib only.
"""
import argparse
import collections
import io
import pickle
import sys
import types
import zipfile


def stand_in(modname, **attrs):
    mod = types.ModuleType(modname)
    for k, v in attrs.items():
        v.__module__, v.__qualname__ = modname, k
        if not isinstance(v, type):
            v.__name__ = k
        setattr(mod, k, v)
    sys.modules[modname] = mod
    return mod


def _rebuild_tensor_v2(*a):
    raise RuntimeError("stand-in")


FloatStorage = type("FloatStorage", (), {})
stand_in("torch", FloatStorage=FloatStorage)
stand_in("torch._utils", _rebuild_tensor_v2=_rebuild_tensor_v2)


class Storage:
    def __init__(self, key, numel):
        self.key, self.numel = key, numel


class Tensor:
    def __init__(self, key, shape):
        self.key, self.shape = key, shape

    def numel(self):
        n = 1
        for d in self.shape:
            n *= d
        return n

    def __reduce__(self):
        stride, acc = [], 1
        for d in reversed(self.shape):
            stride.insert(0, acc)
            acc *= d
        return (_rebuild_tensor_v2, (Storage(self.key, self.numel()), 0, tuple(self.shape),
                                     tuple(stride), False, collections.OrderedDict()))


class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", FloatStorage, obj.key, "cpu", obj.numel)
        return None


def model(total_bytes, layers):
    # hidden size h, MLP 4h: per layer 4h^2 + 3*4h^2 = 16h^2 floats; embeddings 2 * vocab * h.
    vocab = 32000
    h = 64
    while (layers * 16 * (h + 64) ** 2 + 2 * vocab * (h + 64)) * 4 <= total_bytes:
        h += 64
    # Grow the vocabulary so the storages add up to the requested size.
    vocab = max(vocab, (total_bytes // 4 - layers * (16 * h * h + 2 * h) - h) // (2 * h))
    sd = collections.OrderedDict()
    key = 0

    def add(name, shape):
        nonlocal key
        sd[name] = Tensor(str(key), shape)
        key += 1

    add("model.embed_tokens.weight", (vocab, h))
    for i in range(layers):
        p = f"model.layers.{i}."
        for m in ("q_proj", "k_proj", "v_proj", "o_proj"):
            add(p + "self_attn." + m + ".weight", (h, h))
        add(p + "mlp.gate_proj.weight", (4 * h, h))
        add(p + "mlp.up_proj.weight", (4 * h, h))
        add(p + "mlp.down_proj.weight", (h, 4 * h))
        add(p + "input_layernorm.weight", (h,))
        add(p + "post_attention_layernorm.weight", (h,))
    add("model.norm.weight", (h,))
    add("lm_head.weight", (vocab, h))
    return sd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--gib", type=float, default=2.0)
    ap.add_argument("--layers", type=int, default=48)
    args = ap.parse_args()
    sd = model(int(args.gib * (1 << 30)), args.layers)
    buf = io.BytesIO()
    TorchPickler(buf, protocol=2).dump(sd)
    zeros = bytes(1 << 24)
    total = 0
    with zipfile.ZipFile(args.out, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
        z.writestr("archive/data.pkl", buf.getvalue())
        z.writestr("archive/byteorder", "little")
        for t in sd.values():
            n = t.numel() * 4
            total += n
            with z.open(f"archive/data/{t.key}", "w", force_zip64=True) as w:
                while n > 0:
                    c = min(n, len(zeros))
                    w.write(zeros[:c])
                    n -= c
        z.writestr("archive/version", "3\n")
    print(f"{args.out}: {len(sd)} tensors, {total / (1 << 30):.2f} GiB of storage, "
          f"data.pkl {len(buf.getvalue())} bytes")


if __name__ == "__main__":
    main()
