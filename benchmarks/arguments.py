"""The argument type of every benchmark's counts (`--epochs`, `--rounds`, `--trials`, `--batch-size`).

A count below 1 would otherwise end a benchmark minutes later in a traceback (no median of zero rounds, a
batch of zero); argparse refuses it at once, naming the option, with exit status 2.
"""

import argparse


def count(text):
    """`text` as an int >= 1, or argparse.ArgumentTypeError naming it."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is invalid; expected a whole number >= 1")
    return value
