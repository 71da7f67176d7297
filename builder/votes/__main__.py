"""`python -m builder.votes serve ...`: the `foretell votes` command without the main CLI."""

import sys

from .command import main

sys.exit(main())
