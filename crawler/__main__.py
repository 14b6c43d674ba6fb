"""`python -m crawler` is the `coprod` command."""

import sys

from crawler.cli import main

sys.exit(main())
