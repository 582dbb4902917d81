"""`python -m compiler` is `vaultc`."""
from .cli import run

run()
