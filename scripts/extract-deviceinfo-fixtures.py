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
HEX_LINE = re.compile(r"^([0-9a-f]{4})  ((?:[0-9a-f]{2}[ -]){1,16})")


def git(*args):
    return subprocess.run(["git", "-C", REPO, *args], check=True, capture_output=True).stdout


def hexdumps(text):
    """Yields the byte strings of consecutive hexdump blocks."""
    block, expect = bytearray(), 0
    for line in text.splitlines():
        m = HEX_LINE.match(line)
        if m and int(m.group(1), 16) == expect:
            block += bytes.fromhex(m.group(2).replace("-", " "))
            expect += 16
            continue
        if block:
            yield bytes(block)
        block, expect = bytearray(), 0
        if m and int(m.group(1), 16) == 0:
            block += bytes.fromhex(m.group(2).replace("-", " "))
            expect = 16
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
    with open(os.path.join(OUT, "SOURCES.md"), "w") as f:
        f.write("# DeviceInfo fixtures\n\n")
        f.write("Bytes real cameras sent in answer to GetDeviceInfo (ISO 15740:2013 §5.5.1), taken from\n")
        f.write(f"the hexdumps in libgphoto2's debug logs (`camlibs/ptp2/cameras/`, commit `{commit}`)\n")
        f.write("by `scripts/extract-deviceinfo-fixtures.py`. Each file is the dataset without the\n")
        f.write("12-byte container header. These are facts (what a camera sent), not code.\n\n")
        f.write("| fixture | log | bytes |\n|---|---|---|\n")
        for name, path, size in written:
            f.write(f"| {name}.bin | {path} | {size} |\n")
    for name, path, size in written:
        print(f"{name}.bin  {size:6} bytes  from {path}")


main()
