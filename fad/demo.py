"""What ``python -m fad`` shows: small demonstrations of fad, each checked as it runs.

The note's sigmoid neuron as the tape of elementary operations that differentiation
records, and the backward fold over that tape written out; the derivatives of tanh by
nested :func:`fad.grad` beside their closed forms; a network of sigmoid neurons
trained by gradient descent, with fad's gradient beside the hand-derived backprop of
the note's exercise; and nested transforms that must not confuse their perturbations.

Every ``show_*`` function prints its demonstration and returns whether its check
passed, so that ``python -m fad`` exits non-zero when a number is wrong. The same
functions are the code of the documentation pages "From the note to the code" and
"Backpropagation by hand vs fad".

>>> print(fad.tape(sigmoid_neuron)(0.5, 2.0, 0.1))
t1 = multiply(w, a)
t2 = add(t1, b)
t3 = negative(t2)
t4 = exp(t3)
t5 = add(1, t4)
t6 = divide(1, t5)
output: t6

See Also: fad.tape, fad.grad, fad.__main__
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

import numpy

import fad
import fad.numpy as np

__all__ = [
    "sigmoid",
    "sigmoid_neuron",
    "cotangents",
    "fixed",
    "tanh_closed_forms",
    "TANH_CLOSED_FORMS",
    "tanh_derivatives",
    "make_data",
    "init_network",
    "feedforward",
    "cost",
    "backprop",
    "Epoch",
    "train",
    "largest_difference",
    "show_sigmoid_tape",
    "show_tanh_derivatives",
    "show_training",
    "show_nesting",
    "squared_error",
    "fit_ridge",
    "TAPE_COLOURS",
    "draw_tape",
]

# A network: one (W, b) pair per layer, W of shape (outputs, inputs) and b of shape (outputs,).
Network = list[tuple[Any, Any]]


# --------------------------------------------------------------------------------------
# The note's sigmoid neuron, its tape, and the backward fold over it
# --------------------------------------------------------------------------------------


def sigmoid(z: Any) -> Any:
    """The logistic function ``sigma(z) = 1 / (1 + exp(-z))``, written with fad.numpy."""
    return 1 / (1 + np.exp(-z))


def sigmoid_neuron(w: Any, a: Any, b: Any) -> Any:
    """The note's neuron ``a' = sigma(w a + b)``.

    >>> float(sigmoid_neuron(0.0, 1.0, 0.0))
    0.5
    """
    return sigmoid(w * a + b)


def cotangents(tape: fad.Tape, ybar: Any = 1.0) -> list[tuple[str, Any]]:
    """Every node's cotangent, by the backward fold over ``tape``, in the order computed.

    This is :func:`fad.core.backward` written out for a tape with one output: walk the
    entries from last to first; an entry's output cotangent is complete when it is reached
    (every use of the node comes later on the tape, so all of them have been folded in);
    apply the primitive's VJP ``j(f)(y, ybar, x)`` with the stored value ``y``; add each
    input's share to that input's cotangent. Each cotangent is computed exactly once.

    >>> [name for name, _ in cotangents(fad.tape(lambda x: x * x)(3.0))]
    ['t1', 'x']
    >>> cotangents(fad.tape(lambda x: x * x)(3.0))[-1][1]
    6.0
    """
    if len(tape.outputs) != 1 or tape.outputs[0] is None:
        raise ValueError("fad.demo.cotangents: the tape must have exactly one traced output")
    names = tape.names()
    ybars = {tape.outputs[0]: ybar}
    done = []
    for entry in reversed(tape.entries):
        if entry.primitive.multiple_results:
            raise ValueError(f"fad.demo.cotangents: {entry.primitive.name} has several outputs; use fad.vjp")
        ybar = ybars.pop(entry.out, None)  # complete: every use of this node came later
        if ybar is None:  # this node does not reach the output
            continue
        done.append((names[entry.out], ybar))
        xbars = entry.primitive.vjp(entry.value, ybar, *entry.inputs, **entry.params)
        for xbar, node in zip(xbars, entry.nodes):
            if node is not None:
                ybars[node] = xbar if node not in ybars else ybars[node] + xbar
    return done + [(names[node], ybars[node]) for node in sorted(ybars)]


def fixed(value: float, width: int = 0, digits: int = 6) -> str:
    """``value`` in fixed point, with no minus sign on a number that rounds to zero.

    ``f"{-1e-17:.6f}"`` is ``'-0.000000'``, which reads as a wrong sign; this is ``'0.000000'``.

    >>> fixed(-1e-17), fixed(-0.0), fixed(-0.25, 8)
    ('0.000000', '0.000000', '-0.250000')

    See Also: show_tanh_derivatives
    """
    rounded = round(float(value), digits) + 0.0  # -0.0 + 0.0 is 0.0
    return f"{rounded:{width}.{digits}f}"


def show_sigmoid_tape(w: float = 0.5, a: float = 2.0, b: float = 0.1) -> bool:
    """Print the neuron's tape and every node's cotangent; check them against fad.grad."""
    tape = fad.tape(sigmoid_neuron)(w, a, b)
    print("The note's sigmoid neuron a' = 1 / (1 + exp(-(w*a + b))) as fad records it,")
    print(f"at w = {w}, a = {a}, b = {b} (fad.tape): one line per elementary operation.")
    print()
    names = tape.names()
    for line, entry in zip(str(tape).splitlines(), tape.entries):
        print(f"    {line:<24} # {names[entry.out]} = {fixed(entry.value)}")
    print()
    print("The backward fold: each node's cotangent, once, from the output back")
    print("(xbar = j(f)(y, ybar, x) of the node's primitive, with the stored value y):")
    print()
    fold = cotangents(tape)
    print("    " + "   ".join(f"{name}bar = {fixed(value)}" for name, value in fold[:3]))
    print("    " + "   ".join(f"{name}bar = {fixed(value)}" for name, value in fold[3:6]))
    print("    " + "   ".join(f"{name}bar = {fixed(value)}" for name, value in fold[6:]))
    want = fad.grad(sigmoid_neuron, argnums=(0, 1, 2))(w, a, b)
    got = dict(fold)
    ok = all(abs(got[name] - x) < 1e-12 for name, x in zip(("w", "a", "b"), want))
    print()
    print(f"fad.grad(sigmoid_neuron, argnums=(0, 1, 2)) gives the same: {'yes' if ok else 'NO'}")
    print()
    print("The same tape as a table (tape.table()): each node's value, cotangent and source line:")
    print()
    print(tape.table())
    print()
    print("And as the straight-line program that differentiation amounts to here (tape.to_source()):")
    print()
    source = tape.to_source()
    print(source)
    namespace: dict = {}
    exec(source, namespace)  # noqa: S102  (fad's own generated program)
    same = all(namespace[f"{name}_bar"] == x for name, x in zip(("w", "a", "b"), want))
    print()
    print(f"Executing it reproduces fad.grad bit for bit: {'yes' if same else 'NO'}")
    return ok and same


# --------------------------------------------------------------------------------------
# Derivatives of tanh by nested grad
# --------------------------------------------------------------------------------------


def tanh_closed_forms(x: float) -> list[float]:
    """tanh and its first four derivatives at ``x``, written out by hand (t = tanh x).

    >>> [round(v, 6) for v in tanh_closed_forms(0.5)]
    [0.462117, 0.786448, -0.726862, -0.565209, 3.95222]
    """
    t = math.tanh(x)
    s = 1 - t * t  # sech^2 x, the first derivative
    return [t, s, -2 * t * s, s * (6 * t * t - 2), 8 * t * s * (2 - 3 * t * t)]


TANH_CLOSED_FORMS = ("t", "1 - t^2", "-2t (1 - t^2)", "(1 - t^2)(6t^2 - 2)", "8t (1 - t^2)(2 - 3t^2)")


def tanh_derivatives(order: int) -> list[Callable[[Any], Any]]:
    """``[tanh, tanh', ..., tanh^(order)]``, each the :func:`fad.grad` of the one before.

    >>> [round(float(d(0.5)), 6) for d in tanh_derivatives(4)]
    [0.462117, 0.786448, -0.726862, -0.565209, 3.95222]
    """
    derivatives: list[Callable[[Any], Any]] = [np.tanh]
    for _ in range(order):
        derivatives.append(fad.grad(derivatives[-1]))
    return derivatives


def show_tanh_derivatives(points: Sequence[float] = (-1.0, 0.0, 0.5, 2.0)) -> bool:
    """Print tanh's derivatives to 4th order by nested fad.grad, checked against the closed forms."""
    derivatives = tanh_derivatives(4)
    got = [[float(d(float(x))) for x in points] for d in derivatives]
    want = list(zip(*(tanh_closed_forms(float(x)) for x in points)))
    print("Derivatives of tanh by nested fad.grad: the 4th is grad(grad(grad(grad(tanh)))).")
    print("The last column is the largest difference from the closed form, written out by hand.")
    print()
    heads = "".join(f"{'x = ' + format(x, '.2f'):>11}" for x in points)
    print(f"  {'order':<6}{'closed form, t = tanh x':<25}{heads}{'difference':>12}")
    worst = 0.0
    for k, (form, row, exact) in enumerate(zip(TANH_CLOSED_FORMS, got, want)):
        difference = max(abs(g - w) for g, w in zip(row, exact))
        worst = max(worst, difference)
        print(f"  {k:<6}{form:<25}" + "".join(fixed(g, 11) for g in row) + f"{difference:>12.1e}")
    print()
    ok = worst < 1e-9
    print(f"largest difference from the closed forms: {worst:.1e} ({'ok' if ok else 'TOO LARGE'})")
    return ok


# --------------------------------------------------------------------------------------
# A network of sigmoid neurons: the note's exercise
# --------------------------------------------------------------------------------------


def make_data(n: int = 256, seed: int = 0) -> tuple[numpy.ndarray, numpy.ndarray]:
    """``n`` points of the square [-1, 1]^2, labelled 1 inside the circle x1^2 + x2^2 < 1/2.

    Returns ``(x, y)``: ``x`` of shape ``(n, 2)`` and ``y`` of shape ``(n, 1)``.

    >>> x, y = make_data(4)
    >>> x.shape, y.shape
    ((4, 2), (4, 1))
    """
    x = numpy.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, 2))
    y = (numpy.sum(x * x, axis=1, keepdims=True) < 0.5).astype(float)
    return x, y


def init_network(sizes: Sequence[int], seed: int = 0) -> Network:
    """Random weights ``W`` of shape ``(outputs, inputs)``, scaled by 1/sqrt(inputs), zero biases.

    >>> [(W.shape, b.shape) for W, b in init_network([2, 3, 1])]
    [((3, 2), (3,)), ((1, 3), (1,))]
    """
    rng = numpy.random.default_rng(seed)
    return [(rng.normal(size=(m, n)) / math.sqrt(n), numpy.zeros(m)) for n, m in zip(sizes[:-1], sizes[1:])]


def feedforward(network: Network, x: Any) -> Any:
    """The activations of the last layer: ``a' = sigma(W a + b)`` layer by layer.

    ``x`` holds one example per row, so ``W a`` is ``a @ W.T`` for all the rows at once.
    """
    a = x
    for W, b in network:
        a = sigmoid(a @ W.T + b)
    return a


def cost(network: Network, x: Any, y: Any) -> Any:
    """The quadratic cost ``C = 1/(2n) sum_i |a_i - y_i|^2`` over the ``n`` examples."""
    a = feedforward(network, x)
    return 0.5 * np.mean(np.sum((a - y) ** 2, axis=1))


def backprop(network: Network, x: numpy.ndarray, y: numpy.ndarray) -> Network:
    """The gradient of :func:`cost`, derived by hand: the note's backpropagation, in NumPy.

    The forward pass stores every layer's activations. The backward pass starts from
    ``abar = dC/da = (a - y) / n`` at the last layer and, layer by layer, goes through the
    sigmoid (``zbar = abar * a * (1 - a)``, since sigma' = sigma (1 - sigma)) and through
    ``z = W a + b``: ``Wbar = outer(zbar, a)`` summed over the examples, ``bbar = zbar``
    summed over the examples, and ``abar = W.T @ zbar`` for the layer below.
    """
    activations = [x]  # the forward pass, storing every layer's output
    for W, b in network:
        activations.append(1 / (1 + numpy.exp(-(activations[-1] @ W.T + b))))
    abar = (activations[-1] - y) / len(x)
    grads = []
    for (W, _), a, a_in in zip(reversed(network), reversed(activations[1:]), reversed(activations[:-1])):
        zbar = abar * a * (1 - a)
        grads.append((zbar.T @ a_in, zbar.sum(axis=0)))
        abar = zbar @ W
    return grads[::-1]


class Epoch(NamedTuple):
    """One epoch of training: its number, the cost and accuracy after it, the network."""

    number: int
    cost: float
    accuracy: float
    network: Network


def train(
    network: Network,
    x: numpy.ndarray,
    y: numpy.ndarray,
    epochs: int = 20,
    batch: int = 8,
    rate: float = 6.0,
    gradient: Callable[..., Network] | None = None,
    seed: int = 4,
) -> Iterator[Epoch]:
    """Stochastic gradient descent on :func:`cost`: one :class:`Epoch` per pass over the data.

    ``gradient(network, x, y)`` gives the gradient of the cost on a mini-batch:
    ``fad.grad(cost)`` by default, or :func:`backprop`. Nothing is modified in place:
    every step makes a new network.
    """
    gradient = fad.grad(cost) if gradient is None else gradient
    rng = numpy.random.default_rng(seed)
    for number in range(1, epochs + 1):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch):
            rows = order[start : start + batch]
            grads = gradient(network, x[rows], y[rows])
            network = [(W - rate * Wbar, b - rate * bbar) for (W, b), (Wbar, bbar) in zip(network, grads)]
        accuracy = float(numpy.mean((feedforward(network, x) > 0.5) == (y > 0.5)))
        yield Epoch(number, float(cost(network, x, y)), accuracy, network)


def largest_difference(grads: Network, other: Network) -> float:
    """The largest difference between two gradients of a network, element by element."""
    return max(float(numpy.max(numpy.abs(g - h))) for pair in zip(grads, other) for g, h in zip(*pair))


def show_training(epochs: int = 20, hidden: int = 12, seed: int = 0) -> bool:
    """Train a 2-``hidden``-1 network with fad.grad, a line per epoch; check fad.grad against backprop."""
    x, y = make_data()
    network = init_network([2, hidden, 1], seed)
    print(f"A network of sigmoid neurons, 2 inputs -> {hidden} -> 1 output, learns which of {len(x)}")
    print("points of [-1, 1]^2 lie inside the circle x1^2 + x2^2 < 1/2, by gradient descent on")
    print("the quadratic cost with fad.grad(cost), mini-batches of 8, learning rate 6.")
    print()
    start = float(cost(network, x, y))
    print(f"  epoch  0   cost {start:.4f}")
    last = Epoch(0, start, float("nan"), network)
    for last in train(network, x, y, epochs):
        print(f"  epoch {last.number:2d}   cost {last.cost:.4f}   accuracy {last.accuracy:6.1%}")
    print()
    print(f"The cost fell from {start:.4f} to {last.cost:.4f}." if last.cost < start else "The cost did not fall.")
    before, after = (largest_difference(fad.grad(cost)(n, x, y), backprop(n, x, y)) for n in (network, last.network))
    ok = max(before, after) < 1e-12
    print(f"fad.grad(cost) and the hand-derived backprop differ by {before:.1e} before training")
    print(f"and by {after:.1e} after it ({'ok' if ok else 'TOO MUCH'}).")
    return ok


# --------------------------------------------------------------------------------------
# Nesting: perturbation confusion, and a Hessian
# --------------------------------------------------------------------------------------


def show_nesting() -> bool:
    """Print nested derivatives that a confused implementation gets wrong; check them."""
    examples = (
        # d/dx [x * d/dy (x + y)] = d/dx [x * 1] = 1; confusing the two perturbations gives 2.
        (
            "grad(lambda x: x * grad(lambda y: x + y)(1.0))(1.0)",
            lambda: fad.grad(lambda x: x * fad.grad(lambda y: x + y)(1.0))(1.0),
            1.0,
        ),
        # d/dx [d/dy (x * y)]_{y=2} = d/dx x = 1.
        (
            "grad(lambda x: grad(lambda y: x * y)(2.0))(3.0)",
            lambda: fad.grad(lambda x: fad.grad(lambda y: x * y)(2.0))(3.0),
            1.0,
        ),
        # d/dx [x * d/dy (x * y)]_{y=2} = d/dx x^2 = 2x.
        (
            "grad(lambda x: x * grad(lambda y: x * y)(2.0))(3.0)",
            lambda: fad.grad(lambda x: x * fad.grad(lambda y: x * y)(2.0))(3.0),
            6.0,
        ),
    )
    print("Nested transforms, told apart without global state:")
    print()
    passed = []
    for text, compute, exact in examples:
        got = compute()
        passed.append(abs(got - exact) < 1e-12)
        print(f"    {text:<52} = {got:g}   (exact: {exact:g}) {'ok' if passed[-1] else 'WRONG'}")

    def f(v: Any) -> Any:
        return v[0] ** 2 * v[1] + np.sin(v[1])

    v = numpy.array([1.0, 0.5])
    hessian = fad.jacobian(fad.grad(f))(v)
    exact = numpy.array([[2 * v[1], 2 * v[0]], [2 * v[0], -math.sin(v[1])]])
    passed.append(bool(numpy.allclose(hessian, exact, rtol=1e-12, atol=1e-12)))
    print()
    print("    jacobian(grad(f)) of f(v) = v0^2 v1 + sin(v1) at v = (1, 0.5), the Hessian:")
    for row, exact_row in zip(hessian, exact):
        got_row, exact_text = " ".join(fixed(v, 9) for v in row), " ".join(fixed(v, 9) for v in exact_row)
        print(f"        [{got_row}]   (exact: [{exact_text}])")
    print()
    print(f"all nested derivatives exact: {'ok' if all(passed) else 'NO'}")
    return all(passed)


# --------------------------------------------------------------------------------------
# Past one machine: functions that worker processes import by name (docs/distributed.md)
# --------------------------------------------------------------------------------------


def squared_error(w: Any, x: Any, y: Any) -> Any:
    """The sum of squared residuals of the linear model ``x @ w`` against ``y``.

    A sum over the rows, so the gradient over all the data is the sum of the gradients
    over any split of the rows into chunks: the data-parallel gradient of the
    documentation page "Past one machine".

    >>> x, y = numpy.eye(2), numpy.array([1.0, 2.0])
    >>> float(squared_error(numpy.zeros(2), x, y)), fad.grad(squared_error)(numpy.zeros(2), x, y)
    (5.0, array([-2., -4.]))

    See Also: fit_ridge, fad.grad
    """
    residual = x @ w - y
    return np.sum(residual * residual)


def fit_ridge(penalty: float, x: Any, y: Any, steps: int = 200) -> numpy.ndarray:
    """``w`` fitted to ``x @ w ~ y`` with an L2 penalty, by gradient descent.

    One task of a hyperparameter sweep: independent of every other penalty, so a
    pool of processes can run many at once. The gradient is :func:`fad.grad`'s.

    >>> x = numpy.random.default_rng(0).normal(size=(40, 2))
    >>> numpy.round(fit_ridge(0.0, x, x @ numpy.array([1.0, -1.0])), 4)
    array([ 1., -1.])

    See Also: squared_error, fad.value_and_grad
    """

    def loss(w: Any) -> Any:
        return squared_error(w, x, y) / len(y) + penalty * np.sum(w * w)

    gradient = fad.grad(loss)
    lipschitz = numpy.linalg.norm(x, 2) ** 2 / len(y) + penalty
    rate = 0.5 / lipschitz  # a safe step for this quadratic
    w = numpy.zeros(x.shape[1])
    for _ in range(steps):
        w = w - rate * gradient(w)
    return w


# --------------------------------------------------------------------------------------
# Drawing a tape (the picture of the page "From the note to the code")
# --------------------------------------------------------------------------------------

TAPE_COLOURS = types.MappingProxyType({  # kind of node -> (fill, edge, what the legend says); read-only
    "operation": ("#fdf2d0", "#b7791f", "operation: its tape line, stored value, cotangent"),
    "input": ("#dbe9f6", "#2b6cb0", "input of the function: value, cotangent (the gradient)"),
    "constant": ("#eeeeee", "#888888", "constant: no cotangent"),
})


def draw_tape(tape: fad.Tape, ybar: Any = 1.0) -> Any:
    """Draw the tape of a function of scalars as a graph, each node with its value and cotangent.

    The operations run down the right-hand column in tape order, so the forward pass reads
    top to bottom and the backward pass bottom to top; an input or a constant sits to the
    left of the operation that first uses it; a legend says what the colours mean. The
    cotangents are those of the backward fold from ``ybar`` (:func:`cotangents`). Needs
    matplotlib; returns the figure, about 5 inches wide (550 pixels at 110 dpi).

    >>> figure = draw_tape(fad.tape(sigmoid_neuron)(0.5, 2.0, 0.1))
    >>> [round(float(size), 1) for size in figure.get_size_inches()]
    [4.8, 7.2]

    See Also: cotangents, fad.tape
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch, Patch

    names, lines = tape.names(), str(tape).splitlines()
    bars = dict(cotangents(tape, ybar))
    boxes: dict[Any, Box] = {}  # node -> its box
    labels: dict[Any, tuple[str, str]] = {}
    edges = []
    row_height, op_x, op_half_width, leaf_step = 1.0, 3.0, 1.05, 1.2
    for k, entry in enumerate(tape.entries):
        y = -row_height * k
        boxes[entry.out] = (op_x, y, op_half_width, 0.38)
        value, bar = fixed(entry.value, digits=4), fixed(bars.get(names[entry.out], 0.0), digits=4)
        labels[entry.out] = (f"{lines[k]}\nvalue {value}\ncotangent {bar}", "operation")
        new = []  # the inputs of the function first used here, and the constants
        for position, (x, node) in enumerate(zip(entry.inputs, entry.nodes)):
            key = node if node is not None else ("constant", k, position)
            if key not in boxes and key not in [n for n, _ in new]:
                new.append((key, x))
            edges.append((key, entry.out))
        for i, (key, x) in enumerate(new):  # in one column left of the operation, stacked
            centre_y = y + 0.32 * (len(new) - 1) - 0.64 * i
            if isinstance(key, tuple):
                boxes[key] = (op_x - op_half_width - leaf_step + 0.3, centre_y, 0.3, 0.2)
                labels[key] = (f"{x}", "constant")
            else:
                boxes[key] = (op_x - op_half_width - leaf_step, centre_y, 0.68, 0.28)
                bar = fixed(bars.get(names[key], 0.0), digits=4)
                labels[key] = (f"{names[key]} = {fixed(x, digits=4)}\ncotangent {bar}", "input")
    left = min(x - w for x, _, w, _ in boxes.values()) - 0.1
    right = max(x + w for x, _, w, _ in boxes.values()) + 0.1
    left = min(left, right - 4.8)  # wide enough for the legend
    top = max(y + h for _, y, _, h in boxes.values()) + 0.1
    bottom = min(y - h for _, y, _, h in boxes.values()) - 1.1  # room for the legend
    fig = plt.figure(figsize=(right - left, top - bottom))
    ax = fig.add_axes((0, 0, 1, 1))
    for key, (x, y, w, h) in boxes.items():
        text, kind = labels[key]
        face, edge, _ = TAPE_COLOURS[kind]
        rounded = "round,pad=0,rounding_size=0.08"
        shape = FancyBboxPatch((x - w, y - h), 2 * w, 2 * h, boxstyle=rounded, fc=face, ec=edge)
        ax.add_patch(shape)
        ax.text(x, y, text, ha="center", va="center", fontsize=9, family="monospace")
    for source, target in edges:
        start, end = _box_edge(boxes[source], boxes[target]), _box_edge(boxes[target], boxes[source])
        bend = "arc3,rad=-0.35" if boxes[source][0] == boxes[target][0] and abs(start[1] - end[1]) > 1.2 else "arc3"
        arrow = dict(arrowstyle="-|>", color="#555555", shrinkA=0, shrinkB=0, connectionstyle=bend)
        ax.annotate("", xy=end, xytext=start, arrowprops=arrow)
    handles = [Patch(facecolor=face, edgecolor=edge, label=meaning) for face, edge, meaning in TAPE_COLOURS.values()]
    ax.legend(handles=handles, loc="lower left", fontsize=9, frameon=False, borderaxespad=0.2)
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    ax.axis("off")
    return fig


Box = tuple[float, float, float, float]  # centre x, centre y, half width, half height


def _box_edge(box: Box, towards: Box) -> tuple[float, float]:
    """Where the line from the centre of ``box`` to the centre of ``towards`` leaves ``box``."""
    (x, y, w, h), (tx, ty, _, _) = box, towards
    dx, dy = tx - x, ty - y
    t = min(w / abs(dx) if dx else float("inf"), h / abs(dy) if dy else float("inf"))
    return x + t * dx, y + t * dy
