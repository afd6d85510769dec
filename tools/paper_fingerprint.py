"""Write the fingerprint of the paper's 8-word runs that tests/test_paper_overlap.py checks.

The book's rule: no run of eight or more consecutive words of its prose may match the paper. The
test needs the paper to check that, but the repository must not hold the paper's text, so this
script reads a local copy of the paper's LaTeX and writes only salted, truncated hashes of its
8-word shingles, one per line, sorted, to ``tests/data/paper_8gram_fingerprint.txt``. The words
are normalised by ``tests/prose_text.py``, the module the test normalises the book with.

The source is ``mesa_optimization.tex`` of the public repository evhub/mesa-optimization at the
commit in ``COMMIT``. Fetch that file, then::

    python tools/paper_fingerprint.py path/to/mesa_optimization.tex

The hashes cannot be read back, and one shingle cannot be recovered from its hash short of
guessing all eight of its words. Like any check that runs offline, though, the file does answer
"is this run of eight words in the paper?", so someone who already holds seven consecutive words of
the paper could extend them by trying word after word. The paper is public (arXiv:1906.01820):
what the file keeps out of the repository is its text, not a secret.

Run it again after a change to the normalisation of the paper's words (``prose_text.py``, which
then bumps ``NORMALISATION``). It keeps the salt of the existing fingerprint unless ``--salt`` is
given, so the same paper and rules give the same file.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import prose_text  # noqa: E402 - the test package's module, found through the path above

REPOSITORY = "evhub/mesa-optimization"
PATH = "mesa_optimization.tex"
COMMIT = "00198460396c370afa40059d792023653289fbbe"
SOURCE_SHA256 = "dea380ffe6d8f0b8153793cffb47a0d05eedcf119661c93ae31fcb5463a4e3a7"
OUTPUT = ROOT / "tests" / "data" / "paper_8gram_fingerprint.txt"


def header_fields(path: Path) -> dict[str, str]:
    """The ``key=value`` fields of a fingerprint's header (its lines that start with ``#``)."""
    fields: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        fields.update(re.findall(r"(\w+)=(\S+)", line))
    return fields


def write_fingerprint(source: Path, output: Path, salt: str) -> int:
    """Fingerprint the LaTeX at ``source`` into ``output``; the number of hashes written."""
    raw = source.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    commit = COMMIT if digest == SOURCE_SHA256 else "unknown"
    hashes = prose_text.fingerprint(prose_text.latex_segments(raw.decode("utf-8")), salt)
    header = [
        f"# Salted hashes of every distinct {prose_text.SHINGLE_WORDS}-word run of the paper "
        "(Hubinger et al. 2019, arXiv:1906.01820), for tests/test_paper_overlap.py; no text.",
        f"# source: repository={REPOSITORY} path={PATH} commit={commit} sha256={digest}",
        f"# hash=sha256(salt+shingle)[:{prose_text.HASH_CHARS}] salt={salt} "
        f"words={prose_text.SHINGLE_WORDS} normalisation={prose_text.NORMALISATION} "
        f"hashes={len(hashes)}",
        f"# regenerate: python tools/paper_fingerprint.py path/to/{PATH} (see its docstring)",
    ]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(header + hashes) + "\n")
    return len(hashes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help=f"a local copy of {PATH} at commit {COMMIT}")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="default: %(default)s")
    parser.add_argument("--salt", help="default: the existing fingerprint's, else a new one")
    args = parser.parse_args(argv)
    salt = args.salt
    if salt is None and args.output.exists():
        salt = header_fields(args.output).get("salt")
    salt = salt or secrets.token_hex(8)
    if hashlib.sha256(args.source.read_bytes()).hexdigest() != SOURCE_SHA256:
        print(f"warning: {args.source} is not {PATH} at commit {COMMIT}", file=sys.stderr)
    count = write_fingerprint(args.source, args.output, salt)
    print(f"wrote {count} hashes to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
