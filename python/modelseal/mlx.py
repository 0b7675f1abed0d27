"""Load MLX arrays from the bytes a ModelSeal verification matched.

``mx.load(path)`` reads safetensors data lazily, long after any check of the file; here the
verified bytes are handed to MLX in memory instead (``io.BytesIO``, which MLX reads only with an
explicit ``format=``). MLX is imported only when ``load`` runs, so this module imports without it.

GGUF cannot go this way: MLX loads GGUF from a path only. Verify into a private read-only copy and
load from there::

    modelseal verify MODEL --signature MODEL/model.sig --public-key K.pub --copy-to VERIFIED
    mx.load("VERIFIED/model.gguf")
"""

from __future__ import annotations

import io
import os
from typing import Any, Dict, Optional

from ._verify import VerificationError, verified_files

# File name endings MLX can read from a file object, and the format= value for each.
FORMATS = {".safetensors": "safetensors", ".npz": "npz", ".npy": "npy"}

COPY_TO_HINT = (
    "MLX loads GGUF from a path only: run `modelseal verify MODEL --signature SIG "
    "--public-key K.pub --copy-to DIR` and mx.load() the file from DIR"
)


def format_of(name: str) -> str:
    """The ``format=`` value for ``name``; a clear ``ValueError`` for GGUF and unknown endings."""
    lower = name.lower()
    if lower.endswith(".gguf"):
        raise ValueError("%s: %s" % (name, COPY_TO_HINT))
    for ending, fmt in FORMATS.items():
        if lower.endswith(ending):
            return fmt
    raise ValueError(
        "%s: MLX reads only safetensors, npz and npy from memory (GGUF: %s)"
        % (name, COPY_TO_HINT)
    )


def load(
    model: Any,
    signature: Optional[Any] = None,
    *,
    file: Optional[str] = None,
    public_key: Optional[Any] = None,
    trust_anchor: Optional[Any] = None,
    launcher: Optional[Any] = None,
    **mlx_kwargs: Any,
):
    """Verifies ``model`` (see ``modelseal.verified_files``) and loads one weight file with MLX.

    ``file`` is the file's path relative to the model folder; it may be left out for a single-file
    model, or when the folder holds exactly one safetensors/npz/npy file. Further keyword arguments
    go to ``mx.load``. Returns what ``mx.load`` returns.
    """
    single = not os.path.isdir(os.fspath(model))
    if file is not None:
        fmt = format_of(file)  # fail before any work for GGUF
    elif single:
        fmt = format_of(os.path.basename(os.fspath(model)))
    files = verified_files(
        model,
        signature,
        public_key=public_key,
        trust_anchor=trust_anchor,
        launcher=launcher,
    )
    name = file if file is not None else _only_weight_file(files, os.fspath(model))
    if name not in files:
        raise VerificationError(name, "handoff.missing", "not a signed file of the model")
    fmt = format_of(name)
    return _mx_load(io.BytesIO(files[name]), fmt, mlx_kwargs)


def _only_weight_file(files: Dict[str, bytes], model: str) -> str:
    weights = [n for n in files if n.lower().endswith(tuple(FORMATS)) or n.lower().endswith(".gguf")]
    if len(weights) != 1:
        raise ValueError(
            "%s: %d weight files; name one with file=" % (model, len(weights))
        )
    return weights[0]


def _mx_load(buffer: io.BytesIO, fmt: str, kwargs: Dict[str, Any]):
    try:
        import mlx.core as mx  # imported here: MLX is optional and Apple-silicon only
    except ImportError as e:
        raise ImportError(
            "modelseal.mlx needs MLX (pip install mlx); modelseal.verified_files works without it"
        ) from e
    # The one MLX call: the verified bytes, never a path.
    return mx.load(buffer, format=fmt, **kwargs)
