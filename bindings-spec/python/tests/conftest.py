# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures shared by the Python binding tests."""
import pytest

import dtb


@pytest.fixture
def lists():
    """Run a test with plain lists instead of NumPy arrays."""
    previous = dtb.use_numpy(False)
    yield
    dtb.use_numpy(previous)
