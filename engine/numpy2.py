"""Name the NumPy 2 removals behind a runtime error, with what to write instead.

Code written for NumPy 1 (course notebooks, older answers) often fails under NumPy 2 with an error that says only
what is missing. :func:`explain` reads the text of an exception raised by a submission and, when it is one of these
removals, returns one sentence naming the old spelling and its replacement; otherwise None.
"""

from __future__ import annotations

import re

# Attributes of the numpy module that NumPy 2 (or 1.24 for the builtin aliases) no longer has -> the replacement.
_REMOVED_ATTRIBUTES: dict[str, str] = {
    "float": "float (or np.float64)",
    "int": "int (or np.int64)",
    "object": "object",
    "str": "str",
    "complex": "complex (or np.complex128)",
    "float_": "np.float64",
    "complex_": "np.complex128",
    "unicode_": "np.str_",
    "string_": "np.bytes_",
    "NaN": "np.nan",
    "NAN": "np.nan",
    "Inf": "np.inf",
    "Infinity": "np.inf",
    "infty": "np.inf",
    "PINF": "np.inf",
    "NINF": "-np.inf",
    "product": "np.prod",
    "cumproduct": "np.cumprod",
    "sometrue": "np.any",
    "alltrue": "np.all",
    "round_": "np.round",
    "asfarray": "np.asarray(x, dtype=np.float64)",
    "in1d": "np.isin",
    "trapz": "np.trapezoid",
    "msort": "np.sort(x, axis=0)",
    "mat": "np.asmatrix (or better, a plain array with @)",
    "row_stack": "np.vstack",
}

# Methods of ndarray that NumPy 2 removed -> the replacement.
_REMOVED_METHODS: dict[str, str] = {
    "ptp": "np.ptp(x) (or x.max() - x.min())",
    "itemset": "x[index] = value",
    "newbyteorder": "x.view(x.dtype.newbyteorder())",
}

_MODULE_ATTRIBUTE = re.compile(r"module 'numpy' has no attribute '(\w+)'|`np\.(\w+)` was removed")
_ARRAY_METHOD = re.compile(r"'numpy\.ndarray' object has no attribute '(\w+)'")
_SCALAR_CONVERSION = "only 0-dimensional arrays can be converted to Python scalars"
_RESHAPE_NEWSHAPE = re.compile(r"reshape\(\) got an unexpected keyword argument 'newshape'")


def explain(error: str) -> str | None:
    """One sentence naming the NumPy 2 removal that ``error`` (an exception's text) shows, or None."""
    match = _MODULE_ATTRIBUTE.search(error)
    if match:
        name = match.group(1) or match.group(2)
        replacement = _REMOVED_ATTRIBUTES.get(name)
        if replacement:
            return f"np.{name} no longer exists in NumPy 2: use {replacement}"
        return None
    match = _ARRAY_METHOD.search(error)
    if match and match.group(1) in _REMOVED_METHODS:
        name = match.group(1)
        return f"the array method .{name}() was removed in NumPy 2: use {_REMOVED_METHODS[name]}"
    if _SCALAR_CONVERSION in error:
        return (
            "int() or float() of an array with one element but ndim > 0 fails in NumPy 2: take the element with"
            " .item() (or index it, e.g. x[0]) before converting"
        )
    if _RESHAPE_NEWSHAPE.search(error):
        return "np.reshape no longer takes newshape= in NumPy 2: pass the shape positionally, np.reshape(x, shape)"
    return None
