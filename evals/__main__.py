"""`python -m evals`: the evaluation harness (same as `assistant eval`)."""

import sys

from evals.run import main

sys.exit(main())
