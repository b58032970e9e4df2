"""A mini-app plugin that fails on import (the loader must log it and carry on)."""

raise RuntimeError("this plugin is broken on purpose")
