"""`python -m compiler` is `vaultc`."""
import sys

from .cli import main

sys.exit(main())
