#!/usr/bin/env python3
"""Extracts real cameras' DeviceInfo datasets from libgphoto2's debug logs.

libgphoto2's camlibs/ptp2/cameras/ holds debug logs of real bodies; some contain hexdumps of
the USB traffic. A GetDeviceInfo data phase is a container of type 2 (data) with code 0x1001;
its payload (the container without its 12-byte header) is the DeviceInfo dataset the camera
sent. Each distinct one is written to fixtures/deviceinfo/<log name>.bin.

    scripts/extract-deviceinfo-fixtures.py [LIBGPHOTO2_GIT_DIR]

The default repository is the mirror at /work/.mirror/gphoto+libgphoto2/repo.
"""
import hashlib
import os
import re
import subprocess
import sys

REPO = sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror/gphoto+libgphoto2/repo"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "deviceinfo")
# "0000  0c 00 00 00 01 00 01 10-01 00 00 00    ......" or, in logs with numbered lines and the
# ASCII column on the next line, "   339. 0000  93 01 00 00 02 00 01 10-0f 00 00 00 64 00 06 00".
HEX_LINE = re.compile(r"^(?:\s*\d+\.\s+)?([0-9a-f]{4})  ((?:[0-9a-f]{2}(?:[ -]|$)){1,16})")


README_HEAD = """\
# DeviceInfo fixtures

Bytes real cameras sent in answer to GetDeviceInfo (ISO 15740:2013 §5.5.1). They are facts
(what a camera put on the wire), not code: each was taken from a USB hexdump in one of
libgphoto2's debug logs in `camlibs/ptp2/cameras/` (https://github.com/gphoto/libgphoto2,
commit `{commit}`). Each file is the payload of the GetDeviceInfo data container (type 2,
code 0x1001) without its 12-byte header; identical payloads are kept once.

| fixture | libgphoto2 file | bytes |
|---|---|---|
"""

README_TAIL = """
`crates/ptp-types/tests/fixtures.rs` decodes every `*.bin` here, re-encodes it byte for byte
and checks that every truncation is an error.

To regenerate (rewrites every `*.bin` and this file):

    git clone --bare https://github.com/gphoto/libgphoto2 /tmp/libgphoto2.git
    scripts/extract-deviceinfo-fixtures.py /tmp/libgphoto2.git
"""


def git(*args):
    return subprocess.run(["git", "-C", REPO, *args], check=True, capture_output=True).stdout


def hexdumps(text):
    """Yields the byte strings of the hexdump blocks (each starts at offset 0000).

    Lines that are not hexdump lines (log lines, ASCII columns on their own line) are skipped;
    a line at offset 0000 starts a new block, one at any other unexpected offset ends it.
    """
    block, expect = bytearray(), 0
    for line in text.splitlines():
        m = HEX_LINE.match(line)
        if not m:
            continue
        offset = int(m.group(1), 16)
        row = bytes.fromhex(m.group(2).replace("-", " "))
        if block and offset == expect:
            block += row
            expect += 16
            continue
        if block:
            yield bytes(block)
        block, expect = bytearray(), 0
        if offset == 0:
            block, expect = bytearray(row), 16
    if block:
        yield bytes(block)


def device_infos(text):
    blocks = list(hexdumps(text))
    for i, b in enumerate(blocks):
        if len(b) < 12 or b[4:8] != b"\x02\x00\x01\x10":
            continue
        total = int.from_bytes(b[:4], "little")
        data = bytearray(b)
        j = i + 1
        while len(data) < total and j < len(blocks):
            data += blocks[j]
            j += 1
        if len(data) >= total > 12:
            yield bytes(data[12:total])


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.endswith(".bin") or old == "SOURCES.md":
            os.remove(os.path.join(OUT, old))
    commit = git("rev-parse", "HEAD").decode().strip()
    names = git("ls-tree", "--name-only", "HEAD", "camlibs/ptp2/cameras/").decode().split()
    seen, written = set(), []
    for path in sorted(names):
        text = git("show", f"HEAD:{path}").decode("utf-8", "replace")
        for payload in device_infos(text):
            digest = hashlib.sha256(payload).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            base = os.path.splitext(os.path.basename(path))[0]
            name = base if not any(w[0] == base for w in written) else f"{base}-{len(written)}"
            with open(os.path.join(OUT, name + ".bin"), "wb") as f:
                f.write(payload)
            written.append((name, path, len(payload)))
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write(README_HEAD.format(commit=commit))
        for name, path, size in written:
            f.write(f"| `{name}.bin` | `{path}` | {size} |\n")
        f.write(README_TAIL)
    for name, path, size in written:
        print(f"{name}.bin  {size:6} bytes  from {path}")


main()
