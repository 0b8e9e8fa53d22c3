"""fad.scipy: differentiable SciPy functions (needs the optional extra ``fad[scipy]``).

``import fad`` never imports SciPy; ``import fad.scipy.special`` does, and raises an
``ImportError`` that says to ``pip install 'fad[scipy]'`` when SciPy is missing.

See Also: fad.scipy.special
"""

__all__: tuple[str, ...] = ()  # the functions live in fad.scipy.special
