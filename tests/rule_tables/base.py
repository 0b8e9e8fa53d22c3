"""The rule table of the first fad.numpy: the core's elementwise, reduction, shape and indexing rules.

Each entry maps a public name (``name`` or ``name:variant``) to a Hypothesis strategy of
``(function, args)``; the function may wrap the public one to fix keyword arguments.
"""


import fad.numpy as np
from fad.testing import strategies as fst

from .common import (
    apart,
    arrays_of_traced_scalars,
    astypes,
    binary,
    broadcasts,
    indexings,
    joins,
    matmuls,
    reductions,
    reshapes,
    transposes,
    unary,
    wheres,
)

TABLE = {
    # elementwise, unary
    "negative": unary(np.negative),
    "exp": unary(np.exp, lo=-4.0, hi=4.0),
    "log": unary(np.log, lo=0.0, open_lo=True),
    "sin": unary(np.sin),
    "cos": unary(np.cos),
    "tanh": unary(np.tanh, lo=-3.0, hi=3.0),
    "sqrt": unary(np.sqrt, lo=0.0, open_lo=True, min_distance=0.2),
    "absolute": unary(np.absolute, avoid=(0.0,)),
    # binary, broadcasting
    "add": binary(np.add),
    "subtract": binary(np.subtract),
    "multiply": binary(np.multiply),
    "divide": binary(np.divide, lo2=0.5, hi2=3.0),
    "power": binary(np.power, lo=0.5, hi=2.0, lo2=-2.0, hi2=2.0),
    "power:integer-exponent": unary(lambda x: x**3, lo=-2.0, hi=2.0),
    "maximum": apart(np.maximum),
    "minimum": apart(np.minimum),
    # reductions and broadcasting
    "sum": reductions(np.sum),
    "mean": reductions(np.mean),
    "broadcast_to": broadcasts(),
    # shape
    "reshape": reshapes(),
    "transpose": transposes(),
    "swapaxes": fst.arrays(fst.shapes(min_dims=2)).map(lambda x: (lambda x: np.swapaxes(x, 0, -1), (x,))),
    "expand_dims": fst.arrays().map(lambda x: (lambda x: np.expand_dims(x, 0), (x,))),
    "ravel": fst.arrays().map(lambda x: (np.ravel, (x,))),
    "astype": astypes(),
    # products
    "matmul": matmuls(),
    "dot": matmuls(np.dot),
    # indexing and selection
    "getitem": indexings(),
    "where": wheres(),
    # construction
    "concatenate": joins(np.concatenate),
    "stack": joins(np.stack),
    "array": arrays_of_traced_scalars(),
    "asarray": arrays_of_traced_scalars(np.asarray),
}
