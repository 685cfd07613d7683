"""Writing and defensively reading the zip archives of ``.npy`` members behind
``nn.save``/``nn.load``.

Reading never unpickles and never trusts a size it has not checked: each
member's ``.npy`` header is read first (a bounded number of bytes), and the
byte count its shape and dtype declare is compared with what the member holds
before any array is allocated. Damage of any kind (an empty or truncated file,
something that is not a zip archive, a header that cannot be parsed, a
negative or impossibly large dimension, a short body, a bad checksum) is a
``ValueError`` naming the file, the member and the cause. NumPy's own messages
are passed on only when they do not talk about pickling, since the advice they
give there (``allow_pickle=True``) is exactly what must not be done with an
untrusted file.
"""
import io
import math
import os
import struct
import zipfile
import zlib

import numpy as np

__all__ = ["NpzReader", "write_npz", "describe", "member_name_ok", "read_at_most"]

_CHUNK = 1 << 16                 # bytes read from a stream at a time
_MAX_HEADER = 65535              # no .npy header nn.save writes comes near this
_MAX_DIMS = 64                   # NumPy's limit on ndim
_NPY_MAGIC = b"\x93NUMPY"
_MAX_NAME = 1024                 # bytes in a member name (zip allows 65535)
_ZIP_MAGIC = b"PK"
# Everything reading a damaged archive can raise: zipfile's own error, short reads,
# inflating garbage, an encrypted or unsupported member, a bad struct in a header.
_DAMAGE = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, zlib.error,
           struct.error, RuntimeError, NotImplementedError, ValueError)


def describe(source):
    """How to name ``source`` (a path or an open file) in a message."""
    if isinstance(source, (str, bytes, os.PathLike)):
        return repr(os.fsdecode(source))
    name = getattr(source, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(source).__name__}>"


def member_name_ok(name):
    """Whether ``name`` is stored and read back exactly as given, on every platform.

    zipfile cuts a name at its first NUL, turns ``\\`` into ``/`` on Windows,
    fails on a string that UTF-8 cannot encode (a lone surrogate) and on a name
    over 65535 bytes, in the middle of writing the archive.
    """
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return b"\x00" not in encoded and b"\\" not in encoded and len(encoded) <= _MAX_NAME


def read_at_most(stream, n):
    """Up to ``n`` bytes from ``stream`` as a bytearray, read in chunks, so that a
    stream shorter than it claims never costs more memory than it holds."""
    buf = bytearray()
    while len(buf) < n:
        chunk = stream.read(min(_CHUNK, n - len(buf)))
        if not chunk:
            break
        buf += chunk
    return buf


def _clean(exc):
    """NumPy's or zipfile's message, unless it talks about pickling."""
    text = str(exc).strip() or type(exc).__name__
    return type(exc).__name__ if "pickle" in text.lower() else text


def write_npz(f, members):
    """Write ``members``, pairs ``(name, ndarray or bytes)``, to the open binary file
    ``f`` as an uncompressed zip archive (what ``np.savez`` writes)."""
    with zipfile.ZipFile(f, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, value in members:
            if isinstance(value, bytes):
                zf.writestr(name, value)
            else:
                with zf.open(name, mode="w", force_zip64=True) as member:
                    np.lib.format.write_array(member, np.asanyarray(value),
                                              allow_pickle=False)


class NpzReader:
    """``with NpzReader(source) as r:`` opens a path (closed again on leaving, also
    on an error) or uses an open binary file (left open); ``r.names`` lists the
    members in order, ``r.read_array(name)`` / ``r.read_bytes(name)`` read one."""

    def __init__(self, source):
        self.source = source
        self.where = describe(source)
        self._file = None
        self._owned = False
        self._zip = None
        self.names = []

    def error(self, cause, member=None):
        """A ValueError starting ``nn.load: <path>`` (and the member, when given)."""
        if member is not None and member.endswith(".npy"):
            member = member[:-4]                # the key, as np.load and nn.load name it
        at = f"member {member!r} of {self.where}" if member is not None else self.where
        return ValueError(f"nn.load: {at}: {cause}")

    # -- opening ---------------------------------------------------------------------
    def __enter__(self):
        try:
            self._open()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        """Close the archive, and the file when this reader opened it."""
        if self._zip is not None:
            self._zip.close()
            self._zip = None
        if self._owned and self._file is not None:
            self._file.close()
        self._file = None

    def _open(self):
        if isinstance(self.source, (str, bytes, os.PathLike)):
            self._file = open(self.source, "rb")
            self._owned = True
        else:
            self._file = self.source
        f = self._file
        try:
            start = f.tell()
            self.size = f.seek(0, io.SEEK_END) - start
            f.seek(start)
            head = f.read(len(_NPY_MAGIC))
            f.seek(start)
        except (OSError, ValueError, AttributeError) as exc:
            raise self.error(f"cannot be read as a seekable binary file ({_clean(exc)})") \
                from None
        if not isinstance(head, bytes):
            raise self.error("is open in text mode; open it in binary mode ('rb')")
        if not head:
            raise self.error("the file is empty (0 bytes); expected an .npz archive as "
                             "written by nn.save")
        if head.startswith(_NPY_MAGIC):
            raise self.error("holds a single array (.npy), not an .npz file of named "
                             "arrays")
        if not head.startswith(_ZIP_MAGIC):
            raise self.error(f"not an .npz file (a zip archive of .npy arrays, as nn.save "
                             f"writes): it starts with {head[:4]!r} (nothing was unpickled)")
        try:
            self._zip = zipfile.ZipFile(f)
            infos = self._zip.infolist()
        except _DAMAGE as exc:
            raise self.error(f"damaged or truncated .npz (zip) archive ({_clean(exc)})") \
                from None
        seen = set()
        for info in infos:
            if info.filename in seen:
                raise self.error("the archive holds this member twice", info.filename)
            seen.add(info.filename)
        self._infos = {info.filename: info for info in infos}
        self.names = [info.filename for info in infos]

    # -- reading members -------------------------------------------------------------
    def _member_size_check(self, info):
        # A stored member cannot hold more bytes than the archive; an entry saying
        # otherwise is damaged (and must not be trusted to size an allocation).
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size > self.size:
            raise self.error(f"declares {info.compress_size} bytes, more than the whole "
                             f"file ({self.size} bytes): truncated or damaged",
                             info.filename)

    def _read(self, member, n, name, what):
        """Exactly ``n`` bytes from the open ``member`` (see ``read_at_most``)."""
        try:
            buf = read_at_most(member, n)
        except _DAMAGE as exc:
            raise self.error(f"damaged data while reading {what} ({_clean(exc)})", name) \
                from None
        if len(buf) != n:
            raise self.error(f"truncated: {what} needs {n} bytes, the member holds only "
                             f"{len(buf)}", name)
        return buf

    def _open_member(self, name):
        info = self._infos[name]
        self._member_size_check(info)
        try:
            return info, self._zip.open(info)
        except _DAMAGE as exc:
            raise self.error(f"cannot be opened ({_clean(exc)})", name) from None

    def read_bytes(self, name):
        """The raw contents of member ``name``."""
        info, member = self._open_member(name)
        with member:
            return bytes(self._read(member, info.file_size, name, "the member"))

    def read_array(self, name):
        """Member ``name`` as an ndarray of numbers (bool, int, uint or float)."""
        info, member = self._open_member(name)
        with member:
            return self._read_npy(member, info, name)

    def _read_npy(self, member, info, name):
        # The header first, a bounded number of bytes, parsed by NumPy from memory.
        magic = self._read(member, 8, name, "the .npy magic string")
        try:
            version = np.lib.format.read_magic(io.BytesIO(bytes(magic)))
        except ValueError:
            raise self.error(f"not a .npy array (it starts with {bytes(magic[:6])!r}, "
                             f"not {_NPY_MAGIC!r})", name) from None
        if version not in ((1, 0), (2, 0)):
            raise self.error(f"unsupported .npy format version {version[0]}.{version[1]} "
                             "(nn.save writes 1.0)", name)
        len_size = 2 if version == (1, 0) else 4
        raw_len = self._read(member, len_size, name, "the .npy header length")
        header_len = int.from_bytes(raw_len, "little")
        if header_len > _MAX_HEADER:
            raise self.error(f"the .npy header claims {header_len} bytes (more than "
                             f"{_MAX_HEADER}): damaged", name)
        header = self._read(member, header_len, name, "the .npy header")
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        try:
            shape, fortran, dtype = read_header(io.BytesIO(bytes(raw_len + header)),
                                                max_header_size=_MAX_HEADER)
        except Exception as exc:     # noqa: BLE001  (ValueError, SyntaxError, TokenError...)
            raise self.error(f"malformed .npy header ({_clean(exc)})", name) from None
        if dtype.hasobject:
            raise self.error(f"holds Python objects (dtype {dtype}), which cannot be read "
                             "without unpickling; nn.load reads number arrays only", name)
        if dtype.kind not in "biuf":
            raise self.error(f"has dtype {dtype}; expected number arrays as written by "
                             "nn.save", name)
        if len(shape) > _MAX_DIMS:
            raise self.error(f"the .npy header declares {len(shape)} dimensions (NumPy "
                             f"arrays have at most {_MAX_DIMS})", name)
        if any(d < 0 for d in shape):
            raise self.error(f"the .npy header declares a negative dimension in shape "
                             f"{shape}", name)
        # Python ints: no overflow, however large the declared shape.
        declared = math.prod(shape) * dtype.itemsize
        available = info.file_size - (8 + len_size + header_len)
        if declared != available:
            raise self.error(f"the .npy header declares shape {shape} of {dtype} "
                             f"({declared} bytes of data) but the member holds "
                             f"{available} bytes: truncated or damaged", name)
        # zipfile checks the member's CRC-32 on reading its last byte.
        data = self._read(member, declared, name, "the array data")
        array = np.frombuffer(data, dtype=dtype)      # a writable view of the bytearray
        return array.reshape(shape, order="F" if fortran else "C")
