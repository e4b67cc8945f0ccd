"""Repository maintenance: the demo entry point, the notebooks' index and refresh, and the output checks.

Run from the repository root as `python -m tools.<name>` (or through `make`).
Nothing here is installed with the package, and nothing in `helpers` imports it.
"""
