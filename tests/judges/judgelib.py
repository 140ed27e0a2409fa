# SPDX-License-Identifier: Apache-2.0
"""Shared helpers of the judge tests: run rescope, find test data, compare values exactly.

Each judge test is a script that lets a real framework write a checkpoint, runs rescope on it,
and lets the framework restore the result. It exits 0 when every check passed, 1 with the
failed checks listed, and 77 (skip) only outside CI when a data folder it needs is absent.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

RESCOPE = os.environ["RESCOPE"]
SOURCE_DIR = os.environ["RESCOPE_SOURCE_DIR"]
REAL_DIR = os.environ["RESCOPE_TESTDATA_DIR"]
TORCH_DIR = os.environ["RESCOPE_TORCH_TESTDATA_DIR"]
REQUIRED = os.environ.get("RESCOPE_JUDGES_REQUIRED") == "1"

_failures = []


def run(*args, expect=0, input_text=None):
    """Runs rescope with `args`; checks the exit code; returns (stdout, stderr)."""
    proc = subprocess.run([RESCOPE, *map(str, args)], capture_output=True, text=True,
                          input=input_text)
    if expect is not None and proc.returncode != expect:
        raise AssertionError(
            f"rescope {' '.join(map(str, args))}: exit {proc.returncode}, expected {expect}\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc.stdout, proc.stderr


def scratch(name):
    """A fresh directory under the test's TMPDIR (removed by run_judge.sh)."""
    return tempfile.mkdtemp(prefix=name + "-")


def data(*parts):
    """A path under the real-data folder; skips (or fails in CI) when the folder is absent."""
    path = os.path.join(REAL_DIR, *parts)
    if not os.path.exists(path):
        if REQUIRED:
            raise AssertionError(f"test data {path} not found (required in CI)")
        print(f"skipped: test data {path} not found")
        sys.exit(77)
    return path


def check(condition, message):
    """Records a failed check and goes on, so one run reports every difference."""
    if not condition:
        _failures.append(message)
        print("FAIL:", message)
    return condition


def same_array(name, expected, actual):
    """Exact equality: dtype, shape and every byte (NaN compares equal to itself by bits)."""
    expected = np.asarray(expected)
    actual = np.asarray(actual)
    if not check(expected.dtype == actual.dtype,
                 f"{name}: dtype {actual.dtype}, expected {expected.dtype}"):
        return False
    if not check(expected.shape == actual.shape,
                 f"{name}: shape {actual.shape}, expected {expected.shape}"):
        return False
    if expected.dtype == object:
        return check(list(expected.ravel()) == list(actual.ravel()), f"{name}: values differ")
    same = np.ascontiguousarray(expected).tobytes() == np.ascontiguousarray(actual).tobytes()
    if not same:
        diff = np.flatnonzero(expected.ravel() != actual.ravel())
        check(False, f"{name}: {diff.size} of {expected.size} elements differ "
                     f"(first at flat index {diff[:1].tolist()})")
    return same


def same_dict(what, expected, actual):
    """Equal key sets and exactly equal arrays for every key."""
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    check(not missing, f"{what}: missing {missing[:10]}")
    check(not extra, f"{what}: unexpected {extra[:10]}")
    for key in sorted(set(expected) & set(actual)):
        same_array(f"{what}: {key}", expected[key], actual[key])


def finish():
    """Exits 1 when a check failed, 0 otherwise; call at the end of every judge test."""
    if _failures:
        print(f"{len(_failures)} check(s) failed")
        sys.exit(1)
    print("all checks passed")
    sys.exit(0)
