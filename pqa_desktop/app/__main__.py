"""`python -m pqa_desktop.app` starts the desktop app (also the bundle's windowed entry point)."""
import sys

from pqa_desktop.app.main import main

sys.exit(main())
