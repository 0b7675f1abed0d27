"""Runs the Java verification and reads the signed files once, checking their bytes."""

from __future__ import annotations

import errno
import hashlib
import hmac
import json
import os
import shutil
import stat
import subprocess
from typing import Dict, Iterable, List, Optional, Sequence, Union

PathLike = Union[str, "os.PathLike[str]"]

# Digest lengths in bytes of the algorithms OMS names; blake3 is not in hashlib.
_ALGORITHMS = {"sha256": 32, "blake2b": 64}

# A verify --json report is small (one line per resource); anything larger is not our tool.
_MAX_REPORT_BYTES = 64 * 1024 * 1024
_MAX_RESOURCES = 1_000_000


class VerificationError(Exception):
    """A check failed: ``file`` names the file (relative to the model, or the model itself) and
    ``rule`` the rule id (``handoff.*`` from this package, or the Java tool's rule such as
    ``oms.model-mismatch``)."""

    def __init__(self, file: str, rule: str, detail: str) -> None:
        super().__init__("[%s] %s: %s" % (rule, file, detail))
        self.file = file
        self.rule = rule
        self.detail = detail


def verified_files(
    model: PathLike,
    signature: Optional[PathLike] = None,
    public_key: Optional[PathLike] = None,
    trust_anchor: Union[None, PathLike, Sequence[PathLike]] = None,
    launcher: Union[None, PathLike, Sequence[PathLike]] = None,
    ignore: Iterable[str] = (),
    ignore_unsigned_files: bool = False,
    timeout: Optional[float] = None,
) -> Dict[str, bytes]:
    """Verifies ``model`` with the ``modelseal`` tool and returns ``{relative_path: bytes}``.

    ``signature`` defaults to ``MODEL/model.sig`` for a folder and ``MODEL.sig`` for a file (where
    ``modelseal sign`` writes it). Give ``public_key`` (key method) or ``trust_anchor`` (one or more
    CA certificates). ``launcher`` is the ``modelseal`` command (a path, or a list such as
    ``["java", "-jar", "modelseal.jar"]``); without it the ``MODELSEAL`` environment variable, then
    ``modelseal`` on ``PATH`` is used.

    Every signed file is opened once without following symbolic links (no component of its path
    may be a link), must be a regular file, and is read to its end; its digest is computed here from
    those bytes and must equal the digest of the Java verification, piece by piece for the shards
    method. The result holds exactly the signed files (a single-file model: its base name).

    Raises ``VerificationError`` naming the file and the rule on any failure.
    """
    model_str = os.fspath(model)
    single = not os.path.isdir(model_str)
    if signature is None:
        signature = (
            model_str + ".sig" if single else os.path.join(model_str, "model.sig")
        )
    if (public_key is None) == (trust_anchor is None):
        raise VerificationError(
            model_str, "handoff.usage", "give either public_key or trust_anchor"
        )
    command = _launcher(launcher, model_str)
    command += ["verify", model_str, "--signature", os.fspath(signature), "--json"]
    if public_key is not None:
        command += ["--public-key", os.fspath(public_key)]
    else:
        anchors = (
            [trust_anchor]
            if isinstance(trust_anchor, (str, os.PathLike))
            else list(trust_anchor)  # type: ignore[arg-type]
        )
        if not anchors:
            raise VerificationError(model_str, "handoff.usage", "trust_anchor is empty")
        for a in anchors:
            command += ["--trust-anchor", os.fspath(a)]
    for p in ignore:
        command += ["--ignore", p]
    if ignore_unsigned_files:
        command.append("--ignore-unsigned-files")
    report = _run(command, model_str, timeout)
    resources = _resources(report, model_str)
    if single:
        return _read_single(model_str, resources)
    return _read_folder(model_str, resources)


def _launcher(launcher, model: str) -> List[str]:
    if launcher is None:
        env = os.environ.get("MODELSEAL")
        if env:
            return [env]
        found = shutil.which("modelseal")
        if found is None:
            raise VerificationError(
                model,
                "handoff.launcher-missing",
                "no modelseal command: put it on PATH, set MODELSEAL, or pass launcher=",
            )
        return [found]
    if isinstance(launcher, (str, os.PathLike)):
        return [os.fspath(launcher)]
    parts = [os.fspath(p) for p in launcher]
    if not parts:
        raise VerificationError(model, "handoff.launcher-missing", "launcher is empty")
    return parts


def _run(command: List[str], model: str, timeout: Optional[float]) -> dict:
    try:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise VerificationError(
            model, "handoff.launcher-missing", "cannot run %r" % command[0]
        ) from None
    except subprocess.TimeoutExpired:
        raise VerificationError(
            model, "handoff.launcher-failed", "modelseal verify timed out"
        ) from None
    stderr = done.stderr.decode("utf-8", "replace").strip()
    if len(done.stdout) > _MAX_REPORT_BYTES:
        raise VerificationError(model, "handoff.report-invalid", "report too large")
    try:
        report = json.loads(done.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        report = None
    if not isinstance(report, dict):
        first = stderr.splitlines()[0] if stderr else "no output"
        raise VerificationError(
            model,
            "handoff.launcher-failed",
            "modelseal verify exited %d without a JSON report: %s"
            % (done.returncode, first),
        )
    status = report.get("status")
    if status != "verified" or done.returncode != 0:
        rule = report.get("rule") if isinstance(report.get("rule"), str) else None
        messages = report.get("messages")
        first = (
            messages[0]
            if isinstance(messages, list) and messages and isinstance(messages[0], str)
            else "status %r, exit %d" % (status, done.returncode)
        )
        file = model
        diffs = report.get("differences")
        if isinstance(diffs, list) and diffs and isinstance(diffs[0], dict):
            name = diffs[0].get("name")
            if isinstance(name, str):
                file = name
        raise VerificationError(file, rule or "handoff.launcher-failed", first)
    return report


class _Piece:
    __slots__ = ("name", "start", "end", "algorithm", "digest")

    def __init__(
        self,
        name: str,
        start: Optional[int],
        end: Optional[int],
        algorithm: str,
        digest: bytes,
    ) -> None:
        self.name = name
        self.start = start
        self.end = end
        self.algorithm = algorithm
        self.digest = digest


def _resources(report: dict, model: str) -> Dict[str, List[_Piece]]:
    """Groups ``verified_resources`` by file path, checking every field strictly."""
    listed = report.get("verified_resources")
    if not isinstance(listed, list):
        raise VerificationError(
            model,
            "handoff.report-invalid",
            "the report has no verified_resources (modelseal too old?)",
        )
    if len(listed) > _MAX_RESOURCES or len(listed) != report.get("resources"):
        raise VerificationError(
            model, "handoff.report-invalid", "verified_resources does not match resources"
        )
    by_path: Dict[str, List[_Piece]] = {}
    names = set()
    for r in listed:
        if not isinstance(r, dict):
            raise VerificationError(model, "handoff.report-invalid", "resource is not an object")
        name, path = r.get("name"), r.get("path")
        algorithm, digest = r.get("algorithm"), r.get("digest")
        if not all(isinstance(x, str) for x in (name, path, algorithm, digest)):
            raise VerificationError(model, "handoff.report-invalid", "resource fields missing")
        if name in names:
            raise VerificationError(path, "handoff.report-invalid", "resource listed twice")
        names.add(name)
        _check_relative(path)
        if algorithm not in _ALGORITHMS:
            raise VerificationError(
                path,
                "handoff.algorithm-unsupported",
                "digest algorithm %r is not in hashlib; sign with sha256" % algorithm,
            )
        raw = _hex(digest, _ALGORITHMS[algorithm], path)
        start, end = r.get("start"), r.get("end")
        if (start is None) != (end is None):
            raise VerificationError(path, "handoff.report-invalid", "half a byte range")
        if start is not None and not (
            type(start) is int and type(end) is int and 0 <= start < end
        ):
            raise VerificationError(path, "handoff.report-invalid", "bad byte range")
        pieces = by_path.setdefault(path, [])
        if pieces and (pieces[0].start is None or start is None):
            raise VerificationError(path, "handoff.report-invalid", "file listed twice")
        pieces.append(_Piece(name, start, end, algorithm, raw))
    return by_path


def _check_relative(path: str) -> None:
    # The same canonical form the Java verifier enforces (OMS 6.1.2): a relative path that cannot
    # climb out of the model folder.
    if (
        not path
        or path.startswith("/")
        or "\\" in path
        or "\0" in path
        or any(seg in ("", ".", "..") for seg in path.split("/"))
    ):
        raise VerificationError(path, "handoff.report-invalid", "not a canonical relative path")


def _hex(digest: str, length: int, path: str) -> bytes:
    if len(digest) != 2 * length or any(c not in "0123456789abcdef" for c in digest):
        raise VerificationError(path, "handoff.report-invalid", "digest is not lower-case hex")
    return bytes.fromhex(digest)


def _read_single(model: str, resources: Dict[str, List[_Piece]]) -> Dict[str, bytes]:
    name = os.path.basename(model)
    if list(resources) != [name]:
        raise VerificationError(
            model, "handoff.report-invalid", "a single-file model must list only its own file"
        )
    fd = _open_file(None, model, name)
    data = _read_all(fd, name)
    _check(name, data, resources[name])
    return {name: data}


def _read_folder(model: str, resources: Dict[str, List[_Piece]]) -> Dict[str, bytes]:
    try:
        root = os.open(model, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as e:
        raise VerificationError(model, "handoff.unreadable", e.strerror or str(e)) from None
    try:
        out: Dict[str, bytes] = {}
        for path in sorted(resources):
            fd = _open_below(root, path)
            data = _read_all(fd, path)
            _check(path, data, resources[path])
            out[path] = data
        return out
    finally:
        os.close(root)


def _open_below(root: int, path: str) -> int:
    """Opens ``path`` below the folder ``root`` one component at a time, following no link."""
    parts = path.split("/")
    dir_fd = root
    try:
        for seg in parts[:-1]:
            try:
                nxt = os.open(
                    seg,
                    os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                    dir_fd=dir_fd,
                )
            except OSError as e:
                raise _open_error(path, e) from None
            if dir_fd != root:
                os.close(dir_fd)
            dir_fd = nxt
        return _open_file(dir_fd, parts[-1], path)
    finally:
        if dir_fd != root:
            os.close(dir_fd)


def _open_file(dir_fd: Optional[int], name: str, display: str) -> int:
    # O_NONBLOCK: opening a FIFO put in a file's place must not hang; fstat then rejects it.
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        fd = os.open(name, flags, dir_fd=dir_fd)
    except OSError as e:
        raise _open_error(display, e) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise VerificationError(display, "handoff.not-regular-file", "not a regular file")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _open_error(display: str, e: OSError) -> VerificationError:
    if e.errno in (errno.ELOOP, errno.ENOTDIR):
        # O_NOFOLLOW on a link fails with ELOOP; a link (or file) where a folder should be with
        # ENOTDIR.
        return VerificationError(display, "handoff.symlink", "a symbolic link or not a folder")
    if e.errno == errno.ENOENT:
        return VerificationError(display, "handoff.missing", "signed file is missing")
    return VerificationError(display, "handoff.unreadable", e.strerror or str(e))


def _read_all(fd: int, display: str) -> bytes:
    """Reads the whole file once: exactly its fstat size, then one more byte must be EOF."""
    try:
        size = os.fstat(fd).st_size
        chunks = []
        got = 0
        while got < size:
            b = os.read(fd, size - got)
            if not b:
                raise VerificationError(
                    display, "handoff.size-changed", "file shrank while read"
                )
            chunks.append(b)
            got += len(b)
        if os.read(fd, 1):
            raise VerificationError(display, "handoff.size-changed", "file grew while read")
        # One read usually returns the whole file: no copy then.
        if len(chunks) == 1:
            return chunks[0]
        return b"".join(chunks)
    except OSError as e:
        raise VerificationError(display, "handoff.unreadable", e.strerror or str(e)) from None
    finally:
        os.close(fd)


def _new_hash(algorithm: str):
    return hashlib.blake2b(digest_size=64) if algorithm == "blake2b" else hashlib.sha256()


def _check(path: str, data: bytes, pieces: List[_Piece]) -> None:
    if pieces[0].start is None:
        h = _new_hash(pieces[0].algorithm)
        h.update(data)
        if not hmac.compare_digest(h.digest(), pieces[0].digest):
            raise VerificationError(
                path, "handoff.digest-mismatch", "bytes read differ from the verified digest"
            )
        return
    # Shards: the pieces must cover the bytes read exactly, each with its own digest.
    view = memoryview(data)
    expected_start = 0
    for p in sorted(pieces, key=lambda q: q.start):
        if p.start != expected_start or p.end > len(data):
            raise VerificationError(
                path,
                "handoff.size-changed",
                "signed pieces do not cover the %d bytes read (piece %s)" % (len(data), p.name),
            )
        h = _new_hash(p.algorithm)
        h.update(view[p.start : p.end])
        if not hmac.compare_digest(h.digest(), p.digest):
            raise VerificationError(
                path,
                "handoff.digest-mismatch",
                "bytes %d..%d read differ from the verified digest" % (p.start, p.end),
            )
        expected_start = p.end
    if expected_start != len(data):
        raise VerificationError(
            path,
            "handoff.size-changed",
            "%d bytes read, signed pieces end at %d" % (len(data), expected_start),
        )
