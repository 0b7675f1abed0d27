"""Loads models the unsafe way and the safe way, one pair per rule.

The docstring mentions pickle.load(f) and http://example.com/model.bin: prose, no finding.
"""
import os
import pickle
import pickle as pk
from pickle import loads as unpickle
import torch
import numpy as np
import joblib
import dill
import yaml
import requests
import mlx.core as mx
import mlx_lm
from huggingface_hub import hf_hub_download, snapshot_download
from transformers import AutoModel, AutoTokenizer
import safetensors.torch

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def unsafe(f, blob):
    a = pickle.load(f)  # expect: lint.pickle-load
    b = pk.loads(blob)  # expect: lint.pickle-load
    c = unpickle(blob)  # expect: lint.pickle-load
    d = torch.load("model.pt")  # expect: lint.torch-load-unsafe
    e = torch.load("model.pt", weights_only=False)  # expect: lint.torch-load-unsafe
    g = np.load("x.npy", allow_pickle=True)  # expect: lint.numpy-allow-pickle
    h = joblib.load("m.joblib")  # expect: lint.joblib-load
    i = dill.loads(blob)  # expect: lint.dill-load
    j = yaml.load(f)  # expect: lint.yaml-unsafe-load
    k = yaml.load(f, Loader=yaml.Loader)  # expect: lint.yaml-unsafe-load
    m = AutoModel.from_pretrained("org/name", trust_remote_code=True)  # expect: lint.trust-remote-code lint.unpinned-revision
    n = AutoTokenizer.from_pretrained("org/name", revision="main")  # expect: lint.unpinned-revision
    o = hf_hub_download("org/name", "model.safetensors")  # expect: lint.unpinned-revision
    p = snapshot_download(repo_id="org/name", revision="v1.0")  # expect: lint.unpinned-revision
    q = mlx_lm.load("mlx-community/Llama-3.2-1B-Instruct-4bit")  # expect: lint.unpinned-revision
    r = mx.load("weights.safetensors")  # expect: lint.mlx-load-unverified
    s = requests.get("https://example.com/model.bin", verify=False)  # expect: lint.tls-verify-disabled
    url = "http://models.example.com/model.safetensors"  # expect: lint.http-url
    os.environ["MLXLM_USE_MODELSCOPE"] = "True"  # expect: lint.modelscope-source
    return a, b, c, d, e, g, h, i, j, k, m, n, o, p, q, r, s, url


def safe(f, blob):
    d = torch.load("model.pt", weights_only=True)
    g = np.load("x.npy", allow_pickle=False)
    g2 = np.load("x.npy")
    j = yaml.safe_load(f)
    k = yaml.load(f, Loader=yaml.SafeLoader)
    m = AutoModel.from_pretrained("org/name", revision="0123456789abcdef0123456789abcdef01234567")
    m2 = AutoModel.from_pretrained("org/name", revision="0123456789abcdef0123456789abcdef01234567", trust_remote_code=False)
    o = hf_hub_download("org/name", "model.safetensors", revision="0123456789abcdef0123456789abcdef01234567")
    local = AutoModel.from_pretrained("./checkpoints/model")
    s = requests.get("https://example.com/model.bin")
    t = safetensors.torch.load_file("model.safetensors")
    dev = "http://localhost:8080/model.bin"
    note = "set MLXLM_USE_MODELSCOPE to use ModelScope"
    # pickle.load(f) and torch.load(x) in a comment: no finding
    text = "torch.load('x') in a string: no finding"
    return d, g, g2, j, k, m, m2, o, local, s, t, dev, note, text
