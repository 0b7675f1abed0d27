#!/usr/bin/env python3
"""Writes ctd1-vectors.txt: CTD-1 and CTM-1 test vectors computed independently of the Java code.

Run from this directory: python3 ctd1_vectors.py > ctd1-vectors.txt
Needs numpy (for realistic payload bytes) and hashlib. The CTD-1/CTM-1 preimages follow DIGESTS.md:

  CTD-1(t) = SHA-256("CTD-1" 0x00 tag 0x00 u32le rank u64le dims... u64le nbytes payload)
  CTM-1    = SHA-256("CTM-1" 0x00 {u32le len(name) name-utf8 CTD-1(t)} sorted by name bytes)

Line format (UTF-8): ctd1 <name> <tag> <dims comma-separated or -> <payload hex or -> <digest hex>
                     ctm1 <digest hex>            (over every ctd1 line of the file)
                     ctm1-empty <digest hex>      (over no tensors)
"""
import hashlib
import struct

import numpy as np


def ctd1(tag, shape, payload):
    pre = b"CTD-1\x00" + tag.encode("ascii") + b"\x00" + struct.pack("<I", len(shape))
    for d in shape:
        pre += struct.pack("<Q", d)
    pre += struct.pack("<Q", len(payload))
    return hashlib.sha256(pre + payload).digest()


def ctm1(entries):
    h = hashlib.sha256(b"CTM-1\x00")
    for name, digest in sorted(entries, key=lambda e: e[0].encode("utf-8")):
        n = name.encode("utf-8")
        h.update(struct.pack("<I", len(n)) + n + digest)
    return h.digest()


rng = np.random.default_rng(20240603)
vectors = [
    ("f32_2x3", "F32", (2, 3), np.arange(6, dtype="<f4").reshape(2, 3).tobytes()),
    # The same values as a big-endian array: canonical bytes are little-endian, so the digest
    # equals f32_2x3's.
    ("f32_2x3_from_be", "F32", (2, 3),
     np.arange(6, dtype=">f4").reshape(2, 3).astype("<f4").tobytes()),
    # Fortran-ordered source: canonical payload is C order.
    ("f32_3x2_from_fortran", "F32", (3, 2),
     np.asfortranarray(np.arange(6, dtype="<f4").reshape(3, 2)).tobytes(order="C")),
    ("scalar_f64", "F64", (), np.float64(3.5).tobytes()),
    ("one_f64", "F64", (1,), np.array([3.5], dtype="<f8").tobytes()),
    ("empty_0x3", "F32", (0, 3), b""),
    ("empty_0", "F32", (0,), b""),
    ("bool_3", "BOOL", (3,), np.array([True, False, True]).tobytes()),
    ("i64_4", "I64", (4,), np.array([1, -2, 3, -(2**62)], dtype="<i8").tobytes()),
    ("c64_2", "C64", (2,), np.array([1 + 2j, -3.5 + 0.25j], dtype="<c8").tobytes()),
    ("c128_1", "C128", (1,), np.array([1e300 - 2j], dtype="<c16").tobytes()),
    ("bf16_2", "BF16", (2,), np.array([0x3F80, 0x4000], dtype="<u2").tobytes()),
    ("f16_2x2", "F16", (2, 2), np.array([[1, -2], [0.5, 65504]], dtype="<f2").tobytes()),
    ("u8_5", "U8", (5,), bytes([0, 1, 127, 128, 255])),
    ("nan_negzero", "F32", (2,), np.array([np.nan, -0.0], dtype="<f4").tobytes()),
    ("q4_0_32", "GGML_Q4_0", (32,), rng.integers(0, 256, 18, dtype=np.uint8).tobytes()),
    ("v3_2", "V3", (2,), bytes([1, 2, 3, 4, 5, 6])),
    ("f4_4", "F4", (4,), bytes([0x21, 0x43])),
    ("i16_3", "I16", (3,), np.array([1, -1, 300], dtype="<i2").tobytes()),
    ("random_f32_7x5", "F32", (7, 5), rng.standard_normal((7, 5), dtype=np.float32).tobytes()),
    ("\u00e9t\u00e9", "U8", (1,), bytes([9])),
    ("B", "U8", (1,), bytes([8])),
    ("a/b", "U8", (1,), bytes([7])),
    ("z", "U8", (1,), bytes([6])),
]

entries = []
for name, tag, shape, payload in vectors:
    digest = ctd1(tag, shape, payload)
    entries.append((name, digest))
    dims = ",".join(str(d) for d in shape) or "-"
    print("ctd1", name, tag, dims, payload.hex() or "-", digest.hex())
print("ctm1", ctm1(entries).hex())
print("ctm1-empty", ctm1([]).hex())
