#!/usr/bin/env python3
"""Makes the bundled stratified subset of Fashion-MNIST from the Debian package dataset-fashion-mnist.

Takes, in file order, the first N_TRAIN/10 images of each class from the training set and the first
N_TEST/10 of each class from the test set, and writes them as gzip IDX files (same format as the
originals). Deterministic: rerunning gives byte-identical files (gzip mtime fixed to 0).

    python3 experiments/data/make_subset.py [SRC_DIR] [OUT_DIR]
"""
import gzip
import struct
import sys
from pathlib import Path

SRC = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist")
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else Path(__file__).parent / "fashion-mnist-subset")
N_TRAIN, N_TEST = 10_000, 2_000


def read(prefix):
    with gzip.open(SRC / f"{prefix}-images-idx3-ubyte.gz") as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        assert magic == 2051, magic
        images = f.read(n * rows * cols)
    with gzip.open(SRC / f"{prefix}-labels-idx1-ubyte.gz") as f:
        magic, m = struct.unpack(">II", f.read(8))
        assert magic == 2049 and m == n, (magic, m, n)
        labels = f.read(n)
    return images, labels, rows, cols


def subset(prefix, out_prefix, total):
    images, labels, rows, cols = read(prefix)
    per_class, size = total // 10, rows * cols
    taken, counts = [], [0] * 10
    for i, label in enumerate(labels):
        if counts[label] < per_class:
            counts[label] += 1
            taken.append(i)
    OUT.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(OUT / f"{out_prefix}-images-idx3-ubyte.gz", "wb", mtime=0) as f:
        f.write(struct.pack(">IIII", 2051, len(taken), rows, cols))
        for i in taken:
            f.write(images[i * size:(i + 1) * size])
    with gzip.GzipFile(OUT / f"{out_prefix}-labels-idx1-ubyte.gz", "wb", mtime=0) as f:
        f.write(struct.pack(">II", 2049, len(taken)))
        f.write(bytes(labels[i] for i in taken))
    print(f"{out_prefix}: {len(taken)} samples, per class {counts}")


subset("train", "train", N_TRAIN)
subset("t10k", "t10k", N_TEST)
