"""Tests of modelseal.verified_files and modelseal.mlx with the real modelseal tool.

The tool is the launcher in $MODELSEAL_TEST_LAUNCHER (the Java test suite writes one that runs the
freshly compiled classes) or else the repository's ./modelseal. Models are written by numpy.
"""

import io
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import textwrap
import types
import unittest
from unittest import mock

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import modelseal  # noqa: E402
import modelseal.mlx  # noqa: E402
from modelseal import VerificationError  # noqa: E402

LAUNCHER = os.environ.get("MODELSEAL_TEST_LAUNCHER") or os.path.join(
    os.path.dirname(os.path.dirname(HERE)), "modelseal"
)


def tool(*args):
    done = subprocess.run([LAUNCHER, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError("modelseal %s failed: %s" % (args[0], done.stderr))
    return done


def write_safetensors(path, tensors):
    """A safetensors file, written here byte by byte (the safetensors package is not installed)."""
    header, data, offset = {}, b"", 0
    for name, a in tensors.items():
        raw = np.ascontiguousarray(a).tobytes()
        header[name] = {
            "dtype": {"float32": "F32", "int64": "I64"}[str(a.dtype)],
            "shape": list(a.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        data += raw
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + data)


def read_safetensors(b):
    """Parses safetensors bytes (header, then each tensor as a numpy view of the bytes)."""
    (n,) = struct.unpack_from("<Q", b, 0)
    header = json.loads(b[8 : 8 + n])
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        start, end = t["data_offsets"]
        dtype = {"F32": np.float32, "I64": np.int64}[t["dtype"]]
        out[name] = np.frombuffer(b[8 + n + start : 8 + n + end], dtype=dtype).reshape(t["shape"])
    return out


class HandoffTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="modelseal-py-")
        cls.key = os.path.join(cls.tmp, "k.pem")
        cls.pub = os.path.join(cls.tmp, "k.pub")
        tool("keygen", "--private-key", cls.key, "--public-key", cls.pub)
        rng = np.random.default_rng(7)
        cls.w = rng.standard_normal((4, 5)).astype(np.float32)
        cls.b = np.arange(6, dtype=np.int64)
        cls.signed = cls.make_model("signed", shard_size=None)
        cls.sharded = cls.make_model("sharded", shard_size="7")

    @classmethod
    def make_model(cls, name, shard_size):
        m = os.path.join(cls.tmp, name)
        os.makedirs(os.path.join(m, "sub"))
        np.save(os.path.join(m, "w.npy"), cls.w)
        np.savez(os.path.join(m, "sub", "both.npz"), w=cls.w, b=cls.b)
        write_safetensors(os.path.join(m, "model.safetensors"), {"w": cls.w, "b": cls.b})
        with open(os.path.join(m, "config.json"), "w") as f:
            f.write('{"model_type": "test"}')
        open(os.path.join(m, "empty.txt"), "wb").close()
        args = ["sign", m, "--private-key", cls.key]
        if shard_size:
            args += ["--shard-size", shard_size]
        tool(*args)
        return m

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def copy(self, model):
        d = tempfile.mkdtemp(dir=self.tmp)
        target = os.path.join(d, "m")
        shutil.copytree(model, target, symlinks=True)
        return target

    def files(self, model, **kw):
        kw.setdefault("launcher", LAUNCHER)
        return modelseal.verified_files(model, public_key=self.pub, **kw)

    def after_verify(self, action):
        """A launcher that runs the real tool, then performs ``action`` (Python source, with
        ``os`` imported) before the package reads a byte: a swap after the Java verification."""
        path = os.path.join(tempfile.mkdtemp(dir=self.tmp), "launcher")
        with open(path, "w") as f:
            f.write(
                "#!%s\nimport os, shutil, subprocess, sys\n"
                "r = subprocess.run([%r] + sys.argv[1:], stdout=subprocess.PIPE)\n"
                "sys.stdout.buffer.write(r.stdout)\nsys.stdout.flush()\n%s\nsys.exit(r.returncode)\n"
                % (sys.executable, LAUNCHER, textwrap.dedent(action))
            )
        os.chmod(path, 0o755)
        return path

    def fake_report(self, report):
        """A launcher that prints ``report``: hostile input for the report parser."""
        path = os.path.join(tempfile.mkdtemp(dir=self.tmp), "launcher")
        with open(path, "w") as f:
            f.write("#!/bin/sh\ncat <<'EOF'\n%s\nEOF\n" % json.dumps(report))
        os.chmod(path, 0o755)
        return path

    # --- what comes back -------------------------------------------------------------------

    def test_verifiedFiles_folder_returnsExactlyTheSignedFilesLoadableByNumpy(self):
        files = self.files(self.signed)
        self.assertEqual(
            set(files),
            {"w.npy", "sub/both.npz", "model.safetensors", "config.json", "empty.txt"},
        )
        np.testing.assert_array_equal(np.load(io.BytesIO(files["w.npy"])), self.w)
        with np.load(io.BytesIO(files["sub/both.npz"])) as z:
            np.testing.assert_array_equal(z["w"], self.w)
            np.testing.assert_array_equal(z["b"], self.b)
        st = read_safetensors(files["model.safetensors"])
        np.testing.assert_array_equal(st["w"], self.w)
        np.testing.assert_array_equal(st["b"], self.b)
        self.assertEqual(files["empty.txt"], b"")
        for name, data in files.items():
            self.assertIsInstance(data, bytes)
            with open(os.path.join(self.signed, name), "rb") as f:
                self.assertEqual(data, f.read(), name)

    def test_verifiedFiles_shards_checksEveryPieceAndReturnsWholeFiles(self):
        files = self.files(self.sharded)
        # In the shards method an empty file has no piece, so it is not signed and not returned.
        self.assertEqual(set(files), {"w.npy", "sub/both.npz", "model.safetensors", "config.json"})
        np.testing.assert_array_equal(np.load(io.BytesIO(files["w.npy"])), self.w)
        np.testing.assert_array_equal(read_safetensors(files["model.safetensors"])["b"], self.b)

    def test_verifiedFiles_singleFile_returnsItUnderItsBaseName(self):
        d = tempfile.mkdtemp(dir=self.tmp)
        f = os.path.join(d, "w.npy")
        np.save(f, self.w)
        tool("sign", f, "--private-key", self.key)
        files = self.files(f)
        self.assertEqual(list(files), ["w.npy"])
        np.testing.assert_array_equal(np.load(io.BytesIO(files["w.npy"])), self.w)

    def test_verifiedFiles_launcherFromEnvironment_isUsed(self):
        with mock.patch.dict(os.environ, {"MODELSEAL": LAUNCHER}):
            files = modelseal.verified_files(self.signed, public_key=self.pub)
        self.assertIn("w.npy", files)

    # --- read once -------------------------------------------------------------------------

    def count_opens(self, model):
        real_open = os.open
        opened = []

        def counting_open(path, flags, *args, **kwargs):
            opened.append((os.fspath(path), flags))
            return real_open(path, flags, *args, **kwargs)

        real_io_open = io.open

        def no_other_open(file, *args, **kwargs):
            if not isinstance(file, int):  # subprocess wraps its pipes' descriptors with io.open
                raise AssertionError("a file was opened outside os.open: %r" % (file,))
            return real_io_open(file, *args, **kwargs)

        with mock.patch("os.open", counting_open), mock.patch(
            "builtins.open", no_other_open
        ), mock.patch("io.open", no_other_open):
            files = self.files(model)
        return files, opened

    def test_verifiedFiles_files_opensEachFileExactlyOnceWithoutFollowingLinks(self):
        files, opened = self.count_opens(self.signed)
        leaf = [(p, fl) for p, fl in opened if not fl & os.O_DIRECTORY and p != os.devnull]
        self.assertEqual(
            sorted(p for p, _ in leaf),
            sorted(n.rsplit("/", 1)[-1] for n in files),
        )
        for p, fl in leaf:
            self.assertTrue(fl & os.O_NOFOLLOW, p)
        # the folder "sub" is opened once, without following a link, to reach sub/both.npz
        self.assertEqual([p for p, fl in opened if fl & os.O_DIRECTORY and fl & os.O_NOFOLLOW], ["sub"])

    def test_verifiedFiles_shards_opensEachFileOnceForAllItsPieces(self):
        files, opened = self.count_opens(self.sharded)
        leaf = [p for p, fl in opened if not fl & os.O_DIRECTORY and p != os.devnull]
        self.assertEqual(sorted(leaf), sorted(n.rsplit("/", 1)[-1] for n in files))

    # --- changed before the Java verification ------------------------------------------------

    def test_verifiedFiles_tamperedBeforeVerify_raisesNamingTheFile(self):
        m = self.copy(self.signed)
        with open(os.path.join(m, "w.npy"), "r+b") as f:
            f.seek(-1, 2)
            last = f.read(1)
            f.seek(-1, 2)
            f.write(bytes([last[0] ^ 1]))
        with self.assertRaises(VerificationError) as e:
            self.files(m)
        self.assertEqual(e.exception.rule, "oms.model-mismatch")
        self.assertEqual(e.exception.file, "w.npy")
        self.assertIsInstance(e.exception, Exception)

    def test_verifiedFiles_wrongKey_raisesWithTheToolsRule(self):
        other = os.path.join(tempfile.mkdtemp(dir=self.tmp), "o")
        tool("keygen", "--private-key", other + ".pem", "--public-key", other + ".pub")
        with self.assertRaises(VerificationError) as e:
            modelseal.verified_files(self.signed, public_key=other + ".pub", launcher=LAUNCHER)
        self.assertTrue(e.exception.rule.startswith("oms."), e.exception.rule)

    def test_verifiedFiles_missingSignature_raises(self):
        with self.assertRaises(VerificationError) as e:
            self.files(self.signed, signature=os.path.join(self.tmp, "nope.sig"))
        self.assertNotEqual(e.exception.rule, "handoff.report-invalid")

    # --- changed between the Java verification and the Python read ------------------------------

    def swapped(self, model, action):
        m = self.copy(model)
        launcher = self.after_verify(action.replace("MODEL", repr(m)))
        with self.assertRaises(VerificationError) as e:
            self.files(m, launcher=launcher)
        return e.exception

    def test_verifiedFiles_rewrittenAfterVerify_raisesDigestMismatch(self):
        e = self.swapped(
            self.signed,
            """
            p = os.path.join(MODEL, 'w.npy')
            b = bytearray(open(p, 'rb').read()); b[-1] ^= 1
            open(p, 'wb').write(b)
            """,
        )
        self.assertEqual((e.rule, e.file), ("handoff.digest-mismatch", "w.npy"))

    def test_verifiedFiles_appendedAfterVerify_raises(self):
        e = self.swapped(self.signed, "open(os.path.join(MODEL, 'config.json'), 'ab').write(b' ')")
        self.assertEqual((e.rule, e.file), ("handoff.digest-mismatch", "config.json"))

    def test_verifiedFilesShards_appendedAfterVerify_raisesSizeChanged(self):
        e = self.swapped(self.sharded, "open(os.path.join(MODEL, 'w.npy'), 'ab').write(b'x' * 9)")
        self.assertEqual((e.rule, e.file), ("handoff.size-changed", "w.npy"))

    def test_verifiedFilesShards_truncatedAfterVerify_raisesSizeChanged(self):
        e = self.swapped(self.sharded, "os.truncate(os.path.join(MODEL, 'w.npy'), 20)")
        self.assertEqual((e.rule, e.file), ("handoff.size-changed", "w.npy"))

    def test_verifiedFiles_replacedBySymlinkAfterVerify_raisesSymlink(self):
        # the link points at an identical copy: the rule is the link, not the bytes
        e = self.swapped(
            self.signed,
            """
            p = os.path.join(MODEL, 'w.npy')
            shutil.copy(p, p + '.real'); os.remove(p); os.symlink(p + '.real', p)
            """,
        )
        self.assertEqual((e.rule, e.file), ("handoff.symlink", "w.npy"))

    def test_verifiedFiles_folderReplacedBySymlinkAfterVerify_raisesSymlink(self):
        e = self.swapped(
            self.signed,
            """
            p = os.path.join(MODEL, 'sub')
            shutil.copytree(p, p + '.real'); shutil.rmtree(p); os.symlink(p + '.real', p)
            """,
        )
        self.assertEqual((e.rule, e.file), ("handoff.symlink", "sub/both.npz"))

    def test_verifiedFiles_replacedByFifoAfterVerify_raisesNotRegularWithoutHanging(self):
        e = self.swapped(
            self.signed,
            "p = os.path.join(MODEL, 'config.json'); os.remove(p); os.mkfifo(p)",
        )
        self.assertEqual((e.rule, e.file), ("handoff.not-regular-file", "config.json"))

    def test_verifiedFiles_deletedAfterVerify_raisesMissing(self):
        e = self.swapped(self.signed, "os.remove(os.path.join(MODEL, 'sub', 'both.npz'))")
        self.assertEqual((e.rule, e.file), ("handoff.missing", "sub/both.npz"))

    # --- launcher and report ------------------------------------------------------------------

    def test_verifiedFiles_noLauncher_raisesLauncherMissing(self):
        with self.assertRaises(VerificationError) as e:
            self.files(self.signed, launcher=os.path.join(self.tmp, "no-such-modelseal"))
        self.assertEqual(e.exception.rule, "handoff.launcher-missing")
        with mock.patch.dict(os.environ, {"PATH": self.tmp}), mock.patch.dict(
            os.environ, {}, clear=False
        ):
            os.environ.pop("MODELSEAL", None)
            with self.assertRaises(VerificationError) as e:
                modelseal.verified_files(self.signed, public_key=self.pub)
        self.assertEqual(e.exception.rule, "handoff.launcher-missing")

    def test_verifiedFiles_noTrustMaterial_raisesUsage(self):
        with self.assertRaises(VerificationError) as e:
            modelseal.verified_files(self.signed, launcher=LAUNCHER)
        self.assertEqual(e.exception.rule, "handoff.usage")

    def report(self, **resource):
        r = {"name": "w.npy", "path": "w.npy", "algorithm": "sha256", "digest": "0" * 64}
        r.update(resource)
        return {"status": "verified", "resources": 1, "verified_resources": [r]}

    def assert_report_rejected(self, report, rule="handoff.report-invalid"):
        with self.assertRaises(VerificationError) as e:
            self.files(self.signed, launcher=self.fake_report(report))
        self.assertEqual(e.exception.rule, rule)

    def test_report_pathClimbsOut_rejected(self):
        self.assert_report_rejected(self.report(name="../k.pub", path="../k.pub"))

    def test_report_absolutePath_rejected(self):
        self.assert_report_rejected(self.report(name="/etc/passwd", path="/etc/passwd"))

    def test_report_upperCaseDigest_rejected(self):
        self.assert_report_rejected(self.report(digest="A" * 64))

    def test_report_shortDigest_rejected(self):
        self.assert_report_rejected(self.report(digest="0" * 62))

    def test_report_countDisagrees_rejected(self):
        r = self.report()
        r["resources"] = 2
        self.assert_report_rejected(r)

    def test_report_noVerifiedResources_rejected(self):
        self.assert_report_rejected({"status": "verified", "resources": 0})

    def test_report_halfRange_rejected(self):
        self.assert_report_rejected(self.report(start=0))

    def test_report_blake3_rejectedAsUnsupported(self):
        self.assert_report_rejected(
            self.report(algorithm="blake3"), rule="handoff.algorithm-unsupported"
        )

    def test_report_notJson_raisesLauncherFailed(self):
        path = os.path.join(tempfile.mkdtemp(dir=self.tmp), "launcher")
        with open(path, "w") as f:
            f.write("#!/bin/sh\necho 'modelseal: boom' >&2\nexit 2\n")
        os.chmod(path, 0o755)
        with self.assertRaises(VerificationError) as e:
            self.files(self.signed, launcher=path)
        self.assertEqual(e.exception.rule, "handoff.launcher-failed")
        self.assertIn("boom", str(e.exception))

    def test_report_wrongDigestForRealFile_raisesDigestMismatch(self):
        # a report (not from the tool) whose digest the file does not have: the bytes decide
        self.assert_report_rejected(self.report(), rule="handoff.digest-mismatch")

    # --- MLX ---------------------------------------------------------------------------------

    def with_stand_in_mlx(self):
        """MLX cannot be installed here: a stand-in ``mlx.core`` records what ``load`` receives
        and reads it with numpy, to show the one MLX line gets the verified bytes and a format."""
        calls = []

        def load(source, format=None, **kwargs):
            calls.append((source, format, kwargs))
            if format == "npy":
                return np.load(source)
            if format == "npz":
                return dict(np.load(source))
            return read_safetensors(source.getvalue())

        core = types.ModuleType("mlx.core")
        core.load = load
        pkg = types.ModuleType("mlx")
        pkg.core = core
        return calls, mock.patch.dict(sys.modules, {"mlx": pkg, "mlx.core": core})

    def test_mlxLoad_safetensors_passesVerifiedBytesAsBytesIOWithFormat(self):
        calls, patch = self.with_stand_in_mlx()
        with patch:
            out = modelseal.mlx.load(
                self.signed, file="model.safetensors", public_key=self.pub, launcher=LAUNCHER
            )
        (source, fmt, _), = calls
        self.assertIsInstance(source, io.BytesIO)
        self.assertEqual(fmt, "safetensors")
        np.testing.assert_array_equal(out["w"], self.w)

    def test_mlxLoad_npzAndNpy_formats(self):
        calls, patch = self.with_stand_in_mlx()
        with patch:
            z = modelseal.mlx.load(
                self.signed, file="sub/both.npz", public_key=self.pub, launcher=LAUNCHER
            )
            a = modelseal.mlx.load(self.signed, file="w.npy", public_key=self.pub, launcher=LAUNCHER)
        self.assertEqual([c[1] for c in calls], ["npz", "npy"])
        np.testing.assert_array_equal(z["b"], self.b)
        np.testing.assert_array_equal(a, self.w)

    def test_mlxLoad_gguf_raisesPointingAtCopyToBeforeVerifying(self):
        with self.assertRaises(ValueError) as e:
            modelseal.mlx.load(
                self.signed,
                file="model.gguf",
                public_key=self.pub,
                launcher=os.path.join(self.tmp, "never-run"),
            )
        self.assertIn("--copy-to", str(e.exception))

    def test_mlxLoad_withoutMlx_raisesImportErrorNamingIt(self):
        if "mlx" in sys.modules or _has_real_mlx():
            self.skipTest("MLX is installed")
        with mock.patch.dict(sys.modules, {"mlx": None, "mlx.core": None}):
            with self.assertRaises(ImportError) as e:
                modelseal.mlx.load(self.signed, file="w.npy", public_key=self.pub, launcher=LAUNCHER)
        self.assertIn("pip install mlx", str(e.exception))

    def test_mlxLoad_folderWithSeveralWeightFiles_needsFile(self):
        with self.assertRaises(ValueError) as e:
            modelseal.mlx.load(self.signed, public_key=self.pub, launcher=LAUNCHER)
        self.assertIn("file=", str(e.exception))


def _has_real_mlx():
    import importlib.util

    return importlib.util.find_spec("mlx") is not None


if __name__ == "__main__":
    unittest.main()
