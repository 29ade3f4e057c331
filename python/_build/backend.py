"""A PEP 517 (and PEP 660) build backend for a pure-Python package, with
the standard library only: it zips shmkit/ into a py3-none-any wheel.

pip calls it for `pip install ./python` (and `pip install -e ./python`);
nothing needs downloading first, which an isolated build of setuptools
would.
"""

import base64
import hashlib
import os
import re
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _project():
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    project = text.split("[project]", 1)[1].split("\n[", 1)[0]

    def field(k):
        return re.search(r'^%s\s*=\s*"([^"]*)"' % k, project, re.M).group(1)

    return field("name"), field("version"), field("description"), field("requires-python")


def _metadata():
    name, version, summary, requires = _project()
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    return name, version, (
        "Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\nRequires-Python: %s\n"
        "Provides-Extra: numpy\nRequires-Dist: numpy; extra == \"numpy\"\n"
        "Description-Content-Type: text/markdown\n\n%s" % (name, version, summary, requires, readme)
    )


def _files():
    for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, "shmkit")):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for fn in sorted(filenames):
            if fn.endswith(".py"):
                full = os.path.join(dirpath, fn)
                yield full, os.path.relpath(full, ROOT).replace(os.sep, "/")


def _wheel(directory, entries):
    """Writes a wheel of entries [(archive name, bytes)] and returns its name."""
    name, version, meta = _metadata()
    info = "%s-%s.dist-info" % (name, version)
    entries = list(entries) + [
        (info + "/METADATA", meta.encode()),
        (info + "/WHEEL", b"Wheel-Version: 1.0\nGenerator: shmkit-build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
    ]
    record = []
    for arc, data in entries:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (arc, digest, len(data)))
    record.append(info + "/RECORD,,")
    entries.append((info + "/RECORD", ("\n".join(record) + "\n").encode()))
    filename = "%s-%s-py3-none-any.whl" % (name, version)
    with zipfile.ZipFile(os.path.join(directory, filename), "w", zipfile.ZIP_DEFLATED) as z:
        for arc, data in entries:
            z.writestr(zipfile.ZipInfo(arc, date_time=(2020, 1, 1, 0, 0, 0)), data)
    return filename


def get_requires_for_build_wheel(config_settings=None):
    return []


get_requires_for_build_sdist = get_requires_for_build_editable = get_requires_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    entries = []
    for full, arc in _files():
        with open(full, "rb") as f:
            entries.append((arc, f.read()))
    return _wheel(wheel_directory, entries)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # A .pth file that puts the checkout on sys.path (PEP 660's simplest form).
    return _wheel(wheel_directory, [("shmkit-editable.pth", (ROOT + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    name, version, _ = _metadata()
    base = "%s-%s" % (name, version)
    filename = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as t:
        for rel in ["pyproject.toml", "README.md", "_build/backend.py"]:
            t.add(os.path.join(ROOT, rel), base + "/" + rel)
        for full, arc in _files():
            t.add(full, base + "/" + arc)
    return filename
