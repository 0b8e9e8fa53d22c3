"""One table of every differentiable function, in one module per group of functions."""
