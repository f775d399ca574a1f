"""`python -m pqa_desktop` runs the command line (also the bundle's console entry point)."""
import sys

from pqa_desktop.cli import main

sys.exit(main())
