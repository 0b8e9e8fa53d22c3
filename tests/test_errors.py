"""Every row of API.md's error table: the right exception, naming what went wrong."""

import sys

import numpy
import pytest

import fad
import fad.numpy as np


def test_grad_of_non_scalar_output():
    with pytest.raises(TypeError, match=r"shape \(3,\).*jacobian.*elementwise_grad.*sum"):
        fad.grad(lambda x: x * 2)(numpy.ones(3))
    with pytest.raises(TypeError, match="scalar"):
        fad.value_and_grad(lambda x: (x, x))(1.0)


@pytest.mark.parametrize("x", [1, True, numpy.arange(3), numpy.array([True, False]), numpy.int32(2)])
def test_integer_or_bool_input_to_grad(x):
    with pytest.raises(TypeError, match=r"dtype (int|bool).*float"):
        fad.grad(lambda x: np.sum(x * 1.0))(x)


def test_complex_output_to_grad():
    with pytest.raises(TypeError, match="real"):
        fad.grad(lambda x: x * 1j)(1.0)


def test_no_derivative_rule_names_the_function():
    # functions NumPy has and fad gives no rule: a ufunc, a ufunc method, a function
    with pytest.raises(NotImplementedError, match="numpy.spacing"):
        fad.grad(lambda x: numpy.sum(numpy.spacing(x)))(numpy.ones(3))
    with pytest.raises(NotImplementedError, match="numpy.add.reduceat"):
        fad.grad(lambda x: numpy.sum(numpy.add.reduceat(x, [0, 2])))(numpy.ones(3))
    with pytest.raises(NotImplementedError, match="numpy.ediff1d"):
        fad.grad(lambda x: numpy.sum(numpy.ediff1d(x)))(numpy.ones(3))
    with pytest.raises(NotImplementedError, match="numpy.ediff1d"):
        fad.grad(lambda x: np.sum(np.ediff1d(x)))(numpy.ones(3))


def test_item_assignment_and_in_place_operators():
    # An in-place operator rebinds the name to a new traced value, as in autograd and JAX.
    def in_place(x):
        y = x
        x += 1.0
        x *= x
        x -= numpy.arange(3.0)
        x /= 2.0
        x **= 2.0
        x @= numpy.eye(3)
        acc = 0.0
        acc += np.sum(x)
        acc += np.sum(y)  # y still names the input: the traced value was not changed
        return acc

    def reference(x):
        x = (x + 1.0) * (x + 1.0) - numpy.arange(3.0)
        x = ((x / 2.0) ** 2.0) @ numpy.eye(3)
        return np.sum(x)

    x = numpy.array([0.5, -1.0, 2.0])
    expected = fad.grad(reference)(x) + 1.0
    numpy.testing.assert_allclose(fad.grad(in_place)(x), expected)
    assert numpy.array_equal(x, [0.5, -1.0, 2.0])  # the caller's array is untouched

    def scalars(s):
        s += 2.0
        s *= s
        return s

    assert fad.value_and_grad(scalars)(1.0) == (9.0, 6.0)

    def assign(x):
        x[0] = 1.0
        return np.sum(x)

    def delete(x):
        del x[0]
        return np.sum(x)

    def into_numpy_array(x):
        a = numpy.zeros(3)
        a += x
        return np.sum(a)

    for f in (assign, delete):
        with pytest.raises(TypeError, match=r"immutable.*x\.at\[i\]\.set\(v\)"):
            fad.grad(f)(numpy.ones(3))
    with pytest.raises(TypeError, match="out="):
        fad.grad(into_numpy_array)(numpy.ones(3))


def test_leaked_traced_value():
    leaked = []
    fad.grad(lambda x: leaked.append(x) or x * x)(2.0)
    with pytest.raises(TypeError, match="already returned.*leaked"):
        np.sin(leaked[0])
    with pytest.raises(TypeError, match="already returned"):
        leaked[0] * 2.0
    with pytest.raises(TypeError, match="lose its derivative"):
        float(leaked[0])
    # mixing a leaked value with a running transform's values is caught too
    with pytest.raises(TypeError, match="already returned"):
        fad.grad(lambda y: y * leaked[0])(1.0)


@pytest.mark.parametrize(
    "convert", [float, int, complex, numpy.asarray, numpy.array, lambda x: numpy.float64(x)], ids=repr
)
def test_conversion_inside_a_trace(convert):
    with pytest.raises(TypeError, match="lose its derivative"):
        fad.grad(lambda x: convert(x) * 2.0)(1.5)


def test_jvp_structure_and_shape_mismatch():
    with pytest.raises(TypeError, match="tuple"):
        fad.jvp(np.sin)(1.0, 1.0)
    with pytest.raises(TypeError, match="1 primals but 2 tangents"):
        fad.jvp(np.sin)((1.0,), (1.0, 2.0))
    with pytest.raises(TypeError, match="structure"):
        fad.jvp(lambda p: p[0])(((1.0, 2.0),), ([1.0],))
    with pytest.raises(ValueError, match=r"shape \(2,\).*shape \(3,\)"):
        fad.jvp(np.sin)((numpy.ones(3),), (numpy.ones(2),))


@pytest.mark.parametrize("argnums", ["0", 1.0, (), (0, 0), [0]])
def test_bad_argnums_type(argnums):
    with pytest.raises((TypeError, ValueError), match="argnums"):
        fad.grad(lambda x: x, argnums=argnums)(1.0)


def test_argnums_out_of_range():
    with pytest.raises(ValueError, match="argnums 2 is out of range"):
        fad.grad(lambda x, y: x * y, argnums=2)(1.0, 2.0)


def test_not_a_function():
    with pytest.raises(TypeError, match="fad.grad: expected a function"):
        fad.grad(3.0)


def test_non_numeric_input():
    with pytest.raises(TypeError, match="fad.grad: cannot differentiate with respect to a str"):
        fad.grad(lambda s: 1.0)("x")


def test_has_aux_needs_a_pair():
    with pytest.raises(TypeError, match="has_aux"):
        fad.grad(lambda x: x, has_aux=True)(1.0)


def test_cotangent_shape_mismatch():
    _, back = fad.pullback(lambda x: x * 2, numpy.ones(3))
    with pytest.raises(ValueError, match="cotangent of shape"):
        back(numpy.ones(2))


def test_primitive_arguments_checked():
    with pytest.raises(TypeError, match="fwd must be callable"):
        fad.primitive(1.0, lambda y, ybar, x: (ybar,))
    with pytest.raises(TypeError, match="vjp must be a callable"):
        fad.primitive(numpy.sin, "cos")


def test_unknown_method_on_traced_array():
    with pytest.raises(AttributeError, match="frobnicate"):
        fad.grad(lambda x: x.frobnicate(0.0))(numpy.ones(2))


def test_ndarray_methods_that_would_drop_the_derivative_explain():
    with pytest.raises(TypeError, match="immutable.*full_like"):
        fad.grad(lambda x: x.fill(0.0))(numpy.ones(2))
    for method in ("item", "tolist"):
        with pytest.raises(TypeError, match=rf"x.{method}\(\).*lose its derivative"):
            fad.grad(lambda x, method=method: getattr(x, method)())(numpy.ones(1))
    assert fad.grad(lambda x: np.sum(x.copy() * x))(numpy.ones(2)).tolist() == [2.0, 2.0]


def test_a_rule_with_a_wrongly_shaped_cotangent_is_an_error_not_a_reshape():
    # the rule forgets to sum over the broadcast axis: its cotangent has the output's shape
    bad = fad.primitive(numpy.multiply, lambda y, ybar, x1, x2: (ybar * x2, ybar * x1), name="bad_multiply")
    with pytest.raises(ValueError, match=r"cotangent of shape \(3,\) for an input of shape \(\)"):
        fad.grad(lambda a: np.sum(bad(a, numpy.ones(3))))(2.0)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes came with Python 3.11")
def test_an_error_inside_a_rule_names_the_rule():
    # A custom rule with a shape bug: NumPy's own error, with a note naming the primitive.
    bad = fad.primitive(lambda x: x * 2.0, lambda y, ybar, x: (numpy.ones((3, 4)) @ ybar,), name="doubled")
    with pytest.raises(ValueError) as raised:
        fad.grad(lambda x: np.sum(bad(x)))(numpy.ones(2))
    assert "fad: raised by the VJP of the primitive 'doubled'" in getattr(raised.value, "__notes__", [])
