"""fad.scipy: differentiable SciPy functions (needs the optional extra ``fad[scipy]``)."""
