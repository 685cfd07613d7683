"""nn.load on damaged files: a ValueError naming the path and the cause, never
NumPy's advice to enable pickle, no allocation sized by an unchecked header, and
no file left open."""
import gc
import io
import os
import struct
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest

import nn


def npy_bytes(shape, descr="<f8", data=b"", version=1, header=None):
    """A .npy file whose header says ``shape``/``descr``, followed by ``data``."""
    if header is None:
        header = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode()
    header += b" " * (-(len(header) + 11) % 64) + b"\n"
    if version == 1:
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + data
    return b"\x93NUMPY\x02\x00" + struct.pack("<I", len(header)) + header + data


def npz_with(path, members):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, payload in members.items():
            zf.writestr(name, payload)
    return path


def good_file(tmp_path):
    path = tmp_path / "good.npz"
    nn.save(nn.MLP([3, 16, 2], norm="batch", seed=0), path)
    return path


def open_fds():
    return set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None


def load_fails(path, match):
    """nn.load(path) raises a ValueError that names the path and matches ``match``,
    says nothing about enabling pickle, and leaves no file descriptor open."""
    before = open_fds()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        with pytest.raises(ValueError, match=match) as info:
            nn.load(path)
        gc.collect()
    message = str(info.value)
    assert str(path) in message
    assert "allow_pickle" not in message and "pickle=True" not in message
    # nothing chained either: a traceback would show NumPy's advice
    assert info.value.__cause__ is None or "pickle" not in str(info.value.__cause__)
    after = open_fds()
    if before is not None:
        assert after == before, "a file was left open"
    return message


def test_empty_file(tmp_path):
    path = tmp_path / "empty.npz"
    path.write_bytes(b"")
    load_fails(path, r"the file is empty \(0 bytes\)")


@pytest.mark.parametrize("keep", [2, 30, 200, 0.5, -22, -1])
def test_truncated_file(tmp_path, keep):
    raw = good_file(tmp_path).read_bytes()
    n = int(len(raw) * keep) if isinstance(keep, float) else keep
    path = tmp_path / "cut.npz"
    path.write_bytes(raw[:n])
    load_fails(path, r"damaged or truncated \.npz \(zip\) archive")


@pytest.mark.parametrize("payload", [b"hello, world", b"\x00" * 100, b"\x80\x04K\x01."])
def test_not_a_zip(tmp_path, payload):
    path = tmp_path / "junk.npz"
    path.write_bytes(payload)
    load_fails(path, r"not an \.npz file .*\(nothing was unpickled\)")


def test_short_member_body_is_refused_before_reading(tmp_path):
    path = npz_with(tmp_path / "short.npz",
                    {"w.npy": npy_bytes((1000,), data=np.ones(2).tobytes())})
    load_fails(path, r"member 'w' of .*declares shape \(1000,\) of float64 \(8000 bytes of "
                     r"data\) but the member holds 16 bytes")


def test_long_member_body_is_refused(tmp_path):
    path = npz_with(tmp_path / "long.npz", {"w.npy": npy_bytes((1,), data=bytes(16))})
    load_fails(path, r"member 'w' .*\(8 bytes of data\) but the member holds 16 bytes")


@pytest.mark.parametrize("shape", [(-1, 3), (4, -2)])
def test_negative_dimension(tmp_path, shape):
    path = npz_with(tmp_path / "neg.npz", {"w.npy": npy_bytes(shape, data=bytes(96))})
    load_fails(path, rf"member 'w' .*negative dimension in shape \({shape[0]}, {shape[1]}\)")


@pytest.mark.parametrize("shape", [(2 ** 40,), (2 ** 31, 2 ** 31, 2 ** 31), (10 ** 30,)])
def test_huge_dimension_is_refused_before_allocating(tmp_path, shape):
    path = npz_with(tmp_path / "huge.npz", {"w.npy": npy_bytes(shape, data=bytes(64))})
    tracemalloc.start()
    try:
        load_fails(path, r"member 'w' .*declares shape .* but the member holds 64 bytes")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 ** 20


def test_huge_header_length_is_refused(tmp_path):
    raw = b"\x93NUMPY\x02\x00" + struct.pack("<I", 2 ** 31) + b"{" * 100
    path = npz_with(tmp_path / "hdr.npz", {"w.npy": raw})
    load_fails(path, r"header claims 2147483648 bytes")


@pytest.mark.parametrize("header,match", [
    (b"{'descr': '<f8', 'fortran_order': False, 'shape': (2,)", "malformed .npy header"),
    (b"[1, 2, 3]", "malformed .npy header"),
    (b"{'descr': '<f8', 'shape': (2,)}", "malformed .npy header"),
    (b"{'descr': 'not a dtype', 'fortran_order': False, 'shape': (2,)}",
     "malformed .npy header"),
    (b"{'descr': '|O', 'fortran_order': False, 'shape': (2,)}",
     "holds Python objects .*cannot be read without unpickling"),
    (b"{'descr': '<c16', 'fortran_order': False, 'shape': (1,)}", "has dtype complex128"),
])
def test_bad_headers(tmp_path, header, match):
    path = npz_with(tmp_path / "bad.npz", {"w.npy": npy_bytes(None, header=header,
                                                            data=bytes(16))})
    load_fails(path, match)


def test_a_header_longer_than_numpys_limit_gets_no_pickle_advice(tmp_path):
    # NumPy refuses headers over 10,000 characters, suggesting allow_pickle=True.
    header = repr({"descr": "<f8", "fortran_order": False, "shape": (1,) * 4001}).encode()
    path = npz_with(tmp_path / "long-header.npz", {"w.npy": npy_bytes(None, header=header,
                                                                      data=bytes(8))})
    load_fails(path, r"member 'w' .*declares 4001 dimensions")


def test_short_npy_magic(tmp_path):
    path = npz_with(tmp_path / "m.npz", {"w.npy": b"\x93NU"})
    load_fails(path, r"member 'w' .*truncated: the \.npy magic string needs 8 bytes")


def test_member_that_is_not_npy(tmp_path):
    path = npz_with(tmp_path / "m.npz", {"w.npy": b"PK\x03\x04 definitely not numpy"})
    load_fails(path, r"member 'w' .*not a \.npy array")


def test_corrupted_data_fails_its_checksum(tmp_path):
    path = good_file(tmp_path)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.infolist()[0]
    at = info.header_offset + 30 + len(info.filename) + len(info.extra) + 200
    raw[at] ^= 0xFF
    path.write_bytes(bytes(raw))
    load_fails(path, r"member 'layers.0.weight' .*damaged data.*CRC")


def test_file_objects_are_left_open_and_named(tmp_path):
    buf = io.BytesIO(b"PK\x03\x04 truncated")
    with pytest.raises(ValueError, match=r"<BytesIO>: damaged or truncated"):
        nn.load(buf)
    assert not buf.closed
    with open(good_file(tmp_path), "rb") as f:
        nn.load(f)
        assert not f.closed
    with open(tmp_path / "junk", "wb") as f:
        f.write(b"junk")
    with open(tmp_path / "junk", "rb") as f:
        with pytest.raises(ValueError, match="junk"):
            nn.load(f)


def test_good_files_still_load(tmp_path):
    model = nn.MLP([3, 16, 2], norm="batch", seed=0)
    sd = nn.load(good_file(tmp_path))
    for k, v in model.state_dict().items():
        assert sd[k].tobytes() == v.tobytes() and sd[k].dtype == v.dtype
        assert sd[k].flags.writeable
    # what np.savez / np.savez_compressed write is read too
    np.savez(tmp_path / "a.npz", x=np.arange(3), y=np.ones((2, 2), np.float32))
    np.savez_compressed(tmp_path / "b.npz", x=np.arange(3), y=np.ones((2, 2), np.float32))
    for name in ("a.npz", "b.npz"):
        out = nn.load(tmp_path / name)
        assert list(out) == ["x", "y"] and out["y"].dtype == np.float32
        np.testing.assert_array_equal(out["x"], np.arange(3))


def test_a_file_open_in_text_mode_is_named_and_explained(tmp_path):
    with pytest.raises(ValueError, match=r"<StringIO>: is open in text mode; open it in "
                                         r"binary mode \('rb'\)"):
        nn.load(io.StringIO("PK\x03\x04 an archive read as text"))
